// The member's SQLite implementations of the consensus and tree storage interfaces, run through
// the same conformance suites as the in-memory twins, inside workerd.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { KnownChildren, knownChildrenMax } from "../../durable-objects/known-children.ts";
import type { Member } from "../../durable-objects/member.ts";
import { createSchema, hasTable, schemaVersion } from "../../durable-objects/schema.ts";
import { SqlRaftStorage } from "../../durable-objects/sql-raft-storage.ts";
import { SqlTreeStore } from "../../durable-objects/sql-tree-store.ts";
import { recomputedDigest } from "../../src/core/tree/tree-digest.ts";
import {
  hardStateStorageConformance,
  logStorageConformance,
} from "../conformance/consensus-storage.ts";
import { treeStoreConformance } from "../conformance/tree-store.ts";

let instances = 0;

/**
 * Runs a test body inside a fresh Durable Object (outside any ensemble, so it makes no tables of
 * its own: the schema is made here), on a store over its SQLite.
 */
function fresh<S>(make: (sql: SqlStorage) => S) {
  return (body: (store: S) => void | Promise<void>): Promise<void> => {
    const stub = env.MEMBER.getByName(`conformance/${instances++}`);
    return runInDurableObject(stub, (_: Member, state) => {
      createSchema(state.storage.sql);
      return body(make(state.storage.sql));
    });
  };
}

/** Runs a test body inside a fresh member object (outside any ensemble) on the schema, made here. */
function inFreshMember(body: (sql: SqlStorage, state: DurableObjectState) => void): Promise<void> {
  return runInDurableObject(env.MEMBER.get(env.MEMBER.newUniqueId()), (_: Member, state) => {
    createSchema(state.storage.sql);
    body(state.storage.sql, state);
  });
}

logStorageConformance(
  "SqlRaftStorage",
  fresh((sql) => new SqlRaftStorage(sql)),
);
hardStateStorageConformance(
  "SqlRaftStorage",
  fresh((sql) => new SqlRaftStorage(sql)),
);
treeStoreConformance(
  "SqlTreeStore",
  fresh((sql) => new SqlTreeStore(sql)),
);
// The live tree's buffered store: reads see the batch before it is flushed...
treeStoreConformance(
  "SqlTreeStore (buffered)",
  fresh((sql) => new SqlTreeStore(sql, "", { buffered: true })),
);
// ...and what a flush writes is what a store that reads SQLite afresh finds.
treeStoreConformance(
  "SqlTreeStore (buffered, each write flushed, read back uncached)",
  fresh((sql) => flushedAndReread(sql)),
);

const storeReads = new Set([
  "getNode",
  "getSession",
  "ephemeralPaths",
  "subtreeUsage",
  "sessionCount",
  "childNames",
  "countDescendants",
  "extendedNodes",
  "nodesAfter",
  "sessionsAfter",
  "getMeta",
  "changesBetween",
]);

/** Writes go through a buffered store and are flushed at once; every read asks SQLite anew. */
function flushedAndReread(sql: SqlStorage): SqlTreeStore {
  const writer = new SqlTreeStore(sql, "", { buffered: true });
  return new Proxy(writer, {
    get(target, key) {
      if (typeof key === "string" && storeReads.has(key)) {
        return (...args: unknown[]) => {
          const reader = new SqlTreeStore(sql) as unknown as Record<
            string,
            (...a: unknown[]) => unknown
          >;
          return reader[key]?.(...args);
        };
      }
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        target.flush();
        return result;
      };
    },
  });
}

