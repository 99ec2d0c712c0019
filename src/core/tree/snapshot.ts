// Snapshots of the whole tree and session table as deterministic bytes, produced and consumed in
// chunks so neither side ever holds the tree in memory.

import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { invariant } from "./apply.ts";
import { readNode, readSession, writeNode, writeSession } from "./record-codec.ts";
import { add64, nodeFingerprint, sessionFingerprint } from "./tree-digest.ts";
import type { TreeMeta, TreeStore } from "./tree-store.ts";

const magic = "edgekeeper-tree-snapshot";
const formatVersion = 1;
const tag = { end: 0, node: 1, session: 2 } as const;
const pageSize = 256;

/**
 * Yields the snapshot in chunks of about `chunkBytes` (a chunk holds whole entries, so one large
 * node can make it longer). The store must not change while the generator runs.
 */
export function* snapshotChunks(store: TreeStore, chunkBytes = 1 << 20): Generator<Uint8Array> {
  const meta = store.getMeta();
  invariant(meta !== undefined, "snapshot of an uninitialized tree");
  let w = new ByteWriter().text(magic).u8(formatVersion);
  w.int(meta.lastZxid).i64(meta.digest).int(meta.nodeCount).int(meta.dataBytes);
  let nodes = 0;
  let sessions = 0;
  let after: string | undefined;
  for (;;) {
    const page = store.nodesAfter(after, pageSize);
    for (const [path, node] of page) {
      w.u8(tag.node).text(path);
      writeNode(w, node);
      nodes++;
      if (w.length >= chunkBytes) {
        yield w.finish();
        w = new ByteWriter();
      }
    }
    if (page.length < pageSize) break;
    after = page.at(-1)?.[0];
  }
  let afterId: bigint | undefined;
  for (;;) {
    const page = store.sessionsAfter(afterId, pageSize);
    for (const s of page) {
      w.u8(tag.session);
      writeSession(w, s);
      sessions++;
      if (w.length >= chunkBytes) {
        yield w.finish();
        w = new ByteWriter();
      }
    }
    if (page.length < pageSize) break;
    afterId = page.at(-1)?.id;
  }
  w.u8(tag.end).int(nodes).int(sessions);
  yield w.finish();
}

/**
 * Replaces the store's contents with a snapshot and returns the restored meta. The digest is
 * recomputed from the entries and must equal the one recorded, or this throws.
 */
export function restoreSnapshot(store: TreeStore, chunks: Iterable<Uint8Array>): TreeMeta {
  store.clear();
  let header: TreeMeta | undefined;
  let digest = 0n;
  let nodes = 0;
  let sessions = 0;
  let dataBytes = 0;
  let ended = false;
  for (const chunk of chunks) {
    invariant(!ended, "snapshot has bytes after its end");
    const r = new ByteReader(chunk);
    if (header === undefined) {
      invariant(r.text() === magic, "not an edgekeeper tree snapshot");
      const version = r.u8();
      invariant(version === formatVersion, `unknown snapshot format ${version}`);
      const lastZxid = r.int();
      header = {
        lastZxid,
        digest: BigInt.asUintN(64, r.i64()),
        nodeCount: r.int(),
        dataBytes: r.int(),
        changeFloorZxid: lastZxid,
      };
    }
    while (!r.done) {
      const t = r.u8();
      if (t === tag.node) {
        const path = r.text();
        const node = readNode(r);
        store.putNode(path, node);
        digest = add64(digest, nodeFingerprint(path, node));
        dataBytes += node.data.length;
        nodes++;
      } else if (t === tag.session) {
        const s = readSession(r);
        store.putSession(s);
        digest = add64(digest, sessionFingerprint(s));
        sessions++;
      } else {
        invariant(t === tag.end, `unknown snapshot entry tag ${t}`);
        invariant(r.int() === nodes && r.int() === sessions, "snapshot entry counts do not match");
        invariant(r.done, "snapshot has bytes after its end");
        ended = true;
      }
    }
  }
  invariant(header !== undefined && ended, "snapshot is truncated");
  invariant(digest === header.digest, `snapshot digest mismatch: ${digest} != ${header.digest}`);
  invariant(
    nodes === header.nodeCount && dataBytes === header.dataBytes,
    "snapshot totals do not match",
  );
  store.putMeta(header);
  return header;
}
