// Reads a member serves from its applied tree, as one RPC-friendly request/answer pair.

import type { ZkFailure } from "../src/core/error-code.ts";
import type { Acl, AuthId } from "../src/core/tree/acl.ts";
import type { Stat } from "../src/core/tree/stat.ts";
import type { ZnodeTree } from "../src/core/tree/znode-tree.ts";

export type TreeRead =
  | { readonly op: "exists"; readonly path: string }
  | { readonly op: "getData"; readonly path: string }
  | {
      readonly op: "getChildren";
      readonly path: string;
      readonly after?: string;
      readonly limit?: number;
    }
  | { readonly op: "getAllChildrenNumber"; readonly path: string }
  | { readonly op: "getACL"; readonly path: string }
  | { readonly op: "getEphemerals"; readonly sessionId: bigint; readonly prefix: string };

export type ReadAnswer =
  | { readonly ok: true; readonly zxid: number; readonly value: ReadValue }
  | { readonly ok: false; readonly zxid: number; readonly failure: ZkFailure };

export type ReadValue =
  | { readonly stat: Stat }
  | { readonly data: Uint8Array; readonly stat: Stat }
  | { readonly children: readonly string[]; readonly stat: Stat; readonly more: boolean }
  | { readonly count: number }
  | { readonly acl: Acl[]; readonly stat: Stat }
  | { readonly paths: string[] };

/** Answers a read, stamped with the zxid the answer reflects. */
export function readTree(tree: ZnodeTree, read: TreeRead, authIds: readonly AuthId[]): ReadAnswer {
  const zxid = tree.lastZxid;
  const reads = tree.reads;
  const wrap = <T extends ReadValue>(
    r: { ok: true; value: T } | { ok: false; failure: ZkFailure },
  ): ReadAnswer =>
    r.ok ? { ok: true, zxid, value: r.value } : { ok: false, zxid, failure: r.failure };
  switch (read.op) {
    case "exists": {
      const r = reads.exists(read.path, authIds);
      return r.ok
        ? { ok: true, zxid, value: { stat: r.value } }
        : { ok: false, zxid, failure: r.failure };
    }
    case "getData":
      return wrap(reads.getData(read.path, authIds));
    case "getChildren":
      return wrap(reads.getChildren(read.path, authIds, { after: read.after, limit: read.limit }));
    case "getAllChildrenNumber": {
      const r = reads.getAllChildrenNumber(read.path, authIds);
      return r.ok
        ? { ok: true, zxid, value: { count: r.value } }
        : { ok: false, zxid, failure: r.failure };
    }
    case "getACL":
      return wrap(reads.getAcl(read.path, authIds));
    case "getEphemerals":
      return { ok: true, zxid, value: { paths: reads.getEphemerals(read.sessionId, read.prefix) } };
  }
}
