// The member's SQLite schema, created in the constructor before any request is delivered, and
// the version check that refuses storage written by a build with a different layout.

import type { Acl } from "../src/core/tree/acl.ts";
import type { EventType, TreeEvent } from "../src/core/tree/tree-event.ts";
import { insertChanges } from "./change-rows.ts";
import { indexConfigEntries, segmentTable } from "./log-segments.ts";
import { rebuildStoredDigests } from "./stored-digests.ts";

/** Bump whenever a statement below changes the layout of existing tables. */
export const schemaVersion = 8;

const znodeColumns = `
       id INTEGER PRIMARY KEY,
       path TEXT NOT NULL UNIQUE,
       parent TEXT NOT NULL,
       name TEXT NOT NULL,
       data BLOB NOT NULL,
       acl TEXT NOT NULL,
       czxid INTEGER NOT NULL,
       mzxid INTEGER NOT NULL,
       pzxid INTEGER NOT NULL,
       ctime INTEGER NOT NULL,
       mtime INTEGER NOT NULL,
       version INTEGER NOT NULL,
       cversion INTEGER NOT NULL,
       aversion INTEGER NOT NULL,
       owner TEXT NOT NULL,
       node_type INTEGER NOT NULL,
       num_children INTEGER NOT NULL`;

/** Versions 2–5: one row per event (the migration to 6 reads it). */
const changeLogColumns = `
       zxid INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       type TEXT NOT NULL,
       path TEXT NOT NULL,
       acl TEXT,
       PRIMARY KEY (zxid, seq)`;

/**
 * The change log from version 6: runs of events in insertion (so zxid) order, each row the
 * events of one flush (change-codec.ts), found by the zxids it spans.
 */
const changeBatchColumns = `
       id INTEGER PRIMARY KEY,
       first_zxid INTEGER NOT NULL,
       last_zxid INTEGER NOT NULL,
       events BLOB NOT NULL`;

/** The znode columns besides the rowid, in table order. */
export const znodeFields =
  "path, parent, name, data, acl, czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, owner, node_type, num_children";

/**
 * The tables of one copy of the tree. The live tree has the bare names; a member also keeps two
 * copies with the same columns in the same order (so `INSERT … SELECT *` moves rows between
 * them): `snap_out_`, the tree frozen for a snapshot being streamed out, and `snap_in_`, a
 * snapshot being received. The copies need only their keys: they are read in key order.
 */
export function treeTableStatements(prefix: string): string[] {
  const p = prefix;
  return [
    // 64-bit owners are TEXT (decimal): SQLite integers reach JavaScript as doubles.
    // A rowid table with a unique path, not WITHOUT ROWID: rows carry up to 1 MiB of data, and
    // a WITHOUT ROWID b-tree holds whole rows in its leaves, so few fit a page and every lookup
    // and insert touches more of them (docs/performance.md: a create 2–3×, a read 3.5× dearer).
    `CREATE TABLE IF NOT EXISTS ${p}znode (${znodeColumns})`,
    `CREATE TABLE IF NOT EXISTS ${p}zsession (
       id TEXT PRIMARY KEY,
       sort_key TEXT NOT NULL,
       timeout_ms INTEGER NOT NULL,
       created_zxid INTEGER NOT NULL,
       last_seq INTEGER NOT NULL,
       last_zxid INTEGER NOT NULL,
       last_result BLOB NOT NULL
     ) WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS ${p}zsession_order ON ${p}zsession (sort_key)`,
    `CREATE TABLE IF NOT EXISTS ${p}tree_meta (
       id INTEGER PRIMARY KEY CHECK (id = 1),
       last_zxid INTEGER NOT NULL,
       digest TEXT NOT NULL,
       node_count INTEGER NOT NULL,
       data_bytes INTEGER NOT NULL,
       change_floor INTEGER NOT NULL
     )`,
    // Keyed by the transaction's zxid and the change's place in it: one b-tree. A rowid table
    // with an index on zxid wrote each change twice and trimmed it twice, and AUTOINCREMENT
    // wrote its counter once per statement (docs/performance.md: rows written per create).
    `CREATE TABLE IF NOT EXISTS ${p}change_batch (${changeBatchColumns})`,
    `CREATE INDEX IF NOT EXISTS ${p}change_batch_last ON ${p}change_batch (last_zxid)`,
  ];
}

