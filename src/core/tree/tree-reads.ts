// The read operations, served from a member's applied tree: each checks the path and the READ
// permission exactly where ZooKeeper's FinalRequestProcessor does.

import { failure, type ZkFailure } from "../error-code.ts";
import { type Acl, type AuthId, checkPermission, maskDigests, Perm, permits } from "./acl.ts";
import type { NodeRecord } from "./node-record.ts";
import { validatePath } from "./path.ts";
import { type Stat, statOf } from "./stat.ts";
import type { TreeStore } from "./tree-store.ts";

export type ReadResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: ZkFailure };

export interface ChildrenPage {
  readonly children: readonly string[];
  readonly stat: Stat;
  /** True when more children follow the last one returned (pass it as `after`). */
  readonly more: boolean;
}

export type ReadOp =
  | { readonly op: "getData"; readonly path: string }
  | { readonly op: "getChildren"; readonly path: string };

export type ReadOpResult =
  | { readonly op: "getData"; readonly data: Uint8Array; readonly stat: Stat }
  | { readonly op: "getChildren"; readonly children: readonly string[] }
  | { readonly op: "error"; readonly failure: ZkFailure };

export interface SessionSummary {
  readonly id: bigint;
  readonly timeoutMs: number;
  readonly createdZxid: number;
  /** The zxid of the session's last write (0 before its first). */
  readonly lastZxid: number;
  readonly ephemeralCount: number;
  /** The first of its ephemeral nodes, in path order. */
  readonly ephemerals: readonly string[];
}

/** How many names one listing may carry before it must be paged (ZooKeeper's packet limit). */
const childrenPageNames = 1000;
/** Bytes a multiRead result takes besides its data or names: header, Stat, lengths. */
const replyOverheadBytes = 100;

export class TreeReads {
  readonly #store: TreeStore;
  readonly #maxReplyBytes: number;

  constructor(store: TreeStore, maxReplyBytes: number) {
    this.#store = store;
    this.#maxReplyBytes = maxReplyBytes;
  }

  /** Stat of a node; since ZooKeeper 3.9.2 an existing node also needs READ. */
  exists(path: string, authIds: readonly AuthId[]): ReadResult<Stat> {
    const node = this.#readable(path, authIds);
    return node.ok ? { ok: true, value: statOf(node.value) } : node;
  }

  getData(path: string, authIds: readonly AuthId[]): ReadResult<{ data: Uint8Array; stat: Stat }> {
    const node = this.#readable(path, authIds);
    return node.ok
      ? { ok: true, value: { data: node.value.data, stat: statOf(node.value) } }
      : node;
  }

  /**
   * Children in code-unit order. Without `limit` it lists them all, or fails when the names
   * would pass the reply limit (ZooKeeper would send a packet its clients reject); with `limit`
   * it returns one page and whether more follow.
   */
  getChildren(
    path: string,
    authIds: readonly AuthId[],
    page: { after?: string | undefined; limit?: number | undefined } = {},
    budgetBytes = this.#maxReplyBytes,
  ): ReadResult<ChildrenPage> {
    const node = this.#readable(path, authIds);
    if (!node.ok) return node;
    const stat = statOf(node.value);
    if (page.limit !== undefined) {
      const limit = Math.max(1, Math.min(page.limit, childrenPageNames));
      const names = this.#store.childNames(path, page.after, limit + 1);
      return {
        ok: true,
        value: { children: names.slice(0, limit), stat, more: names.length > limit },
      };
    }
    const children: string[] = [];
    let bytes = 0;
    let after = page.after;
    for (;;) {
      const names = this.#store.childNames(path, after, childrenPageNames);
      for (const name of names) {
        bytes += 4 + name.length * 3;
        if (bytes > budgetBytes) {
          return refuse(
            failure(
              "BADARGUMENTS",
              `${path} has too many children (${node.value.numChildren}) to list in one reply; list it in pages (maxReplyBytes); the limit is ${this.#maxReplyBytes}`,
              path,
            ),
          );
        }
        children.push(name);
      }
      if (names.length < childrenPageNames) break;
      after = names.at(-1);
    }
    return { ok: true, value: { children, stat, more: false } };
  }

