// The znode tree's TreeStore on the member's SQLite: one row per node with its parent and name
// indexed, so listing children and counting descendants are index range scans, never a load.
// A bounded cache in front of it answers the repeated point reads of one write (prepare, apply,
// digest and quota each look at the same few nodes) without a query each. The live tree's store
// is buffered: writes wait in memory until flush() — which the member calls at the end of a
// transaction when enough has gathered (replica.ts) — so a row written by many entries is written
// once, the meta and the change-log trim once per flush, and a row that exists is updated in place
// (its indexes untouched) instead of replaced. A query over many rows flushes first, atomically.

import type { SessionRecord } from "../src/core/session/session-record.ts";
import type { Acl } from "../src/core/tree/acl.ts";
import { decodeChanges, encodeChanges } from "../src/core/tree/change-codec.ts";
import { type NodeRecord, nodeType } from "../src/core/tree/node-record.ts";
import { nameOf, parentOf } from "../src/core/tree/path.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import type { TreeMeta, TreeStore } from "../src/core/tree/tree-store.ts";
import { insertChanges } from "./change-rows.ts";
import { KnownChildren } from "./known-children.ts";

const nodeTypeCode = { persistent: 0, ephemeral: 1, container: 2, ttl: 3 } as const;
const nodeColumns =
  "path, data, acl, czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, owner, num_children";

interface NodeRow extends Record<string, SqlStorageValue> {
  path: string;
  data: ArrayBuffer;
  acl: string;
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  owner: string;
  num_children: number;
}

interface SessionRow extends Record<string, SqlStorageValue> {
  id: string;
  timeout_ms: number;
  created_zxid: number;
  last_seq: number;
  last_zxid: number;
  last_result: ArrayBuffer;
}

const sessionColumns = "id, timeout_ms, created_zxid, last_seq, last_zxid, last_result";

/** Exclusive bounds of every path below `path`: "/a/" < p < "/a0" ("/" sorts just before "0"). */
function descendantRange(path: string): [string, string] {
  const prefix = path === "/" ? "/" : `${path}/`;
  return [prefix, `${prefix.slice(0, -1)}0`];
}

/** Sorts as unsigned 64-bit: fixed-width hex. */
const sortKey = (id: bigint) => BigInt.asUintN(64, id).toString(16).padStart(16, "0");

/** Point reads kept in memory: most recently used first out of the way, bounded by both. */
const cachedNodesMax = 8192;
const cachedDataBytesMax = 8 * 1024 * 1024;
const cachedSessionsMax = 8192;

interface CachedNode {
  node: NodeRecord | null;
  stamp: number;
}

export class SqlTreeStore implements TreeStore {
  readonly #sql: SqlStorage;
  /** Table names: the live tree, or one of the snapshot copies (schema.ts). */
  readonly #znode: string;
  readonly #zsession: string;
  readonly #metaTable: string;
  readonly #changes: string;
  readonly #prefix: string;
  /**
   * path → node, or null when known absent; Map order is roughly recency (oldest first). A hit
   * moves an entry to the back only when it has fallen into the older half: moving every hit
   * (a delete and a set) was 4–5 % of a create's CPU, spent on the hottest few nodes.
   */
  #nodes = new Map<string, CachedNode>();
  /** Complete child lists of the nodes created through this store: misses without a query. */
  readonly #children = new KnownChildren();
  #nodeBytes = 0;
  /** Counts insertions and moves; a node's `stamp` is the count when it last went to the back. */
  #nodeStamp = 0;
  #sessions = new Map<bigint, SessionRecord | null>();
  #meta: TreeMeta | undefined | null = null;
  readonly #buffered: boolean;
  readonly #readTransaction: <T>(body: () => T) => T;
  /** Buffered writes since the last flush: the row as written, and as it was before the batch. */
  #dirtyNodes = new Map<string, { node: NodeRecord | null; base: NodeRecord | null }>();
  #dirtySessions = new Map<bigint, { session: SessionRecord | null; base: boolean }>();
  #pendingChanges: TreeEvent[] = [];
  #metaDirty = false;
  #dropChangesThrough = -1;
  /** Data bytes of the buffered node rows (what the buffer holds in memory). */
  #pendingBytes = 0;
  /** Counts every buffered write and flush: a transaction that rolls back after it moved lost them. */
  #version = 0;
  /** The applied index of the tree as SQLite holds it (undefined until the meta is read). */
  #flushedZxid: number | undefined;

