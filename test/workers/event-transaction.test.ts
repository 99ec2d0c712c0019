// What a member's Ready relies on when it writes in the event's own SQLite transaction instead of
// a transactionSync (replica.ts): the runtime commits an event's writes together, and an object
// that aborts part-way through an event keeps none of them.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Member } from "../../durable-objects/member.ts";

/** The rows of the probe table, read in an event of their own. */
function rows(stub: DurableObjectStub<Member>): Promise<number[]> {
  return runInDurableObject(stub, (_: Member, state) =>
    state.storage.sql
      .exec<{ n: number }>("SELECT n FROM probe ORDER BY n")
      .toArray()
      .map((r) => r.n),
  );
}

describe("the event's SQLite transaction", () => {
  it("keeps an event's writes, and none of those of an event that aborts", async () => {
    const id = env.MEMBER.newUniqueId();
    const stub = env.MEMBER.get(id);
    await runInDurableObject(stub, (_: Member, state) => {
      state.storage.sql.exec("CREATE TABLE probe (n INTEGER NOT NULL)");
      state.storage.sql.exec("INSERT INTO probe (n) VALUES (1)");
      state.storage.sql.exec("INSERT INTO probe (n) VALUES (2)");
    });
    expect(await rows(stub)).toEqual([1, 2]);

    await expect(
      runInDurableObject(stub, (_: Member, state) => {
        state.storage.sql.exec("INSERT INTO probe (n) VALUES (3)");
        state.storage.sql.exec("DELETE FROM probe WHERE n = 1");
        state.abort("a Ready failed part-way (test)");
      }),
    ).rejects.toThrow("a Ready failed part-way (test)");
    // A stub whose object aborted stays broken: a new one reaches the restarted object.
    expect(await rows(env.MEMBER.get(id))).toEqual([1, 2]);
  });
});