describe("schema version", () => {
  it("records its version and refuses storage written with another one", async () => {
    const stub = env.MEMBER.get(env.MEMBER.newUniqueId());
    await runInDurableObject(stub, (_: Member, state) => {
      const sql = state.storage.sql;
      createSchema(sql);
      expect(sql.exec("SELECT version FROM schema_info").one()).toEqual({ version: schemaVersion });
      createSchema(sql); // a restart with the same build
      sql.exec("UPDATE schema_info SET version = ?", schemaVersion + 1);
      expect(() => createSchema(sql)).toThrow(
        `member storage has schema version ${schemaVersion + 1}, this build needs ${schemaVersion}`,
      );
      // Storage from before versions were recorded counts as version 0.
      sql.exec("DROP TABLE schema_info");
      expect(() => createSchema(sql)).toThrow("schema version 0");
    });
  });

  it("spreads a large run of events over rows, and trims a row reaching past the floor to what is above it", async () => {
    await inFreshMember((sql) => {
      const store = new SqlTreeStore(sql);
      // One transaction's worth of events too large for one row (long paths), then two more.
      const long = "/".concat("p".repeat(2000));
      const big = Array.from({ length: 300 }, (_, i) => ({
        zxid: 5 + Math.floor(i / 100),
        type: "NodeCreated" as const,
        path: `${long}${i}`,
      }));
      store.appendChanges(big);
      store.appendChanges([
        { zxid: 9, type: "NodeDataChanged", path: "/x" },
        { zxid: 10, type: "NodeDataChanged", path: "/y" },
      ]);
      const rows = () =>
        sql.exec("SELECT first_zxid, last_zxid FROM change_batch ORDER BY id").toArray();
      expect(rows().length).toBeGreaterThan(2);
      expect(store.changesBetween(0, 100)).toEqual([
        ...big,
        { zxid: 9, type: "NodeDataChanged", path: "/x" },
        { zxid: 10, type: "NodeDataChanged", path: "/y" },
      ]);
      expect(store.changesBetween(5, 6).map((e) => e.path)).toEqual(
        big.filter((e) => e.zxid === 6).map((e) => e.path),
      );
      // The floor falls inside the big run: what is at or below it is gone, the rest stays.
      store.dropChangesThrough(6);
      expect(store.changesBetween(0, 100).map((e) => e.zxid)).toEqual([
        ...big.filter((e) => e.zxid > 6).map((e) => e.zxid),
        9,
        10,
      ]);
      expect(rows().every((r) => (r.first_zxid as number) > 6)).toBe(true);
      store.dropChangesThrough(9);
      expect(store.changesBetween(0, 100)).toEqual([
        { zxid: 10, type: "NodeDataChanged", path: "/y" },
      ]);
      expect(rows()).toEqual([{ first_zxid: 10, last_zxid: 10 }]);
    });
  });

  it("migrates storage of earlier versions in place, keeping the hard state", async () => {
    await inFreshMember((sql) => {
      new SqlRaftStorage(sql).save({
        term: 3,
        vote: 1,
        commit: 0,
        voteFloor: 0,
        incarnation: 9,
        lead: 1,
      });
      // Version 1's layout: no leader in the hard state, no session or counter tables.
      sql.exec("ALTER TABLE raft_state DROP COLUMN lead");
      sql.exec("DROP TABLE session_deadline");
      sql.exec("DROP TABLE cost_counters");
      // Versions 1–4: the change log is a rowid table with an index on zxid; version 2's change
      // carries no ACL. Two changes of one transaction (a multi) and one of the next.
      for (const p of ["", "snap_out_", "snap_in_"]) {
        sql.exec(`DROP TABLE ${p}change_batch`);
        sql.exec(
          `CREATE TABLE ${p}change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, zxid INTEGER NOT NULL,
             type TEXT NOT NULL, path TEXT NOT NULL)`,
        );
      }
      sql.exec("CREATE INDEX change_log_zxid ON change_log (zxid)");
      sql.exec(
        `INSERT INTO change_log (zxid, type, path) VALUES
           (10, 'NodeCreated', '/a'), (10, 'NodeDeleted', '/b'), (11, 'NodeDataChanged', '/a')`,
      );
      // Version 3's: znode rows in a WITHOUT ROWID table keyed by path, holding a node.
      const store = new SqlTreeStore(sql);
      store.putNode("/kept", {
        data: new Uint8Array([7, 8]),
        acl: [{ perms: 31, scheme: "world", id: "anyone" }],
        czxid: 5,
        mzxid: 6,
        pzxid: 7,
        ctime: 1,
        mtime: 2,
        version: 3,
        cversion: 4,
        aversion: 0,
        ephemeralOwner: 99n,
        numChildren: 0,
      });
      const kept = store.getNode("/kept");
      for (const p of ["", "snap_out_", "snap_in_"]) {
        sql.exec(`ALTER TABLE ${p}znode RENAME TO ${p}znode_new`);
        sql.exec(
          `CREATE TABLE ${p}znode (path TEXT PRIMARY KEY, parent TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL,
             acl TEXT NOT NULL, czxid INTEGER NOT NULL, mzxid INTEGER NOT NULL, pzxid INTEGER NOT NULL, ctime INTEGER NOT NULL,
             mtime INTEGER NOT NULL, version INTEGER NOT NULL, cversion INTEGER NOT NULL, aversion INTEGER NOT NULL,
             owner TEXT NOT NULL, node_type INTEGER NOT NULL, num_children INTEGER NOT NULL) WITHOUT ROWID`,
        );
        sql.exec(
          `INSERT INTO ${p}znode SELECT path, parent, name, data, acl, czxid, mzxid, pzxid, ctime, mtime, version,
             cversion, aversion, owner, node_type, num_children FROM ${p}znode_new`,
        );
        sql.exec(`DROP TABLE ${p}znode_new`);
      }
      sql.exec("UPDATE schema_info SET version = 1");
      createSchema(sql);
      expect(sql.exec("SELECT version FROM schema_info").one()).toEqual({
        version: schemaVersion,
      });
      const after = new SqlTreeStore(sql);
      expect(after.changesBetween(9, 11)).toEqual([
        { zxid: 10, type: "NodeCreated", path: "/a" },
        { zxid: 10, type: "NodeDeleted", path: "/b" },
        { zxid: 11, type: "NodeDataChanged", path: "/a" },
      ]);
      // Version 6: the three events are one row of the change log, spanning their zxids.
      expect(sql.exec("SELECT first_zxid, last_zxid FROM change_batch").toArray()).toEqual([
        { first_zxid: 10, last_zxid: 11 },
      ]);
      expect(
        sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'change_log_zxid'").one(),
      ).toEqual({ n: 0 });
      expect(after.getNode("/kept")).toEqual(kept);
      expect(after.ephemeralPaths(99n)).toEqual(["/kept"]);
      const indexes = sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'znode'",
        )
        .toArray()
        .map((r) => r.name);
      expect(indexes).toEqual(
        expect.arrayContaining(["znode_by_parent", "znode_by_owner", "znode_extended"]),
      );
      for (const p of ["", "snap_out_", "snap_in_"]) {
        expect(hasTable(sql, `${p}change_log`), p).toBe(false);
        expect(hasTable(sql, `${p}change_batch`), p).toBe(true);
      }
      expect(new SqlRaftStorage(sql).load()).toEqual({
        term: 3,
        vote: 1,
        commit: 0,
        voteFloor: 0,
        incarnation: 9,
        lead: null,
      });
      expect(sql.exec("SELECT count(*) AS n FROM session_deadline").one()).toEqual({ n: 0 });
    });
  });
});

