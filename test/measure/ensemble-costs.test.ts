// Measures what one committed write costs the ensemble (inter-member RPCs, SQLite transactions,
// Ready batches) at low and high load, and how long a leader failover takes. Not part of
// `npm test`: run `npm run measure`. It prints figures; it asserts only that the writes succeeded.

import { describe, expect, it } from "vitest";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import { openAcl } from "../../src/core/tree/acl.ts";
import {
  converged,
  heal,
  ids,
  isolate,
  member,
  stableLeader,
  statuses,
} from "../workers/ensemble-harness.ts";

const tickMs = 50;

function totals(view: MemberStatus[]) {
  return view.reduce(
    (t, s) => ({
      rpcs: t.rpcs + s.counters.rpcBatches,
      messages: t.messages + s.counters.messagesSent,
      sql: t.sql + s.counters.sqlTransactions,
      readies: t.readies + s.counters.readies,
    }),
    { rpcs: 0, messages: 0, sql: 0, readies: 0 },
  );
}

async function costOf(label: string, writes: number, run: () => Promise<boolean[]>): Promise<void> {
  await converged();
  const before = totals(await statuses());
  const started = Date.now();
  const results = await run();
  const elapsedMs = Date.now() - started;
  expect(results.every(Boolean)).toBe(true);
  await converged();
  const after = totals(await statuses());
  const per = (k: keyof typeof before) => ((after[k] - before[k]) / writes).toFixed(2);
  console.log(
    `MEASURE ${label}: ${writes} writes in ${elapsedMs} ms (${((writes * 1000) / elapsedMs).toFixed(0)}/s); per write: ` +
      `${per("rpcs")} inter-member RPCs, ${per("messages")} messages, ${per("sql")} SQLite transactions, ${per("readies")} Readies (all members)`,
  );
}

const create = (at: number, path: string) =>
  member(at)
    .submit(
      { op: "create", path, data: new Uint8Array(100), acl: openAcl, mode: 0 },
      { authIds: [] },
    )
    .then((r) => r.ok);

describe("ensemble costs", () => {
  it("measures writes at low and high load, and failover", async () => {
    const leader = await stableLeader();
    const follower = ids.find((i) => i !== leader) as number;
    await costOf("low load, one writer at the leader", 100, async () => {
      const out: boolean[] = [];
      for (let i = 0; i < 100; i++) out.push(await create(leader, `/low-${i}`));
      return out;
    });
    await costOf("low load, one writer at a follower", 100, async () => {
      const out: boolean[] = [];
      for (let i = 0; i < 100; i++) out.push(await create(follower, `/fol-${i}`));
      return out;
    });
    await costOf("high load, 200 concurrent writers at the leader", 200, () =>
      Promise.all(Array.from({ length: 200 }, (_, i) => create(leader, `/high-${i}`))),
    );
    await costOf("high load, 200 concurrent writers spread over members", 200, () =>
      Promise.all(Array.from({ length: 200 }, (_, i) => create(i % ids.length, `/spread-${i}`))),
    );

    const failovers: number[] = [];
    for (let round = 0; round < 5; round++) {
      const old = await stableLeader();
      const started = Date.now();
      await isolate(old);
      await member(old)
        .crash()
        .catch(() => {});
      await stableLeader(ids.filter((i) => i !== old));
      failovers.push(Date.now() - started);
      await heal();
      await converged();
    }
    failovers.sort((a, b) => a - b);
    const median = failovers[Math.floor(failovers.length / 2)] ?? 0;
    console.log(
      `MEASURE failover (leader isolated and crashed → new leader with a majority): ms ${failovers.join(", ")}; ` +
        `median ${median} ms ≈ ${(median / tickMs).toFixed(0)} ticks of ${tickMs} ms`,
    );
  });
});