/** The copies of the tree a member keeps beside the live one (see treeTableStatements). */
export const snapshotOutPrefix = "snap_out_";
export const snapshotInPrefix = "snap_in_";
/** A backup being restored (restore.ts): staged in a copy of its own, outliving the object. */
export const restorePrefix = "restore_";

/** Run in order on every start; each statement is idempotent. */
export const schemaStatements: readonly string[] = [
  // The log's entries live in segment tables made as it grows (log-segments.ts).
  `CREATE TABLE IF NOT EXISTS raft_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     term INTEGER NOT NULL,
     vote INTEGER,
     commit_idx INTEGER NOT NULL,
     vote_floor INTEGER NOT NULL,
     incarnation INTEGER NOT NULL,
     lead INTEGER,
     snap_idx INTEGER NOT NULL,
     snap_term INTEGER NOT NULL,
     snap_voters TEXT NOT NULL
   )`,
  // The leader's session-expiry schedule (local to the member, not replicated).
  `CREATE TABLE IF NOT EXISTS session_deadline (
     session_id TEXT PRIMARY KEY,
     deadline_ms INTEGER,
     member INTEGER
   )`,
  `CREATE INDEX IF NOT EXISTS session_deadline_by_time ON session_deadline (deadline_ms)`,
  // The member's cost counters, written with the transactions it makes anyway.
  `CREATE TABLE IF NOT EXISTS cost_counters (id INTEGER PRIMARY KEY CHECK (id = 1), counts TEXT NOT NULL)`,
  // A snapshot can pass SQLite's 2 MB row limit, so it is kept in chunks.
  `CREATE TABLE IF NOT EXISTS raft_snapshot_chunk (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)`,
  // When a rate-limited action last ran (member 0 keeps the ensemble's snapshot limit).
  `CREATE TABLE IF NOT EXISTS rate_limit (name TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)`,
  ...treeTableStatements(""),
  `CREATE INDEX IF NOT EXISTS znode_by_parent ON znode (parent, name)`,
  `CREATE INDEX IF NOT EXISTS znode_by_owner ON znode (owner, path) WHERE node_type = 1`,
  `CREATE INDEX IF NOT EXISTS znode_extended ON znode (path) WHERE node_type >= 2`,
  ...treeTableStatements(snapshotOutPrefix),
  ...treeTableStatements(snapshotInPrefix),
];