describe("the migration to version 8", () => {
  const v7Log = (sql: SqlStorage) => {
    sql.exec(
      "CREATE TABLE raft_entry (idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, kind INTEGER NOT NULL, data BLOB NOT NULL)",
    );
    sql.exec("CREATE INDEX raft_entry_config ON raft_entry (idx) WHERE kind = 2");
  };

  it("renames the log's table to its first segment, with the segment's index", async () => {
    await inFreshMember((sql) => {
      v7Log(sql);
      sql.exec(
        "INSERT INTO raft_entry (idx, term, kind, data) VALUES (41, 3, 0, x'01'), (42, 3, 2, x'000100020000'), (43, 4, 1, x'')",
      );
      sql.exec("UPDATE schema_info SET version = 7");
      createSchema(sql);
      expect(sql.exec("SELECT version FROM schema_info").one()).toEqual({ version: 8 });
      expect(hasTable(sql, "raft_entry")).toBe(false);
      expect(hasTable(sql, "raft_log_41")).toBe(true);
      const names = sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'raft_log_41'",
        )
        .toArray()
        .map((r) => r.name);
      expect(names).toEqual(["raft_log_41_config"]);
      const log = new SqlRaftStorage(sql);
      expect(log.lastIndex()).toBe(43);
      expect(log.entries(41, 44).map((e) => [e.index, e.term, e.kind])).toEqual([
        [41, 3, "normal"],
        [42, 3, "config"],
        [43, 4, "noop"],
      ]);
      expect(log.configEntries().map((e) => e.index)).toEqual([42]);
      log.append([{ index: 44, term: 4, kind: "normal", data: new Uint8Array([9]) }]);
      expect(new SqlRaftStorage(sql).entries(43, 45).map((e) => e.index)).toEqual([43, 44]);
    });
  });

  it("drops an empty log table", async () => {
    await inFreshMember((sql) => {
      v7Log(sql);
      sql.exec("UPDATE schema_info SET version = 7");
      createSchema(sql);
      expect(hasTable(sql, "raft_entry")).toBe(false);
      expect(
        sql
          .exec(
            "SELECT count(*) AS n FROM sqlite_master WHERE name GLOB 'raft_*' AND name != 'raft_state' AND name != 'raft_snapshot_chunk'",
          )
          .one(),
      ).toEqual({ n: 0 });
      expect(new SqlRaftStorage(sql).lastIndex()).toBe(0);
    });
  });
});

