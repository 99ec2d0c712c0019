// The migration to schema version 7: every stored tree's digest taken again with fingerprint
// version 2 (src/core/hash/fingerprint.ts). Its running sum cannot be converted, only recomputed,
// so this reads every node once (≈ 4.4 s per million nodes here: docs/operations.md).

import { recomputedDigest } from "../src/core/tree/tree-digest.ts";
import { SqlTreeStore } from "./sql-tree-store.ts";

/** Rewrites the digest in the meta of each tree copy (by table prefix; its tables exist). */
export function rebuildStoredDigests(sql: SqlStorage, prefixes: readonly string[]): void {
  for (const prefix of prefixes) {
    const store = new SqlTreeStore(sql, prefix);
    const meta = store.getMeta();
    if (meta !== undefined) store.putMeta({ ...meta, digest: recomputedDigest(store) });
  }
}
