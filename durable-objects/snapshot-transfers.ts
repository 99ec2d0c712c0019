// Raft snapshots between members as SQLite table copies streamed in chunks: the leader freezes its
// tree into the snap_out_ tables and streams them one RPC per chunk; the follower rebuilds them in
// snap_in_ and swaps them into the live tree when its consensus core installs the snapshot.
// Compaction never serializes the tree: the live SQLite tree is the state, so neither side ever
// holds more than a chunk of it in memory.

import type { NodeId, SnapshotMeta } from "../src/core/consensus/entry.ts";
import type { Membership } from "../src/core/consensus/membership.ts";
import type { InstallSnapshot } from "../src/core/consensus/message.ts";
import { invariant } from "../src/core/tree/apply.ts";
import { SnapshotRestorer, snapshotChunks } from "../src/core/tree/snapshot.ts";
import { snapshotInPrefix, snapshotOutPrefix, znodeFields } from "./schema.ts";
import type { SqlRaftStorage } from "./sql-raft-storage.ts";
import { SqlTreeStore } from "./sql-tree-store.ts";

/** Well under Durable Object RPC's message limit, and what a receiver holds at once. */
const chunkBytes = 1024 * 1024;

/** One piece of a snapshot on its way from the leader; `meta` rides on every piece. */
export interface SnapshotChunk {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The leader's term when its core asked for the snapshot. */
  readonly term: number;
  readonly transfer: string;
  readonly seq: number;
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/** What the admin read-out shows of the latest snapshot streamed out or in. */
export interface TransferRecord {
  readonly peer: NodeId;
  readonly index: number;
  readonly bytes: number;
  readonly chunks: number;
  readonly ms: number;
}

export interface SnapshotTransferHost {
  readonly sql: SqlStorage;
  readonly liveStore: SqlTreeStore;
  readonly raftStorage: SqlRaftStorage;
  /** The configuration in force at a log index, recorded in each snapshot's meta. */
  membershipAt(index: number): Membership;
  /** The applied index the live tree is at. */
  appliedIndex(): number;
  isLeader(): boolean;
  /** Runs `body` in one SQLite transaction. */
  transact(body: () => void): void;
  /** Writes the live tree's buffered rows (inside a transaction), so SQLite holds the applied tree. */
  flushTree(): void;
  /** Sends one chunk; false or a throw ends the transfer (the core asks again later). */
  sendChunk(chunk: SnapshotChunk): Promise<boolean>;
  now(): number;
}

interface Incoming {
  readonly transfer: string;
  readonly from: NodeId;
  readonly restorer: SnapshotRestorer;
  readonly startedMs: number;
  next: number;
  bytes: number;
}

export class SnapshotTransfers {
  readonly #host: SnapshotTransferHost;
  readonly #outStore: SqlTreeStore;
  readonly #inStore: SqlTreeStore;
  /** The snapshot the snap_out_ tables hold, if any this incarnation froze. */
  #frozen: SnapshotMeta | null = null;
  /** Peers a transfer is streaming to, reading the snap_out_ tables: no new freeze while any is. */
  readonly #outgoing = new Set<NodeId>();
  /** Downloads reading them: a transfer that needs a newer copy refreezes under them. */
  #downloadReaders = 0;
  /** Counts freezes, so a download notices when its copy is replaced. */
  #generation = 0;
  #incoming: Incoming | null = null;
  /** A snapshot fully received and verified in snap_in_, waiting for the core to install it. */
  #staged: SnapshotMeta | null = null;
  #transfers = 0;
  lastSent: TransferRecord | null = null;
  lastReceived: TransferRecord | null = null;

  constructor(host: SnapshotTransferHost) {
    this.#host = host;
    this.#outStore = new SqlTreeStore(host.sql, snapshotOutPrefix);
    this.#inStore = new SqlTreeStore(host.sql, snapshotInPrefix);
    // Copies left by an incarnation that stopped mid-transfer are of no use to this one.
    host.transact(() => {
      this.#outStore.clear();
      this.#inStore.clear();
    });
  }

  /**
   * The leader's core wants `m.to` to have a snapshot. Streams the frozen copy, freezing the live
   * tree first unless a transfer still running has a copy recent enough to continue from the log. The snapshot sent is
   * at the applied index of the freeze, which may be past the index the core offered: the meta
   * travels with it, and the follower acknowledges the index it installed.
   */
  offer(m: InstallSnapshot): void {
    if (this.#outgoing.has(m.to)) return;
    let frozen = this.#frozen;
    if (frozen === null || frozen.index < this.#host.raftStorage.firstIndex() - 1) {
      // Another transfer has the copy: the core asks again once its snapshot times out.
      if (this.#outgoing.size > 0) return;
      frozen = this.#freeze();
    }
    this.#outgoing.add(m.to);
    void this.#stream(m, frozen).finally(() => {
      this.#outgoing.delete(m.to);
      this.#releaseIfUnread();
    });
  }