describe("the migration to version 7", () => {
  it("takes each stored tree's digest again with fingerprint version 2", async () => {
    await inFreshMember((sql) => {
      const node = (data: string, owner = 0n) => ({
        ...nodeRecord(new TextEncoder().encode(data), 3),
        acl: [{ perms: 31, scheme: "world", id: "anyone" }],
        ephemeralOwner: owner,
      });
      // Version 6 kept running sums of version-1 fingerprints, in the live tree and its copies.
      const stores = ["", "snap_out_"].map((prefix) => new SqlTreeStore(sql, prefix));
      for (const [i, store] of stores.entries()) {
        store.putNode("/", { ...node(""), numChildren: 2 });
        store.putNode("/a", node("alpha"));
        store.putNode(`/b${i}`, node("x".repeat(1000 + i), 77n));
        store.putSession({
          id: 77n,
          timeoutMs: 30000,
          createdZxid: 3,
          lastSeq: 4,
          lastZxid: 6,
          lastResult: new Uint8Array([1, 2, 3]),
        });
        const digest = recomputedDigest(store, 1);
        store.putMeta({
          lastZxid: 6,
          digest,
          nodeCount: 3,
          dataBytes: 1005 + i,
          changeFloorZxid: 0,
        });
      }
      const before = stores.map((s) => s.getMeta()?.digest);
      sql.exec("UPDATE schema_info SET version = 6");
      createSchema(sql);
      expect(sql.exec("SELECT version FROM schema_info").one()).toEqual({ version: schemaVersion });
      for (const [i, prefix] of ["", "snap_out_"].entries()) {
        const after = new SqlTreeStore(sql, prefix);
        const meta = after.getMeta();
        expect(meta?.digest, prefix).toBe(recomputedDigest(after));
        expect(meta?.digest, prefix).not.toBe(before[i]);
        expect(meta, prefix).toMatchObject({ lastZxid: 6, nodeCount: 3, dataBytes: 1005 + i });
      }
      // The two trees differ, and so do their digests: each was taken from its own rows.
      expect(new SqlTreeStore(sql, "").getMeta()?.digest).not.toBe(
        new SqlTreeStore(sql, "snap_out_").getMeta()?.digest,
      );
      expect(new SqlTreeStore(sql, "snap_in_").getMeta()).toBeUndefined();
    });
  });
});

describe("SqlRaftStorage terms", () => {
  it("answers every index's term after appends that overwrite, compaction and a restart", async () => {
    await inFreshMember((sql) => {
      const entry = (index: number, term: number) =>
        ({ index, term, kind: "normal", data: new Uint8Array([index]) }) as const;
      const storage = new SqlRaftStorage(sql);
      storage.append([1, 1, 2, 2, 2, 3].map((t, i) => entry(i + 1, t)));
      // A new leader's entries replace the tail from index 5.
      storage.append([entry(5, 4), entry(6, 4), entry(7, 5)]);
      const expected = [1, 1, 2, 2, 4, 4, 5];
      expect(expected.map((_, i) => storage.term(i + 1))).toEqual(expected);
      storage.compact({ meta: { index: 3, term: 2, voters: [0, 1, 2] }, data: new Uint8Array() });
      expect([3, 4, 5, 6, 7].map((i) => storage.term(i))).toEqual([2, 2, 4, 4, 5]);
      expect(storage.term(2)).toBeUndefined();
      expect(storage.term(8)).toBeUndefined();
      const reopened = new SqlRaftStorage(sql);
      expect([3, 4, 5, 6, 7].map((i) => reopened.term(i))).toEqual([2, 2, 4, 4, 5]);
      expect(reopened.entries(4, 8).map((e) => e.term)).toEqual([2, 4, 4, 5]);
      // A snapshot's learners and a configuration entry survive a restart too.
      reopened.installSnapshot({
        meta: { index: 9, term: 5, voters: [0, 1, 3], learners: [4] },
        data: new Uint8Array(),
      });
      reopened.append([
        { index: 10, term: 5, kind: "config", data: new Uint8Array([0, 1, 0, 3, 0, 0]) },
      ]);
      const again = new SqlRaftStorage(sql);
      expect(again.snapshot().meta).toEqual({
        index: 9,
        term: 5,
        voters: [0, 1, 3],
        learners: [4],
      });
      expect(again.configEntries().map((e) => [e.index, e.kind, [...e.data]])).toEqual([
        [10, "config", [0, 1, 0, 3, 0, 0]],
      ]);
      // The segment's partial index serves the lookup: no scan of the log.
      const plan = sql
        .exec<{ detail: string }>(
          "EXPLAIN QUERY PLAN SELECT idx FROM raft_log_10 WHERE kind = 2 AND idx > 9 ORDER BY idx",
        )
        .toArray()
        .map((r) => r.detail)
        .join("; ");
      expect(plan).toContain("raft_log_10_config");
    });
  });
});

