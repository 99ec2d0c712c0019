// Write requests as clients state them, before prepare checks and resolves them.

import type { Acl, AuthId } from "./acl.ts";

export type WriteOp =
  | {
      readonly op: "create";
      readonly path: string;
      readonly data: Uint8Array;
      readonly acl: readonly Acl[];
      /** A CreateMode flag (0–6). */
      readonly mode: number;
      readonly ttlMs?: number | undefined;
    }
  | { readonly op: "delete"; readonly path: string; readonly version: number }
  | {
      readonly op: "setData";
      readonly path: string;
      readonly data: Uint8Array;
      readonly version: number;
    }
  | {
      readonly op: "setACL";
      readonly path: string;
      readonly acl: readonly Acl[];
      readonly version: number;
    }
  | { readonly op: "check"; readonly path: string; readonly version: number };

export type WriteRequest =
  | WriteOp
  | { readonly op: "multi"; readonly ops: readonly WriteOp[] }
  | { readonly op: "createSession"; readonly timeoutMs: number }
  | { readonly op: "closeSession"; readonly sessionId: bigint }
  /** The leader's reaper removing an empty container or an expired TTL node. */
  | { readonly op: "reap"; readonly path: string };

/** Who asks and when: the leader stamps its wall time once, here. */
export interface RequestContext {
  /** The caller's session; absent for sessionless HTTP writes (which cannot create ephemerals). */
  readonly sessionId?: bigint | undefined;
  readonly authIds: readonly AuthId[];
  readonly nowMs: number;
}
