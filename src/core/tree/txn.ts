// Transactions: requests after the leader has checked and resolved them. Applying one can only
// succeed; everything that could fail was decided in prepare.

import type { Acl } from "./acl.ts";

export type TxnOp =
  | {
      readonly type: "create";
      readonly path: string;
      readonly data: Uint8Array;
      readonly acl: readonly Acl[];
      readonly ephemeralOwner: bigint;
      /** The parent's cversion after this create (ZooKeeper's CreateTxn.parentCVersion). */
      readonly parentCversion: number;
      readonly timeMs: number;
    }
  | { readonly type: "delete"; readonly path: string }
  | {
      readonly type: "setData";
      readonly path: string;
      readonly data: Uint8Array;
      /** The node's version after this write. */
      readonly version: number;
      readonly timeMs: number;
    }
  | {
      readonly type: "setACL";
      readonly path: string;
      readonly acl: readonly Acl[];
      readonly aversion: number;
    }
  | { readonly type: "check"; readonly path: string };

export type Txn =
  | TxnOp
  | { readonly type: "multi"; readonly ops: readonly TxnOp[] }
  | { readonly type: "createSession"; readonly timeoutMs: number }
  | {
      readonly type: "closeSession";
      readonly sessionId: bigint;
      /** The session's ephemerals when the close was prepared, sorted. */
      readonly ephemerals: readonly string[];
    };
