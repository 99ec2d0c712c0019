// The member's SQLite schema, created in the constructor before any request is delivered.

/** Run in order on every start; each statement is idempotent. */
export const schemaStatements: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS raft_entry (
     idx INTEGER PRIMARY KEY,
     term INTEGER NOT NULL,
     kind INTEGER NOT NULL,
     data BLOB NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS raft_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     term INTEGER NOT NULL,
     vote INTEGER,
     commit_idx INTEGER NOT NULL,
     vote_floor INTEGER NOT NULL,
     incarnation INTEGER NOT NULL,
     snap_idx INTEGER NOT NULL,
     snap_term INTEGER NOT NULL,
     snap_voters TEXT NOT NULL
   )`,
  // A snapshot can pass SQLite's 2 MB row limit, so it is kept in chunks.
  `CREATE TABLE IF NOT EXISTS raft_snapshot_chunk (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)`,
  // 64-bit owners are TEXT (decimal): SQLite integers reach JavaScript as doubles.
  `CREATE TABLE IF NOT EXISTS znode (
     path TEXT PRIMARY KEY,
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
     num_children INTEGER NOT NULL
   ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS znode_by_parent ON znode (parent, name)`,
  `CREATE INDEX IF NOT EXISTS znode_by_owner ON znode (owner, path) WHERE node_type = 1`,
  `CREATE INDEX IF NOT EXISTS znode_extended ON znode (path) WHERE node_type >= 2`,
  `CREATE TABLE IF NOT EXISTS zsession (
     id TEXT PRIMARY KEY,
     sort_key TEXT NOT NULL,
     timeout_ms INTEGER NOT NULL,
     created_zxid INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     last_zxid INTEGER NOT NULL,
     last_result BLOB NOT NULL
   ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS zsession_order ON zsession (sort_key)`,
  `CREATE TABLE IF NOT EXISTS tree_meta (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     last_zxid INTEGER NOT NULL,
     digest TEXT NOT NULL,
     node_count INTEGER NOT NULL,
     data_bytes INTEGER NOT NULL,
     change_floor INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS change_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     zxid INTEGER NOT NULL,
     type TEXT NOT NULL,
     path TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS change_log_zxid ON change_log (zxid)`,
];

export function createSchema(sql: SqlStorage): void {
  for (const statement of schemaStatements) sql.exec(statement);
}