  /** Every node below `path` (ZooKeeper's getAllChildrenNumber), counted by the store. */
  getAllChildrenNumber(path: string, authIds: readonly AuthId[]): ReadResult<number> {
    const node = this.#readable(path, authIds);
    return node.ok ? { ok: true, value: this.#store.countDescendants(path) } : node;
  }

  /** The session's ephemerals whose path starts with `prefix` (a string prefix, as in ZooKeeper). */
  getEphemerals(sessionId: bigint, prefix: string): string[] {
    const all = this.#store.ephemeralPaths(sessionId);
    const p = prefix.trim();
    return p === "" || p === "/" ? all : all.filter((path) => path.startsWith(prefix));
  }

  /**
   * A page of the ensemble's sessions (in the store's order; pass the last id as `after`), each
   * with its ephemeral nodes, at most `ephemeralsShown` of them named — ZooKeeper's `dump`, for
   * the admin's session list. Not an ACL'd read: only the admin scope reaches it.
   */
  sessionsPage(
    after: bigint | undefined,
    limit: number,
    ephemeralsShown: number,
  ): { sessions: SessionSummary[]; more: boolean } {
    const page = this.#store.sessionsAfter(after, limit + 1);
    const sessions = page.slice(0, limit).map((s) => {
      const ephemerals = this.#store.ephemeralPaths(s.id);
      return {
        id: s.id,
        timeoutMs: s.timeoutMs,
        createdZxid: s.createdZxid,
        lastZxid: s.lastZxid,
        ephemeralCount: ephemerals.length,
        ephemerals: ephemerals.slice(0, ephemeralsShown),
      };
    });
    return { sessions, more: page.length > limit };
  }

  /** ACL and Stat; needs READ or ADMIN, and without ADMIN digest hashes are masked. */
  getAcl(path: string, authIds: readonly AuthId[]): ReadResult<{ acl: Acl[]; stat: Stat }> {
    const node = this.#node(path);
    if (!node.ok) return node;
    const denied = checkPermission(node.value.acl, Perm.READ | Perm.ADMIN, authIds, path);
    if (denied) return refuse(denied);
    const acl = permits(node.value.acl, Perm.ADMIN, authIds)
      ? [...node.value.acl]
      : maskDigests(node.value.acl);
    return { ok: true, value: { acl, stat: statOf(node.value) } };
  }

  /**
   * ZooKeeper's multiRead: independent reads, each with its own result or error. The reply is
   * bounded as it is built: once its data and names pass maxReplyBytes the whole read fails
   * (413), before the rest is read.
   */
  multiRead(ops: readonly ReadOp[], authIds: readonly AuthId[]): ReadOpResult[] | ZkFailure {
    const limit = this.#maxReplyBytes;
    const tooLarge = () =>
      failure(
        "BADARGUMENTS",
        `The multiRead reply would pass ${limit} bytes (maxReplyBytes); read fewer nodes at once; the limit is ${limit}`,
      );
    let bytes = 0;
    const results: ReadOpResult[] = [];
    for (const op of ops) {
      // A result's envelope and Stat, as the wire encodes them.
      bytes += replyOverheadBytes;
      if (op.op === "getData") {
        const r = this.getData(op.path, authIds);
        if (r.ok) bytes += r.value.data.length;
        if (bytes > limit) return tooLarge();
        results.push(r.ok ? { op: "getData", ...r.value } : { op: "error", failure: r.failure });
        continue;
      }
      const r = this.getChildren(op.path, authIds, {}, Math.max(0, limit - bytes));
      if (!r.ok && /\(maxReplyBytes\)/.test(r.failure.message)) return tooLarge();
      if (r.ok) for (const name of r.value.children) bytes += 4 + name.length * 3;
      if (bytes > limit) return tooLarge();
      results.push(
        r.ok
          ? { op: "getChildren", children: r.value.children }
          : { op: "error", failure: r.failure },
      );
    }
    return results;
  }

  #node(path: string): ReadResult<NodeRecord> {
    const bad =
      typeof path === "string"
        ? validatePath(path)
        : failure("BADARGUMENTS", "A path must be a string");
    if (bad) return refuse(bad);
    const node = this.#store.getNode(path);
    return node === undefined
      ? refuse(failure("NONODE", `${path} does not exist`, path))
      : { ok: true, value: node };
  }

  #readable(path: string, authIds: readonly AuthId[]): ReadResult<NodeRecord> {
    const node = this.#node(path);
    if (!node.ok) return node;
    const denied = checkPermission(node.value.acl, Perm.READ, authIds, path);
    return denied ? refuse(denied) : node;
  }
}

function refuse(f: ZkFailure): { ok: false; failure: ZkFailure } {
  return { ok: false, failure: f };
}