describe("SqlRaftStorage segments", () => {
  const entry = (index: number, term: number, bytes = 2) => ({
    index,
    term,
    kind: "normal" as const,
    data: new Uint8Array(bytes).fill(index & 0xff),
  });
  const config = (index: number, term: number) => ({
    index,
    term,
    kind: "config" as const,
    data: new Uint8Array([0, 1, 0, 2, 0, 0]),
  });
  const segments = (sql: SqlStorage) =>
    sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'raft_log_*' ORDER BY rowid",
      )
      .toArray()
      .map((r) => r.name);

  it("compacts by dropping whole segments, and reads the same after a restart as before", async () => {
    await inFreshMember((sql) => {
      const limits = { maxEntries: 100, maxBytes: 1 << 30 };
      const log = new SqlRaftStorage(sql, limits);
      const all = Array.from({ length: 1000 }, (_, i) =>
        i + 1 === 520 || i + 1 === 700
          ? config(i + 1, 1 + Math.floor(i / 300))
          : entry(i + 1, 1 + Math.floor(i / 300)),
      );
      for (let i = 0; i < all.length; i += 50) log.append(all.slice(i, i + 50));
      expect(segments(sql)).toEqual(
        Array.from({ length: 10 }, (_, k) => `raft_log_${k * 100 + 1}`),
      );
      log.compact({ meta: { index: 550, term: 2, voters: [0, 1, 2] }, data: new Uint8Array() });
      // Segments ending at 100, …, 500 are gone; the one holding 501–600 straddles the snapshot.
      expect(segments(sql)[0]).toBe("raft_log_501");
      expect(segments(sql)).toHaveLength(5);
      expect(log.firstIndex()).toBe(551);
      expect(log.term(550)).toBe(2);
      expect(log.term(549)).toBeUndefined();
      expect(log.entries(551, 1001)).toEqual(all.slice(550));
      for (const reopened of [log, new SqlRaftStorage(sql, limits)]) {
        expect(reopened.firstIndex()).toBe(551);
        expect(reopened.lastIndex()).toBe(1000);
        expect(reopened.entries(551, 1001)).toEqual(all.slice(550));
        expect([551, 600, 601, 900, 901, 1000].map((i) => reopened.term(i))).toEqual([
          2, 2, 3, 3, 4, 4,
        ]);
        // The configuration entry at 520 outlived compaction as a row, not as an entry.
        expect(reopened.configEntries().map((e) => e.index)).toEqual([700]);
      }
      // A new leader's entries from 750 drop the later segments and cut the one holding 750.
      log.append([entry(750, 5), entry(751, 5)]);
      expect(segments(sql)).toEqual(["raft_log_501", "raft_log_601", "raft_log_701"]);
      const after = new SqlRaftStorage(sql, limits);
      for (const l of [log, after]) {
        expect(l.lastIndex()).toBe(751);
        expect(l.entries(748, 752).map((e) => e.term)).toEqual([3, 3, 5, 5]);
      }
      // Compacting through the last index leaves no segment; the next append starts one.
      after.compact({ meta: { index: 751, term: 5, voters: [0, 1, 2] }, data: new Uint8Array() });
      expect(segments(sql)).toEqual([]);
      after.append([entry(752, 5)]);
      expect(segments(sql)).toEqual(["raft_log_752"]);
      expect(new SqlRaftStorage(sql, limits).entries(752, 753)).toEqual([entry(752, 5)]);
      after.installSnapshot({ meta: { index: 900, term: 6, voters: [0] }, data: new Uint8Array() });
      expect(segments(sql)).toEqual([]);
      expect(new SqlRaftStorage(sql, limits).lastIndex()).toBe(900);
    });
  });

  it("starts a new segment once one holds its bytes, counting what it held before a restart", async () => {
    await inFreshMember((sql) => {
      const limits = { maxEntries: 1000, maxBytes: 1000 };
      const log = new SqlRaftStorage(sql, limits);
      log.append([entry(1, 1, 600)]);
      const reopened = new SqlRaftStorage(sql, limits);
      reopened.append([entry(2, 1, 600)]);
      reopened.append([entry(3, 1, 600)]);
      reopened.append([entry(4, 1, 600), entry(5, 1, 600)]);
      expect(segments(sql)).toEqual(["raft_log_1", "raft_log_3"]);
      reopened.append([entry(6, 1, 10)]);
      expect(segments(sql)).toEqual(["raft_log_1", "raft_log_3", "raft_log_6"]);
      expect(new SqlRaftStorage(sql, limits).entries(1, 7).map((e) => e.data.length)).toEqual([
        600, 600, 600, 600, 600, 10,
      ]);
    });
  });
});