  /**
   * `buffered`: hold writes until flush() (the live tree); otherwise each writes through.
   * `readTransaction`: wraps reads that may run outside a transaction (the member's is cheap).
   */
  constructor(
    sql: SqlStorage,
    tablePrefix = "",
    options: { buffered?: boolean; readTransaction?: <T>(body: () => T) => T } = {},
  ) {
    this.#sql = sql;
    this.#buffered = options.buffered ?? false;
    this.#readTransaction = options.readTransaction ?? ((body) => body());
    this.#znode = `${tablePrefix}znode`;
    this.#zsession = `${tablePrefix}zsession`;
    this.#metaTable = `${tablePrefix}tree_meta`;
    this.#prefix = tablePrefix;
    this.#changes = `${tablePrefix}change_batch`;
  }

  /**
   * Runs a read in a transaction of its own unless one is open: the runtime runs a statement
   * outside any transaction in one of its own, which costs several times the read (measured in
   * docs/performance.md), while a read-only transaction costs next to nothing.
   */
  #query<R extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: SqlStorageValue[]
  ): R[] {
    return this.#readTransaction(() => this.#sql.exec<R>(query, ...bindings).toArray());
  }

  #one<R extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: SqlStorageValue[]
  ): R {
    return this.#readTransaction(() => this.#sql.exec<R>(query, ...bindings).one());
  }

  /**
   * Forgets every cached read and buffered write: after a rolled-back transaction the rows may
   * differ from the cache, and the batch's writes went with it.
   */
  dropCache(): void {
    this.#nodes = new Map();
    this.#children.clear();
    this.#nodeBytes = 0;
    this.#sessions = new Map();
    this.#meta = null;
    this.#flushedZxid = undefined;
    this.#dirtyNodes = new Map();
    this.#dirtySessions = new Map();
    this.#pendingChanges = [];
    this.#metaDirty = false;
    this.#dropChangesThrough = -1;
    this.#pendingBytes = 0;
    this.#version++;
  }

  /** Whether to follow the children of nodes created from now on (known-children.ts). */
  followChildren(on: boolean): void {
    this.#children.follow(on);
  }

  /** Buffered rows waiting for flush(): nodes, sessions and change-log entries. */
  get pendingRows(): number {
    return this.#dirtyNodes.size + this.#dirtySessions.size + this.#pendingChanges.length;
  }

  /** Data bytes of the buffered node rows. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** What the read cache holds: nodes (known absent ones too) and their data bytes. */
  get cached(): { nodes: number; bytes: number } {
    return { nodes: this.#nodes.size, bytes: this.#nodeBytes };
  }

  /** Whether anything waits for flush(). */
  get pending(): boolean {
    return this.pendingRows > 0 || this.#metaDirty || this.#dropChangesThrough >= 0;
  }

  /** Changes with every buffered write and every flush. */
  get version(): number {
    return this.#version;
  }

  /** Flushes before a query that reads rows straight from SQLite, in one transaction. */
  #flushForQuery(): void {
    if (this.pending) this.#readTransaction(() => this.flush());
  }

  /** Writes the buffered batch (inside the caller's transaction); a no-op when nothing waits. */
  flush(): void {
    if (!this.pending) return;
    this.#version++;
    this.#pendingBytes = 0;
    const created: Array<[string, NodeRecord]> = [];
    for (const [path, { node, base }] of this.#dirtyNodes) {
      // Paths are distinct, so rows new to SQLite can go last, several to a statement.
      if (base === null && node !== null) created.push([path, node]);
      else this.#writeNode(path, node, base);
    }
    this.#dirtyNodes.clear();
    this.#insertNodes(created);
    for (const [id, { session, base }] of this.#dirtySessions)
      this.#writeSession(id, session, base);
    this.#dirtySessions.clear();
    if (this.#pendingChanges.length > 0) {
      insertChanges(this.#sql, this.#prefix, this.#pendingChanges);
      this.#pendingChanges = [];
    }
    if (this.#dropChangesThrough >= 0) {
      this.#deleteChangesThrough(this.#dropChangesThrough);
      this.#dropChangesThrough = -1;
    }
    if (this.#metaDirty && this.#meta) this.#writeMeta(this.#meta);
    this.#metaDirty = false;
  }

  #cacheNode(path: string, node: NodeRecord | null): void {
    const entry = this.#nodes.get(path);
    if (entry === undefined) {
      this.#nodes.set(path, { node, stamp: ++this.#nodeStamp });
    } else {
      // Written in place, and moved to the back only from the older half, as a hit is.
      this.#nodeBytes -= entry.node?.data.length ?? 0;
      entry.node = node;
      if (this.#nodeStamp - entry.stamp > this.#nodes.size / 2) {
        this.#nodes.delete(path);
        entry.stamp = ++this.#nodeStamp;
        this.#nodes.set(path, entry);
      }
    }
    if (node) this.#nodeBytes += node.data.length;
    if (this.#nodes.size > cachedNodesMax || this.#nodeBytes > cachedDataBytesMax)
      this.#evictNodes();
  }

  /**
   * Drops the oldest entries down to 7/8 of both bounds in one pass. One at a time, each eviction
   * started a new iterator that walked over the slots the earlier deletions left at the front of
   * the Map: ≈ 5× the cost per insert, 3.3 % of a create's CPU once the cache was full.
   */
  #evictNodes(): void {
    const countTarget = (cachedNodesMax * 7) / 8;
    const bytesTarget = (cachedDataBytesMax * 7) / 8;
    for (const [path, entry] of this.#nodes) {
      if (this.#nodes.size <= countTarget && this.#nodeBytes <= bytesTarget) break;
      if (entry.node) this.#nodeBytes -= entry.node.data.length;
      this.#nodes.delete(path);
    }
  }

  #cacheSession(id: bigint, session: SessionRecord | null): void {
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    if (this.#sessions.size > cachedSessionsMax) {
      const oldest = this.#sessions.keys().next();
      if (!oldest.done) this.#sessions.delete(oldest.value);
    }
  }

  getNode(path: string): NodeRecord | undefined {
    const dirty = this.#dirtyNodes.get(path);
    if (dirty !== undefined) return dirty.node ?? undefined;
    const cached = this.#nodes.get(path);
    if (cached !== undefined) {
      if (this.#nodeStamp - cached.stamp > this.#nodes.size / 2) {
        this.#nodes.delete(path);
        cached.stamp = ++this.#nodeStamp;
        this.#nodes.set(path, cached);
      }
      return cached.node ?? undefined;
    }
    if (this.#children.absent(path)) return undefined;
    const row = this.#query<NodeRow>(
      `SELECT ${nodeColumns} FROM ${this.#znode} WHERE path = ?`,
      path,
    )[0];
    const node = row ? toNode(row) : null;
    this.#cacheNode(path, node);
    return node ?? undefined;
  }

  putNode(path: string, node: NodeRecord): void {
    this.#children.written(path);
    if (this.#buffered) {
      this.#stageNode(path, node);
      return;
    }
    this.#cacheNode(path, node);
    this.#insertNode(path, node, "INSERT OR REPLACE");
  }

  createNode(path: string, node: NodeRecord): void {
    const dirty = this.#dirtyNodes.get(path);
    const known = dirty === undefined ? this.#nodes.get(path)?.node : dirty.node;
    if (known) throw new Error(`create of existing ${path}`);
    this.#children.created(path);
    if (!this.#buffered) {
      this.#cacheNode(path, node);
      this.#insertNode(path, node, "INSERT");
      return;
    }
    // Not looked up: a row that is there after all makes the flush's plain INSERT fail.
    this.#dirtyNodes.set(path, { node, base: dirty?.base ?? null });
    this.#pendingBytes += node.data.length - (dirty?.node?.data.length ?? 0);
    this.#version++;
    this.#cacheNode(path, node);
  }

  #stageNode(path: string, node: NodeRecord | null): void {
    const dirty = this.#dirtyNodes.get(path);
    const base = dirty === undefined ? (this.getNode(path) ?? null) : dirty.base;
    this.#dirtyNodes.set(path, { node, base });
    // The row's earlier buffered version is replaced, not added to.
    this.#pendingBytes += (node?.data.length ?? 0) - (dirty?.node?.data.length ?? 0);
    this.#version++;
    this.#cacheNode(path, node);
  }

  #writeNode(path: string, node: NodeRecord | null, base: NodeRecord | null): void {
    if (node === null) {
      if (base !== null) this.#deleteNodeRow(path);
    } else if (base !== null && base.ephemeralOwner === node.ephemeralOwner) {
      // Same row, same owner and kind: an update in place leaves every index as it is.
      this.#sql.exec(
        `UPDATE ${this.#znode} SET data = ?, acl = ?, czxid = ?, mzxid = ?, pzxid = ?, ctime = ?, mtime = ?,
           version = ?, cversion = ?, aversion = ?, num_children = ? WHERE path = ?`,
        ...contentValues(node),
        node.numChildren,
        path,
      );
    } else {
      // A row absent before the batch gets a plain INSERT: one that exists after all fails.
      this.#insertNode(path, node, base === null ? "INSERT" : "INSERT OR REPLACE");
    }
  }

  #insertNode(path: string, node: NodeRecord, verb: "INSERT" | "INSERT OR REPLACE"): void {
    this.#sql.exec(
      `${verb} INTO ${this.#znode} (${insertColumns}) VALUES ${insertRow}`,
      ...rowValues(path, node),
    );
  }

  /**
   * Rows absent before, six to a statement; one that exists after all fails the flush. `OR IGNORE`
   * and a count, not a plain INSERT: SQLite copies every page a multi-row statement that may
   * abort touches into a statement journal first, past 64 KiB into a temp file — more than twice
   * the bytes the WAL got (docs/performance.md, "2026-11-30, night: statement journals").
   */
  #insertNodes(rows: ReadonlyArray<[string, NodeRecord]>): void {
    if (rows.length === 0) return;
    const before = this.#totalChanges();
    for (let i = 0; i < rows.length; i += rowsPerInsert) {
      const batch = rows.slice(i, i + rowsPerInsert);
      this.#sql.exec(
        `INSERT OR IGNORE INTO ${this.#znode} (${insertColumns}) VALUES ${batch.map(() => insertRow).join(", ")}`,
        ...batch.flatMap(([path, node]) => rowValues(path, node)),
      );
    }
    const inserted = this.#totalChanges() - before;
    if (inserted !== rows.length)
      throw new Error(
        `flush: ${rows.length - inserted} of the ${rows.length} nodes created since the last flush were already stored`,
      );
  }

  /** Rows this connection's statements have changed so far (SQLite's total_changes()). */
  #totalChanges(): number {
    return this.#one<{ n: number }>("SELECT total_changes() AS n").n;
  }

  deleteNode(path: string): void {
    if (this.#buffered) this.#stageNode(path, null);
    else {
      this.#cacheNode(path, null);
      this.#deleteNodeRow(path);
    }
    // After staging, which looks the row up: it must still be found.
    this.#children.deleted(path);
  }

  #deleteNodeRow(path: string): void {
    this.#sql.exec(`DELETE FROM ${this.#znode} WHERE path = ?`, path);
  }

  /** Counted without a flush: the rows in SQLite, corrected by the buffered ones. */
  treeUsage(): { count: number; bytes: number } {
    const meta = this.getMeta();
    return { count: meta?.nodeCount ?? 0, bytes: meta?.dataBytes ?? 0 };
  }

  sessionCount(): number {
    let buffered = 0;
    for (const { session, base } of this.#dirtySessions.values())
      buffered += (session === null ? 0 : 1) - (base ? 1 : 0);
    return this.#one<{ n: number }>(`SELECT count(*) AS n FROM ${this.#zsession}`).n + buffered;
  }

  getSession(id: bigint): SessionRecord | undefined {
    const dirty = this.#dirtySessions.get(id);
    if (dirty !== undefined) return dirty.session ?? undefined;
    const cached = this.#sessions.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.#query<SessionRow>(
      `SELECT ${sessionColumns} FROM ${this.#zsession} WHERE id = ?`,
      id.toString(),
    )[0];
    const session = row ? toSession(row) : null;
    this.#cacheSession(id, session);
    return session ?? undefined;
  }

  putSession(session: SessionRecord): void {
    if (this.#buffered) {
      this.#stageSession(session.id, session);
      return;
    }
    this.#cacheSession(session.id, session);
    this.#writeSession(session.id, session, false);
  }

  deleteSession(id: bigint): void {
    if (this.#buffered) {
      this.#stageSession(id, null);
      return;
    }
    this.#cacheSession(id, null);
    this.#writeSession(id, null, true);
  }

  #stageSession(id: bigint, session: SessionRecord | null): void {
    const dirty = this.#dirtySessions.get(id);
    const base = dirty === undefined ? this.getSession(id) !== undefined : dirty.base;
    this.#dirtySessions.set(id, { session, base });
    this.#version++;
    this.#cacheSession(id, session);
  }

  /** `base`: whether the row exists before this write (an update then touches no index). */
  #writeSession(id: bigint, session: SessionRecord | null, base: boolean): void {
    if (session === null) {
      if (base) this.#sql.exec(`DELETE FROM ${this.#zsession} WHERE id = ?`, id.toString());
    } else if (base) {
      this.#sql.exec(
        `UPDATE ${this.#zsession} SET timeout_ms = ?, created_zxid = ?, last_seq = ?, last_zxid = ?, last_result = ?
         WHERE id = ?`,
        session.timeoutMs,
        session.createdZxid,
        session.lastSeq,
        session.lastZxid,
        session.lastResult,
        id.toString(),
      );
    } else {
      this.#sql.exec(
        `INSERT OR REPLACE INTO ${this.#zsession} (id, sort_key, timeout_ms, created_zxid, last_seq, last_zxid, last_result)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        id.toString(),
        sortKey(id),
        session.timeoutMs,
        session.createdZxid,
        session.lastSeq,
        session.lastZxid,
        session.lastResult,
      );
    }
  }

  ephemeralPaths(owner: bigint): string[] {
    this.#flushForQuery();
    return this.#query<{ path: string }>(
      `SELECT path FROM ${this.#znode} WHERE node_type = 1 AND owner = ? ORDER BY path`,
      owner.toString(),
    ).map((r) => r.path);
  }

  subtreeUsage(path: string): { count: number; bytes: number } {
    this.#flushForQuery();
    const [lo, hi] = descendantRange(path);
    const row = this.#one<{ n: number; b: number | null }>(
      `SELECT count(*) AS n, sum(length(data)) AS b FROM ${this.#znode} WHERE path = ? OR (path > ? AND path < ?)`,
      path,
      lo,
      hi,
    );
    return { count: row.n, bytes: row.b ?? 0 };
  }

  childNames(parent: string, after: string | undefined, limit: number): string[] {
    this.#flushForQuery();
    return this.#query<{ name: string }>(
      `SELECT name FROM ${this.#znode} WHERE parent = ? AND name > ? ORDER BY name LIMIT ?`,
      parent,
      after ?? "",
      limit,
    ).map((r) => r.name);
  }

  countDescendants(path: string): number {
    this.#flushForQuery();
    const [lo, hi] = descendantRange(path);
    return this.#one<{ n: number }>(
      `SELECT count(*) AS n FROM ${this.#znode} WHERE path > ? AND path < ?`,
      lo,
      hi,
    ).n;
  }

  extendedNodes(after: string | undefined, limit: number): Array<[string, NodeRecord]> {
    this.#flushForQuery();
    return this.#query<NodeRow>(
      `SELECT ${nodeColumns} FROM ${this.#znode} WHERE node_type >= 2 AND path > ? ORDER BY path LIMIT ?`,
      after ?? "",
      limit,
    ).map((r) => [r.path, toNode(r)]);
  }

  nodesAfter(after: string | undefined, limit: number): Array<[string, NodeRecord]> {
    this.#flushForQuery();
    return this.#query<NodeRow>(
      `SELECT ${nodeColumns} FROM ${this.#znode} WHERE path > ? ORDER BY path LIMIT ?`,
      after ?? "",
      limit,
    ).map((r) => [r.path, toNode(r)]);
  }

  sessionsAfter(after: bigint | undefined, limit: number): SessionRecord[] {
    this.#flushForQuery();
    return this.#query<SessionRow>(
      `SELECT ${sessionColumns} FROM ${this.#zsession} WHERE sort_key > ? ORDER BY sort_key LIMIT ?`,
      after === undefined ? "" : sortKey(after),
      limit,
    ).map(toSession);
  }

  getMeta(): TreeMeta | undefined {
    if (this.#meta !== null) return this.#meta;
    const row = this.#query<{
      last_zxid: number;
      digest: string;
      node_count: number;
      data_bytes: number;
      change_floor: number;
    }>(
      `SELECT last_zxid, digest, node_count, data_bytes, change_floor FROM ${this.#metaTable} WHERE id = 1`,
    )[0];
    this.#flushedZxid = row?.last_zxid;
    this.#meta = row
      ? {
          lastZxid: row.last_zxid,
          digest: BigInt(row.digest),
          nodeCount: row.node_count,
          dataBytes: row.data_bytes,
          changeFloorZxid: row.change_floor,
        }
      : undefined;
    return this.#meta;
  }

  putMeta(meta: TreeMeta): void {
    this.#meta = meta;
    if (this.#buffered) {
      this.#metaDirty = true;
      this.#version++;
    } else this.#writeMeta(meta);
  }

  /** The applied index of the rows in SQLite: behind lastZxid while the buffer holds entries. */
  get flushedZxid(): number {
    this.#flushedZxid ??=
      this.#query<{ last_zxid: number }>(`SELECT last_zxid FROM ${this.#metaTable} WHERE id = 1`)[0]
        ?.last_zxid ?? 0;
    return this.#flushedZxid;
  }

  #writeMeta(meta: TreeMeta): void {
    this.#flushedZxid = meta.lastZxid;
    this.#sql.exec(
      `INSERT OR REPLACE INTO ${this.#metaTable} (id, last_zxid, digest, node_count, data_bytes, change_floor)
       VALUES (1, ?, ?, ?, ?, ?)`,
      meta.lastZxid,
      meta.digest.toString(),
      meta.nodeCount,
      meta.dataBytes,
      meta.changeFloorZxid,
    );
  }

  appendChanges(events: readonly TreeEvent[]): void {
    if (this.#buffered) {
      this.#pendingChanges.push(...events);
      this.#version++;
    } else insertChanges(this.#sql, this.#prefix, events);
  }

  changesBetween(afterZxid: number, throughZxid: number): TreeEvent[] {
    this.#flushForQuery();
    const events: TreeEvent[] = [];
    const rows = this.#query<{ events: ArrayBuffer }>(
      `SELECT events FROM ${this.#changes} WHERE last_zxid > ? AND first_zxid <= ? ORDER BY id`,
      afterZxid,
      throughZxid,
    );
    for (const row of rows)
      for (const e of decodeChanges(new Uint8Array(row.events)))
        if (e.zxid > afterZxid && e.zxid <= throughZxid) events.push(e);
    return events;
  }

  dropChangesThrough(zxid: number): void {
    if (this.#buffered) {
      this.#dropChangesThrough = Math.max(this.#dropChangesThrough, zxid);
      this.#version++;
      return;
    }
    this.#deleteChangesThrough(zxid);
  }

  #deleteChangesThrough(zxid: number): void {
    this.#sql.exec(`DELETE FROM ${this.#changes} WHERE last_zxid <= ?`, zxid);
    // A row reaching past the floor keeps only its events above it (at most a row or two: rows
    // follow zxid order and share a zxid only where one zxid's events filled a row).
    for (;;) {
      const row = this.#query<{ id: number; first_zxid: number }>(
        `SELECT id, first_zxid FROM ${this.#changes} ORDER BY id LIMIT 1`,
      )[0];
      if (!row || row.first_zxid > zxid) return;
      const { events } = this.#one<{ events: ArrayBuffer }>(
        `SELECT events FROM ${this.#changes} WHERE id = ?`,
        row.id,
      );
      const kept = decodeChanges(new Uint8Array(events)).filter((e) => e.zxid > zxid);
      this.#sql.exec(
        `UPDATE ${this.#changes} SET first_zxid = ?, events = ? WHERE id = ?`,
        kept[0]?.zxid ?? zxid + 1,
        encodeChanges(kept),
        row.id,
      );
    }
  }

  clear(): void {
    this.dropCache();
    for (const table of [this.#znode, this.#zsession, this.#metaTable, this.#changes])
      this.#sql.exec(`DELETE FROM ${table}`);
  }
}

const insertColumns =
  "path, parent, name, data, acl, czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, owner, node_type, num_children";
const insertRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/** Sixteen parameters per row, under the runtime's limit of 100 per statement. */
const rowsPerInsert = 6;

/** A node's row in insertColumns order. */
function rowValues(path: string, node: NodeRecord): unknown[] {
  const isRoot = path === "/";
  return [
    path,
    isRoot ? "" : parentOf(path),
    isRoot ? "" : nameOf(path),
    ...contentValues(node),
    node.ephemeralOwner.toString(),
    nodeTypeCode[nodeType(node.ephemeralOwner)],
    node.numChildren,
  ];
}

/** A node's columns from data to aversion, in table order (an insert's and an update's). */
function contentValues(node: NodeRecord): unknown[] {
  return [
    node.data,
    JSON.stringify(node.acl),
    node.czxid,
    node.mzxid,
    node.pzxid,
    node.ctime,
    node.mtime,
    node.version,
    node.cversion,
    node.aversion,
  ];
}

function toNode(r: NodeRow): NodeRecord {
  return {
    data: new Uint8Array(r.data),
    acl: JSON.parse(r.acl) as Acl[],
    czxid: r.czxid,
    mzxid: r.mzxid,
    pzxid: r.pzxid,
    ctime: r.ctime,
    mtime: r.mtime,
    version: r.version,
    cversion: r.cversion,
    aversion: r.aversion,
    ephemeralOwner: BigInt(r.owner),
    numChildren: r.num_children,
  };
}

function toSession(r: SessionRow): SessionRecord {
  return {
    id: BigInt(r.id),
    timeoutMs: r.timeout_ms,
    createdZxid: r.created_zxid,
    lastSeq: r.last_seq,
    lastZxid: r.last_zxid,
    lastResult: new Uint8Array(r.last_result),
  };
}