/** Version n → n + 1, for storage written by the previous build. */
const migrations = new Map<number, (sql: SqlStorage) => void>([
  // 2: the hard state remembers the term's leader, so a woken member needs no election.
  [1, (sql) => sql.exec("ALTER TABLE raft_state ADD COLUMN lead INTEGER")],
  // 3: a deletion's change keeps the node's ACL, so replays check READ after the node is gone.
  [
    2,
    (sql) => {
      for (const p of ["", snapshotOutPrefix, snapshotInPrefix])
        sql.exec(`ALTER TABLE ${p}change_log ADD COLUMN acl TEXT`);
    },
  ],
  // 4: znode rows move to a rowid table (see treeTableStatements); its indexes are made again
  // by the schema statements that run after the migrations.
  [
    3,
    (sql) => {
      for (const p of ["", snapshotOutPrefix, snapshotInPrefix]) {
        sql.exec(`CREATE TABLE ${p}znode_v4 (${znodeColumns})`);
        sql.exec(
          `INSERT INTO ${p}znode_v4 (${znodeFields}) SELECT ${znodeFields} FROM ${p}znode ORDER BY path`,
        );
        sql.exec(`DROP TABLE ${p}znode`);
        sql.exec(`ALTER TABLE ${p}znode_v4 RENAME TO ${p}znode`);
      }
    },
  ],
  // 5: the change log is keyed by (zxid, seq), seq now counting within a transaction; dropping
  // the old table drops its zxid index.
  [
    4,
    (sql) => {
      for (const p of ["", snapshotOutPrefix, snapshotInPrefix]) {
        sql.exec(`CREATE TABLE ${p}change_log_v5 (${changeLogColumns}) WITHOUT ROWID`);
        sql.exec(
          `INSERT INTO ${p}change_log_v5 (zxid, seq, type, path, acl)
           SELECT zxid, row_number() OVER (PARTITION BY zxid ORDER BY seq) - 1, type, path, acl
           FROM ${p}change_log`,
        );
        sql.exec(`DROP TABLE ${p}change_log`);
        sql.exec(`ALTER TABLE ${p}change_log_v5 RENAME TO ${p}change_log`);
      }
    },
  ],
  [
    5,
    (sql) => {
      for (const p of ["", snapshotOutPrefix, snapshotInPrefix]) {
        sql.exec(`CREATE TABLE ${p}change_batch (${changeBatchColumns})`);
        sql.exec(`CREATE INDEX ${p}change_batch_last ON ${p}change_batch (last_zxid)`);
        const rows = sql
          .exec<{ zxid: number; type: string; path: string; acl: string | null }>(
            `SELECT zxid, type, path, acl FROM ${p}change_log ORDER BY zxid, seq`,
          )
          .toArray();
        const events = rows.map((r): TreeEvent => {
          const event = { zxid: r.zxid, type: r.type as EventType, path: r.path };
          return r.acl === null ? event : { ...event, acl: JSON.parse(r.acl) as Acl[] };
        });
        insertChanges(sql, p, events);
        sql.exec(`DROP TABLE ${p}change_log`);
      }
    },
  ],
  // 7: the digests are sums of fingerprint version 2 (a quarter of the steps on a node's data).
  [
    6,
    (sql) =>
      rebuildStoredDigests(
        sql,
        ["", snapshotOutPrefix, snapshotInPrefix, restorePrefix].filter((p) =>
          hasTable(sql, `${p}tree_meta`),
        ),
      ),
  ],
  // 8: the log's one table becomes its first segment (renamed, not copied), so compaction can
  // drop whole segments instead of deleting rows.
  [
    7,
    (sql) => {
      if (!hasTable(sql, "raft_entry")) return;
      const first = sql.exec<{ m: number | null }>("SELECT min(idx) AS m FROM raft_entry").one().m;
      sql.exec("DROP INDEX IF EXISTS raft_entry_config");
      if (first === null) {
        sql.exec("DROP TABLE raft_entry");
        return;
      }
      const table = segmentTable(first);
      sql.exec(`ALTER TABLE raft_entry RENAME TO ${table}`);
      // The segment's own index, as a new segment gets it.
      indexConfigEntries(sql, table);
    },
  ],
]);

/**
 * Creates the schema on empty storage and records its version; on storage that has one, checks
 * the version first. A mismatch throws a precise error instead of letting a statement fail on a
 * missing column halfway through a start. Storage one version behind is migrated in place.
 * Storage at this version is left as it is: every wake from eviction runs this.
 */
export function createSchema(sql: SqlStorage): void {
  const existing = sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('raft_state', 'schema_info')",
    )
    .toArray()
    .map((row) => row.name);
  if (existing.includes("raft_state")) {
    const stored = existing.includes("schema_info")
      ? (sql.exec<{ version: number }>("SELECT version FROM schema_info WHERE id = 1").toArray()[0]
          ?.version ?? 0)
      : 0;
    if (stored === schemaVersion) return;
    let version = stored;
    while (version < schemaVersion && migrations.has(version)) {
      migrations.get(version)?.(sql);
      version++;
    }
    if (version === schemaVersion)
      sql.exec("UPDATE schema_info SET version = ? WHERE id = 1", schemaVersion);
    else
      throw new Error(
        `member storage has schema version ${stored}, this build needs ${schemaVersion}: ` +
          "start from empty storage (locally: delete .wrangler/state) or run the build that wrote it",
      );
  }
  for (const statement of schemaStatements) sql.exec(statement);
  sql.exec(
    "CREATE TABLE IF NOT EXISTS schema_info (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
  );
  sql.exec("INSERT OR IGNORE INTO schema_info (id, version) VALUES (1, ?)", schemaVersion);
}

/** Whether `name` is a table of this storage (a read that creates nothing). */
export function hasTable(sql: SqlStorage, name: string): boolean {
  return (
    sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray()
      .length > 0
  );
}