describe("SqlRaftStorage tail", () => {
  it("reads entries from memory and from SQLite alike, past the tail it keeps and after a restart", async () => {
    await inFreshMember((sql) => {
      const log = new SqlRaftStorage(sql);
      const entry = (index: number, term: number) => ({
        index,
        term,
        kind: "normal" as const,
        data: new Uint8Array([index & 0xff, term]),
      });
      for (let i = 1; i <= 3000; i += 100)
        log.append(Array.from({ length: 100 }, (_, k) => entry(i + k, 1)));
      log.append([entry(2990, 2), entry(2991, 2)]); // over a conflicting suffix
      const reopened = new SqlRaftStorage(sql);
      for (const [lo, hi] of [
        [1, 2992],
        [1500, 1600],
        [2900, 2992],
        [2991, 2992],
      ] as const) {
        expect(log.entries(lo, hi)).toEqual(reopened.entries(lo, hi));
      }
      expect(log.lastIndex()).toBe(2991);
      expect(log.entries(2989, 2992).map((e) => e.term)).toEqual([1, 2, 2]);
      log.compact({ meta: { index: 2990, term: 2, voters: [0] }, data: new Uint8Array() });
      expect(log.entries(2991, 2992)).toEqual([entry(2991, 2)]);
    });
  });
});

describe("SqlTreeStore buffer", () => {
  const record = (data: number, numChildren: number, owner = 0n) => ({
    data: new Uint8Array([data]),
    acl: [],
    czxid: 1,
    mzxid: data,
    pzxid: 1,
    ctime: 0,
    mtime: 0,
    version: data,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: owner,
    numChildren,
  });

  /** A buffered live store on a fresh member's schema. */
  const withBufferedStore = (body: (sql: SqlStorage, store: SqlTreeStore) => void) =>
    inFreshMember((sql) => body(sql, new SqlTreeStore(sql, "", { buffered: true })));

  it("inserts many new rows of one flush several to a statement, each exactly", async () => {
    await withBufferedStore((sql, store) => {
      store.putNode("/p", record(1, 0));
      // 20 new rows (not a multiple of a statement's rows), then an update of their parent.
      for (let i = 0; i < 20; i++) store.createNode(`/p/n${i}`, record(i + 2, 0, BigInt(i % 2)));
      store.putNode("/p", record(2, 20));
      store.flush();
      const fresh = new SqlTreeStore(sql);
      expect(fresh.childNames("/p", undefined, 100)).toHaveLength(20);
      for (let i = 0; i < 20; i++)
        expect(fresh.getNode(`/p/n${i}`)).toEqual(record(i + 2, 0, BigInt(i % 2)));
      expect(fresh.getNode("/p")).toEqual(record(2, 20));
      expect(fresh.ephemeralPaths(1n)).toHaveLength(10);
      // The buffer counts the data it holds: a row set again replaces its earlier bytes.
      const counted = new SqlTreeStore(sql, "", { buffered: true });
      for (let i = 0; i < 5; i++)
        counted.putNode("/p/n0", { ...record(i, 0), data: new Uint8Array(100) });
      counted.createNode("/p/extra", { ...record(1, 0), data: new Uint8Array(40) });
      expect(counted.pendingBytes).toBe(140);
      counted.flush();
      expect(counted.pendingBytes).toBe(0);
      // A row that is there after all fails the flush, as a single insert did.
      const again = new SqlTreeStore(sql, "", { buffered: true });
      for (const name of ["a", "n3", "b"]) again.createNode(`/p/${name}`, record(9, 0));
      expect(() => again.flush()).toThrow("1 of the 3 nodes created since the last flush");
      expect(fresh.getNode("/p/n3")).toEqual(record(5, 0, 1n));
    });
  });

  it("writes a batch's last word on each row, in place or anew, and nothing before flush", async () => {
    await withBufferedStore((sql, store) => {
      store.putNode("/p", record(1, 0));
      store.putNode("/gone", record(1, 0));
      store.putNode("/owned", record(1, 0, 7n));
      store.flush();
      const fresh = () => new SqlTreeStore(sql);
      const rows = () => sql.exec("SELECT count(*) AS n FROM znode").one().n;
      const before = rows();
      for (let i = 2; i <= 5; i++) store.putNode("/p", record(i, i - 1)); // updated in place
      store.deleteNode("/gone");
      store.putNode("/gone", record(9, 0)); // deleted and created again in one batch
      store.deleteNode("/owned");
      store.putNode("/owned", record(3, 0, 8n)); // created again by another owner
      store.putNode("/new", record(4, 0));
      store.deleteNode("/new"); // created and deleted: never written
      store.appendChanges([{ zxid: 2, type: "NodeCreated", path: "/x" }]);
      store.dropChangesThrough(1);
      expect(fresh().getNode("/p")?.version).toBe(1); // nothing reached SQLite yet
      expect(store.getNode("/p")?.version).toBe(5); // but the store reads its batch
      store.flush();
      expect(rows()).toBe(before);
      expect(fresh().getNode("/p")).toEqual(record(5, 4));
      expect(fresh().getNode("/gone")).toEqual(record(9, 0));
      expect(fresh().getNode("/owned")).toEqual(record(3, 0, 8n));
      expect(fresh().ephemeralPaths(8n)).toEqual(["/owned"]);
      expect(fresh().ephemeralPaths(7n)).toEqual([]);
      expect(fresh().getNode("/new")).toBeUndefined();
      expect(fresh().changesBetween(0, 10)).toEqual([{ zxid: 2, type: "NodeCreated", path: "/x" }]);
    });
  });

  it("drops a rolled-back transaction's buffered writes with its cached reads", async () => {
    await inFreshMember((sql, state) => {
      const store = new SqlTreeStore(sql, "", { buffered: true });
      expect(() =>
        state.storage.transactionSync(() => {
          store.putNode("/rolled", record(1, 0));
          store.flush();
          throw new Error("abort");
        }),
      ).toThrow("abort");
      store.putNode("/unflushed", record(1, 0));
      store.dropCache();
      expect(store.getNode("/rolled")).toBeUndefined();
      expect(store.getNode("/unflushed")).toBeUndefined();
      store.flush();
      expect(new SqlTreeStore(sql).getNode("/unflushed")).toBeUndefined();
    });
  });
});

