// Snapshots of the whole tree and session table as deterministic bytes, produced and consumed in
// chunks so neither side ever holds the tree in memory.

import { ByteReader, TruncatedBytes } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { concatBytes } from "../bytes/concat.ts";
import { invariant } from "./apply.ts";
import { readNode, readSession, writeNode, writeSession } from "./record-codec.ts";
import {
  add64,
  computeNodeFingerprint,
  nodeFingerprint,
  sessionFingerprint,
} from "./tree-digest.ts";
import type { TreeMeta, TreeStore } from "./tree-store.ts";

const magic = "edgekeeper-tree-snapshot";
/** 2: the header's digest is of fingerprint version 2. Format 1 (version 1) is still read. */
const formatVersion = 2;
const tag = { end: 0, node: 1, session: 2 } as const;
const pageSize = 256;
/** An entry is a node (data ≤ 1 MiB by the entry limit, path and ACL far less) or a session. */
const maxPendingBytes = 8 * 1024 * 1024;

/**
 * Yields the snapshot in chunks of about `chunkBytes` (a chunk holds whole entries, so one large
 * node can make it longer). The store must not change while the generator runs.
 */
export function* snapshotChunks(
  store: Pick<TreeStore, "getMeta" | "nodesAfter" | "sessionsAfter">,
  chunkBytes = 1 << 20,
): Generator<Uint8Array> {
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
 * Rebuilds a store from a snapshot one chunk at a time, so a receiver holds one chunk, never the
 * tree. `finish` checks the recomputed digest and totals against the header and writes the meta.
 */
export class SnapshotRestorer {
  readonly #store: TreeStore;
  #header: TreeMeta | undefined;
  #format = formatVersion;
  /** The digest as this build keeps it, and, for a format-1 snapshot, as its header has it. */
  #digest = 0n;
  #formatOneDigest = 0n;
  #nodes = 0;
  #sessions = 0;
  #dataBytes = 0;
  #ended = false;
  /** The start of an entry whose rest is in the next chunk. */
  #pending = new Uint8Array(0);

  constructor(store: TreeStore) {
    this.#store = store;
    store.clear();
  }

  /** The header's meta once the first chunk is in. */
  get meta(): TreeMeta | undefined {
    return this.#header;
  }

  /** True once the end record has been read. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Takes the next bytes of the snapshot, split anywhere: an entry cut off at the end of one
   * chunk waits (at most `maxPendingBytes`) for the rest in the next.
   */
  push(chunk: Uint8Array): void {
    invariant(!this.#ended || chunk.length === 0, "snapshot has bytes after its end");
    const bytes = this.#pending.length === 0 ? chunk : concatBytes([this.#pending, chunk]);
    const r = new ByteReader(bytes);
    let consumed = 0;
    try {
      if (this.#header === undefined) {
        this.#readHeader(r);
        consumed = r.offset;
      }
      while (!r.done && !this.#ended) {
        this.#readEntry(r);
        consumed = r.offset;
      }
      invariant(r.done, "snapshot has bytes after its end");
    } catch (error) {
      if (!(error instanceof TruncatedBytes)) throw error;
    }
    this.#pending = bytes.slice(consumed);
    invariant(
      this.#pending.length <= maxPendingBytes,
      `snapshot entry longer than ${maxPendingBytes} bytes: corrupt`,
    );
  }

  #readHeader(r: ByteReader): void {
    invariant(r.text() === magic, "not an edgekeeper tree snapshot");
    const version = r.u8();
    invariant(version === 1 || version === formatVersion, `unknown snapshot format ${version}`);
    this.#format = version;
    const lastZxid = r.int();
    const digest = BigInt.asUintN(64, r.i64());
    const nodeCount = r.int();
    const dataBytes = r.int();
    this.#header = { lastZxid, digest, nodeCount, dataBytes, changeFloorZxid: lastZxid };
  }

  /** One entry, taken only once it is whole (a truncated one throws before it changes anything). */
  #readEntry(r: ByteReader): void {
    const t = r.u8();
    if (t === tag.node) {
      const path = r.text();
      const node = readNode(r);
      this.#store.putNode(path, node);
      this.#digest = add64(this.#digest, nodeFingerprint(path, node));
      if (this.#format === 1)
        this.#formatOneDigest = add64(this.#formatOneDigest, computeNodeFingerprint(path, node, 1));
      this.#dataBytes += node.data.length;
      this.#nodes++;
    } else if (t === tag.session) {
      const s = readSession(r);
      this.#store.putSession(s);
      this.#digest = add64(this.#digest, sessionFingerprint(s));
      if (this.#format === 1)
        this.#formatOneDigest = add64(this.#formatOneDigest, sessionFingerprint(s, 1));
      this.#sessions++;
    } else {
      invariant(t === tag.end, `unknown snapshot entry tag ${t}`);
      const nodes = r.int();
      const sessions = r.int();
      invariant(
        nodes === this.#nodes && sessions === this.#sessions,
        "snapshot entry counts do not match",
      );
      this.#ended = true;
    }
  }

  finish(): TreeMeta {
    const header = this.#header;
    invariant(
      header !== undefined && this.#ended && this.#pending.length === 0,
      "snapshot is truncated",
    );
    const computed = this.#format === 1 ? this.#formatOneDigest : this.#digest;
    invariant(
      computed === header.digest,
      `snapshot digest mismatch: ${computed} != ${header.digest}`,
    );
    invariant(
      this.#nodes === header.nodeCount && this.#dataBytes === header.dataBytes,
      "snapshot totals do not match",
    );
    // A format-1 snapshot checked out by its own digest; the store keeps this build's.
    const meta = { ...header, digest: this.#digest };
    this.#store.putMeta(meta);
    return meta;
  }
}

/**
 * Replaces the store's contents with a snapshot and returns the restored meta. The digest is
 * recomputed from the entries and must equal the one recorded, or this throws.
 */
export function restoreSnapshot(store: TreeStore, chunks: Iterable<Uint8Array>): TreeMeta {
  const restorer = new SnapshotRestorer(store);
  for (const chunk of chunks) restorer.push(chunk);
  return restorer.finish();
}