  /**
   * The tree as a byte stream, for a backup: the current applied state when nothing is reading
   * the frozen copy, else that copy (the returned meta says which index it is). A transfer to a
   * lagging member outranks a download: if it has to refreeze, the download fails.
   */
  download(): { meta: SnapshotMeta; body: ReadableStream<Uint8Array> } {
    const busy = this.#outgoing.size + this.#downloadReaders > 0;
    const meta = busy && this.#frozen !== null ? this.#frozen : this.#freeze();
    const generation = this.#generation;
    this.#downloadReaders++;
    let open = true;
    const release = () => {
      if (open) this.#downloadReaders--;
      open = false;
      this.#releaseIfUnread();
    };
    const chunks = snapshotChunks(this.#outStore, chunkBytes);
    const superseded = () => generation !== this.#generation;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        try {
          if (superseded()) throw new Error("the snapshot copy was replaced mid-download; retry");
          const next = chunks.next();
          if (next.done) {
            release();
            controller.close();
          } else controller.enqueue(next.value);
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel() {
        release();
      },
    });
    return { meta, body };
  }

  #freeze(): SnapshotMeta {
    const index = this.#host.appliedIndex();
    const term = this.#host.raftStorage.term(index);
    invariant(term !== undefined, `no term for applied index ${index}`);
    this.#host.transact(() => {
      this.#host.flushTree();
      copyTree(this.#host.sql, "", snapshotOutPrefix);
    });
    this.#outStore.dropCache();
    this.#generation++;
    const { voters, learners } = this.#host.membershipAt(index);
    this.#frozen = { index, term, voters, ...(learners.length > 0 ? { learners } : {}) };
    return this.#frozen;
  }

  /** A copy nobody reads is dropped: it is as large as the tree, and storage is billed. */
  #releaseIfUnread(): void {
    if (this.#outgoing.size + this.#downloadReaders > 0 || this.#frozen === null) return;
    this.#host.transact(() => this.#outStore.clear());
    this.#frozen = null;
  }

  async #stream(m: InstallSnapshot, meta: SnapshotMeta): Promise<void> {
    const transfer = `${m.from}.${meta.index}.${++this.#transfers}`;
    const startedMs = this.#host.now();
    let seq = 0;
    let bytes = 0;
    try {
      for (const data of snapshotChunks(this.#outStore, chunkBytes)) {
        if (!this.#host.isLeader()) return;
        const chunk = { from: m.from, to: m.to, term: m.term, transfer, seq, meta, data };
        if (!(await this.#host.sendChunk(chunk))) return;
        seq++;
        bytes += data.length;
      }
    } catch {
      // A lost chunk ends the transfer; the core re-offers after its snapshot times out.
      return;
    }
    this.lastSent = {
      peer: m.to,
      index: meta.index,
      bytes,
      chunks: seq,
      ms: this.#host.now() - startedMs,
    };
  }

  /**
   * A chunk from the leader, inside the caller's transaction. Returns false when it does not
   * continue the transfer in progress (the leader stops sending), null while more are due, and
   * the snapshot message to step into the core once the last one is in and verified.
   */
  receive(chunk: SnapshotChunk): InstallSnapshot | null | false {
    if (chunk.seq === 0) {
      this.#staged = null;
      this.#incoming = {
        transfer: chunk.transfer,
        from: chunk.from,
        restorer: new SnapshotRestorer(this.#inStore),
        startedMs: this.#host.now(),
        next: 0,
        bytes: 0,
      };
    }
    const incoming = this.#incoming;
    if (
      incoming === null ||
      incoming.transfer !== chunk.transfer ||
      incoming.next !== chunk.seq ||
      incoming.from !== chunk.from
    )
      return false;
    incoming.restorer.push(chunk.data);
    incoming.next++;
    incoming.bytes += chunk.data.length;
    if (!incoming.restorer.ended) return null;
    const tree = incoming.restorer.finish();
    invariant(
      tree.lastZxid === chunk.meta.index,
      `snapshot tree at ${tree.lastZxid}, meta says ${chunk.meta.index}`,
    );
    this.#incoming = null;
    this.#staged = chunk.meta;
    this.lastReceived = {
      peer: chunk.from,
      index: chunk.meta.index,
      bytes: incoming.bytes,
      chunks: incoming.next,
      ms: this.#host.now() - incoming.startedMs,
    };
    return {
      type: "snapshot",
      from: chunk.from,
      to: chunk.to,
      term: chunk.term,
      snapshot: { meta: chunk.meta, data: new Uint8Array() },
    };
  }

  /** Forgets a transfer whose chunk could not be taken (its transaction rolled back). */
  abandonIncoming(): void {
    this.#incoming = null;
    this.#inStore.dropCache();
  }

  /** The core installs the staged snapshot: it replaces the live tree (inside drain's transaction). */
  install(meta: SnapshotMeta): void {
    const staged = this.#staged;
    invariant(
      staged !== null && staged.index === meta.index && staged.term === meta.term,
      `no received snapshot at index ${meta.index} to install`,
    );
    copyTree(this.#host.sql, snapshotInPrefix, "");
    this.#inStore.clear();
    this.#host.liveStore.dropCache();
    this.#staged = null;
  }
}

/** Replaces one copy of the tree with another, row for row, without the rows passing through JS. */
export function copyTree(sql: SqlStorage, from: string, to: string): void {
  for (const table of ["znode", "zsession", "tree_meta"]) sql.exec(`DELETE FROM ${to}${table}`);
  // In path order and with fresh rowids, both the table and its path index are filled at their
  // ends; copied as stored, the index is built from rows in rowid order.
  sql.exec(
    `INSERT INTO ${to}znode (${znodeFields}) SELECT ${znodeFields} FROM ${from}znode ORDER BY path`,
  );
  for (const table of ["zsession", "tree_meta"])
    sql.exec(`INSERT INTO ${to}${table} SELECT * FROM ${from}${table}`);
  sql.exec(`DELETE FROM ${to}change_batch`);
}
