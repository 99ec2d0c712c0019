// The change log's rows: a flush's events (in zxid order) as one binary value per row, found by
// the zxids it spans; written by the tree store and by the schema's migration to version 6.

import { encodeChanges } from "../src/core/tree/change-codec.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";

/** A change-log row's events stop growing here (SQLite's row limit on Cloudflare is 2 MB). */
const changeBatchBytesMax = 512 * 1024;

/** At least an event's encoded size (change-codec.ts): its path as UTF-8 at worst, and an ACL. */
function changeBytesEstimate(e: TreeEvent): number {
  let bytes = 32 + e.path.length * 3;
  for (const a of e.acl ?? []) bytes += 32 + (a.scheme.length + a.id.length) * 3;
  return bytes;
}

/**
 * Events (in zxid order) as rows of the change log (version 6): one row unless they are many — a
 * multi's paths alone may pass SQLite's row limit.
 */
export function insertChanges(sql: SqlStorage, prefix: string, events: readonly TreeEvent[]): void {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    bytes += changeBytesEstimate(events[i] as TreeEvent);
    if (bytes < changeBatchBytesMax && i < events.length - 1) continue;
    const run = events.slice(start, i + 1);
    sql.exec(
      `INSERT INTO ${prefix}change_batch (first_zxid, last_zxid, events) VALUES (?, ?, ?)`,
      run[0]?.zxid,
      run.at(-1)?.zxid,
      encodeChanges(run),
    );
    start = i + 1;
    bytes = 0;
  }
}
