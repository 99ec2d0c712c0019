// The member's SQLite implementations of the consensus and tree storage interfaces, run through
// the same conformance suites as the in-memory twins, inside workerd.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Member } from "../../durable-objects/member.ts";
import { createSchema, schemaVersion } from "../../durable-objects/schema.ts";
import { SqlRaftStorage } from "../../durable-objects/sql-raft-storage.ts";
import { SqlTreeStore } from "../../durable-objects/sql-tree-store.ts";
import {
  hardStateStorageConformance,
  logStorageConformance,
} from "../conformance/consensus-storage.ts";
import { treeStoreConformance } from "../conformance/tree-store.ts";

let instances = 0;

/** Runs a test body inside a fresh Durable Object (outside the ensemble), on a store over its SQLite. */
function fresh<S>(make: (sql: SqlStorage) => S) {
  return (body: (store: S) => void | Promise<void>): Promise<void> => {
    const stub = env.MEMBER.getByName(`conformance/${instances++}`);
    return runInDurableObject(stub, (_: Member, state) => body(make(state.storage.sql)));
  };
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

  it("migrates storage of earlier versions in place, keeping the hard state", async () => {
    const stub = env.MEMBER.get(env.MEMBER.newUniqueId());
    await runInDurableObject(stub, (_: Member, state) => {
      const sql = state.storage.sql;
      createSchema(sql);
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
      // Version 2's: a deletion's change carries no ACL.
      for (const p of ["", "snap_out_", "snap_in_"])
        sql.exec(`ALTER TABLE ${p}change_log DROP COLUMN acl`);
      sql.exec("UPDATE schema_info SET version = 1");
      createSchema(sql);
      expect(sql.exec("SELECT version FROM schema_info").one()).toEqual({ version: 3 });
      for (const p of ["", "snap_out_", "snap_in_"]) {
        const columns = sql
          .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${p}change_log')`)
          .toArray()
          .map((c) => c.name);
        expect(columns).toContain("acl");
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

describe("SqlRaftStorage terms", () => {
  it("answers every index's term after appends that overwrite, compaction and a restart", async () => {
    const stub = env.MEMBER.get(env.MEMBER.newUniqueId());
    await runInDurableObject(stub, (_: Member, state) => {
      const sql = state.storage.sql;
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
    });
  });
});

describe("SqlTreeStore cache", () => {
  it("forgets reads of a rolled-back transaction when told to", async () => {
    const stub = env.MEMBER.get(env.MEMBER.newUniqueId());
    await runInDurableObject(stub, (_: Member, state) => {
      const store = new SqlTreeStore(state.storage.sql);
      const node = {
        data: new Uint8Array([1]),
        acl: [],
        czxid: 1,
        mzxid: 1,
        pzxid: 1,
        ctime: 0,
        mtime: 0,
        version: 0,
        cversion: 0,
        aversion: 0,
        ephemeralOwner: 0n,
        numChildren: 0,
      };
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
      expect(new SqlTreeStore(state.storage.sql).getNode("/rolled")).toBeUndefined();
    });
  });
});
