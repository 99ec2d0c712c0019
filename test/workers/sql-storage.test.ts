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
});