/** A persistent node holding `data`, at data version `version`. */
const nodeRecord = (data: Uint8Array, version = 0) => ({
  data,
  acl: [],
  czxid: 1,
  mzxid: 1,
  pzxid: 1,
  ctime: 0,
  mtime: 0,
  version,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  numChildren: 0,
});

describe("SqlTreeStore cache", () => {
  it("keeps within its bounds, dropping the least recently used, and reads evicted nodes back", async () => {
    await inFreshMember((sql) => {
      const store = new SqlTreeStore(sql);
      const node = (fill: number) => nodeRecord(new Uint8Array(8192).fill(fill), fill);
      // 1,500 × 8 KiB is past the 8 MiB the cache may hold; /n0 is read often, so it stays.
      for (let i = 0; i < 1500; i++) {
        store.putNode(`/n${i}`, node(i % 200));
        expect(store.getNode("/n0")?.version).toBe(0);
      }
      expect(store.cached.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
      expect(store.cached.nodes).toBeGreaterThan(800);
      // Changed behind the cache's back: an evicted node is read again, a cached one is not.
      sql.exec("UPDATE znode SET version = 999 WHERE path IN ('/n1', '/n0', '/n1499')");
      expect(store.getNode("/n1")?.version).toBe(999);
      expect(store.getNode("/n0")?.version).toBe(0);
      expect(store.getNode("/n1499")?.version).toBe(1499 % 200);
      for (let i = 2; i < 1499; i++) expect(store.getNode(`/n${i}`)?.data[0]).toBe(i % 200);
      expect(store.cached.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
      // A node written again is replaced in place: the cache counts its latest bytes only.
      const fresh = new SqlTreeStore(sql);
      for (let i = 0; i < 10; i++) fresh.putNode("/again", nodeRecord(new Uint8Array(100), i));
      expect(fresh.cached).toEqual({ nodes: 1, bytes: 100 });
      fresh.putNode("/again", nodeRecord(new Uint8Array(40), 10));
      expect(fresh.cached).toEqual({ nodes: 1, bytes: 40 });
      fresh.deleteNode("/again");
      expect(fresh.cached).toEqual({ nodes: 1, bytes: 0 });
      expect(fresh.getNode("/again")).toBeUndefined();
    });
  });

  it("forgets reads of a rolled-back transaction when told to", async () => {
    await inFreshMember((sql, state) => {
      const store = new SqlTreeStore(sql);
      const node = nodeRecord(new Uint8Array([1]));
      expect(store.getNode("/rolled")).toBeUndefined(); // cached as absent
      expect(() =>
        state.storage.transactionSync(() => {
          store.putNode("/rolled", node);
          throw new Error("abort");
        }),
      ).toThrow("abort");
      expect(store.getNode("/rolled")).toBeDefined(); // the cache still holds the write
      store.dropCache();
      expect(store.getNode("/rolled")).toBeUndefined();
      expect(new SqlTreeStore(sql).getNode("/rolled")).toBeUndefined();
    });
  });
});

describe("SqlTreeStore known children", () => {
  /** The SELECTs on the znode table that `body` makes through `sql`. */
  function znodeSelects(sql: SqlStorage, body: (counted: SqlStorage) => void): number {
    let n = 0;
    const counted = new Proxy(sql, {
      get(target, key) {
        if (key === "exec")
          return (query: string, ...bindings: SqlStorageValue[]) => {
            if (/^SELECT .* FROM znode /s.test(query)) n++;
            return target.exec(query, ...bindings);
          };
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    body(counted);
    return n;
  }

  it("answers a miss below a node it created without a query, and finds what was written there", async () => {
    await inFreshMember((sql) => {
      let store = new SqlTreeStore(sql, "", { buffered: true });
      const selects = znodeSelects(sql, (counted) => {
        store = new SqlTreeStore(counted, "", { buffered: true });
        store.followChildren(true);
        store.createNode("/p", nodeRecord(new Uint8Array([1])));
        store.createNode("/p/a", nodeRecord(new Uint8Array([2])));
        store.flush();
        for (let i = 0; i < 50; i++) expect(store.getNode(`/p/new-${i}`)).toBeUndefined();
        expect(store.getNode("/p/a/below")).toBeUndefined();
      });
      expect(selects).toBe(0);
      // A write through putNode below it (a create the store is not told about) is found.
      store.putNode("/p/b", nodeRecord(new Uint8Array([3])));
      store.flush();
      store.dropCache(); // forgets the known children too: what follows asks SQLite
      expect(new SqlTreeStore(sql).getNode("/p/b")?.data).toEqual(new Uint8Array([3]));
      // Below a node it did not create (read back from SQLite), a miss still asks; and a store
      // that does not follow children (a follower's) always asks.
      const follows = (counted: SqlStorage) => {
        const s = new SqlTreeStore(counted);
        s.followChildren(true);
        return s;
      };
      expect(znodeSelects(sql, (counted) => follows(counted).getNode("/p/zz"))).toBe(1);
      expect(
        znodeSelects(sql, (counted) => {
          const s = new SqlTreeStore(counted);
          s.createNode("/r", nodeRecord(new Uint8Array([1])));
          expect(s.getNode("/r/new")).toBeUndefined();
        }),
      ).toBe(1);
    });
  });

  it("deletes a row below a node it created, and forgets a deleted node's children", async () => {
    await inFreshMember((sql) => {
      const store = new SqlTreeStore(sql, "", { buffered: true });
      store.followChildren(true);
      store.createNode("/q", nodeRecord(new Uint8Array([1])));
      store.createNode("/q/a", nodeRecord(new Uint8Array([2])));
      store.createNode("/q/a/x", nodeRecord(new Uint8Array([3])));
      store.flush();
      // Out of the cache, so that the delete looks its row up.
      for (let i = 0; i < 9000; i++) store.putNode(`/fill${i}`, nodeRecord(new Uint8Array(1)));
      store.flush();
      store.deleteNode("/q/a/x");
      store.deleteNode("/q/a");
      store.flush();
      const reader = new SqlTreeStore(sql);
      expect(reader.getNode("/q/a")).toBeUndefined();
      expect(reader.getNode("/q/a/x")).toBeUndefined();
      expect(reader.getNode("/q")?.data).toEqual(new Uint8Array([1]));
      // Made again, the node starts with no children known, and its new child is found.
      store.createNode("/q/a", nodeRecord(new Uint8Array([4])));
      store.putNode("/q/a/y", nodeRecord(new Uint8Array([5])));
      expect(store.getNode("/q/a/x")).toBeUndefined();
      expect(store.getNode("/q/a/y")?.data).toEqual(new Uint8Array([5]));
    });
  });
});

describe("KnownChildren", () => {
  it("tells a certain absence only below nodes it saw created, and starts over past its bound", () => {
    const known = new KnownChildren();
    known.created("/x");
    expect(known.absent("/x/a")).toBe(false); // not following yet
    known.follow(true);
    expect(known.absent("/x")).toBe(false); // "/" was never created here
    known.created("/x");
    expect(known.absent("/x/a")).toBe(true);
    known.created("/x/a");
    expect(known.absent("/x/a")).toBe(false);
    known.deleted("/x/a");
    expect(known.absent("/x/a")).toBe(true);
    for (let i = 0; i < knownChildrenMax; i++) known.written(`/x/n${i}`);
    // Full: the next name forgets everything rather than claim an absence it cannot vouch for.
    known.written("/x/over");
    expect(known.absent("/x/over")).toBe(false);
    expect(known.absent("/x/n0")).toBe(false);
    expect(known.absent("/x/never")).toBe(false);
  });
});
