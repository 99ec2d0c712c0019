// A randomized history against the real ensemble: concurrent clients write and read while a
// seeded nemesis partitions and crashes members. Writes must be linearizable (acknowledged ones
// present exactly once, in an order that respects real time), reads sequentially consistent
// per client, linearizable reads never stale. Choices replay from HISTORY_SEED; timing is real.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { seededRng } from "../../src/core/random.ts";
import { openAcl } from "../../src/core/tree/acl.ts";
import {
  converged,
  heal,
  ids,
  isolate,
  member,
  show,
  size,
  stableLeader,
} from "./ensemble-harness.ts";

const seed = Number(env.HISTORY_SEED);

/**
 * Crashes a member mid-traffic. evictDurableObject waits ~30 s and gives up while requests are
 * in flight, so the busy case aborts the object instead (memory lost, storage kept, the same).
 */
async function crash(victim: number): Promise<void> {
  await member(victim)
    .crash()
    .catch(() => {});
}
const clients = 4;
const opsPerClient = 60;
/** Every this many operations (across clients) the nemesis isolates, crashes or heals a member. */
const faultEveryOps = 12;

interface WriteRecord {
  client: number;
  seq: number;
  invoked: number;
  completed: number;
  outcome: "ok" | "failed" | "unknown";
  zxid?: number;
  via?: number;
}

interface ReadRecord {
  client: number;
  invoked: number;
  completed: number;
  zxid: number;
  linearizable: boolean;
  via: number;
}

describe(`randomized history (seed=${seed}; replay with HISTORY_SEED=${seed})`, () => {
  it("stays linearizable for writes and sequentially consistent for reads under faults", async () => {
    console.log(`history test: seed=${seed}`);
    const rng = seededRng(seed);
    let clock = 0;
    const now = () => ++clock;
    const writes: WriteRecord[] = [];
    const reads: ReadRecord[] = [];
    const leader = await stableLeader();
    expect(
      (
        await member(leader).submit(
          { op: "create", path: "/log", data: new Uint8Array(), acl: openAcl, mode: 0 },
          { authIds: [] },
        )
      ).ok,
    ).toBe(true);

    // Every client's session exists before the first fault: a session made while another client
    // has already isolated or crashed its member would fail the test for the harness's sake.
    const sessionIds = await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const session = await member(c % size).submit(
          { op: "createSession", timeoutMs: 40_000 },
          { authIds: [] },
        );
        if (!session.ok || session.result.type !== "createSession")
          throw new Error(`no session: ${show(session)}`);
        return session.result.sessionId;
      }),
    );

    const client = async (c: number) => {
      const home = c % size;
      const sessionId = sessionIds[c] as bigint;
      let seq = 0;
      for (let n = 0; n < opsPerClient; n++) {
        if (++operations % faultEveryOps === 0) await nemesisStep();
        const roll = rng.next();
        if (roll < 0.5) {
          seq++;
          const record: WriteRecord = {
            client: c,
            seq,
            invoked: now(),
            completed: 0,
            outcome: "failed",
          };
          writes.push(record);
          const request = {
            op: "create" as const,
            path: `/log/c${c}-`,
            data: new TextEncoder().encode(`${c}:${seq}`),
            acl: openAcl,
            mode: 2,
          };
          // Retry through other members with the same sequence number: at most once, by dedup.
          for (let attempt = 0; attempt < 3 && record.outcome !== "ok"; attempt++) {
            const via = (home + attempt) % size;
            try {
              const answer = await member(via).submit(request, { sessionId, seq, authIds: [] });
              if (answer.ok) Object.assign(record, { outcome: "ok", zxid: answer.zxid, via });
              // Only a retryable refusal proves the attempt changed nothing.
              else if (!answer.retryable) record.outcome = "unknown";
            } catch {
              record.outcome = "unknown";
            }
          }
          record.completed = now();
        } else {
          const linearizable = roll > 0.8;
          const invoked = now();
          try {
            const answer = await member(home).read({ op: "exists", path: "/log" }, [], {
              linearizable,
            });
            if (answer.ok)
              reads.push({
                client: c,
                invoked,
                completed: now(),
                zxid: answer.zxid,
                linearizable,
                via: home,
              });
          } catch {
            // A crashed member answers nothing; nothing to check.
          }
        }
      }
    };

    // Faults are paced by operations, not timers: the clients' traffic keeps the test's timers
    // from firing on time inside workerd, and counting keeps the schedule replayable.
    let operations = 0;
    const nemesisStep = async () => {
      const victim = rng.int(0, size - 1);
      const action = rng.int(0, 2);
      if (action === 0) await isolate(victim);
      else if (action === 1) await crash(victim);
      else await heal();
    };

    await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    await heal();
    await converged();

    // What the ensemble holds at the end: every node under /log with the write it records.
    const list = await member(0).read({ op: "getChildren", path: "/log" });
    if (!list.ok || !("children" in list.value)) throw new Error(`cannot list /log: ${show(list)}`);
    const present = new Map<string, number[]>();
    for (const name of list.value.children) {
      const node = await member(0).read({ op: "getData", path: `/log/${name}` });
      if (!node.ok || !("data" in node.value)) throw new Error(`cannot read ${name}`);
      const key = new TextDecoder().decode(node.value.data);
      present.set(key, [...(present.get(key) ?? []), node.value.stat.czxid]);
    }
    const attempted = new Set(writes.map((w) => `${w.client}:${w.seq}`));
    for (const [key, zxids] of present) {
      expect(attempted.has(key), `${key} was never attempted`).toBe(true);
      expect(zxids.length, `${key} applied ${zxids.length} times`).toBe(1);
    }
    const acked = writes.filter((w) => w.outcome === "ok");
    for (const w of acked) {
      expect(
        present.get(`${w.client}:${w.seq}`),
        `acknowledged write ${w.client}:${w.seq} is missing`,
      ).toEqual([w.zxid]);
    }
    // Real-time order: a write acknowledged before another began has the smaller zxid.
    const zxidOf = (w: WriteRecord) => present.get(`${w.client}:${w.seq}`)?.[0];
    for (const a of acked) {
      for (const b of writes) {
        const zb = zxidOf(b);
        if (b !== a && zb !== undefined && a.completed < b.invoked) {
          expect(
            a.zxid ?? 0,
            `write ${a.client}:${a.seq} acked before ${b.client}:${b.seq} began`,
          ).toBeLessThan(zb);
        }
      }
    }
    // Reads: monotonic per client, never behind the client's own acknowledged writes at that
    // member, and linearizable reads never behind any write acknowledged before they began.
    for (let c = 0; c < clients; c++) {
      const mine = reads.filter((r) => r.client === c);
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i]?.zxid ?? 0, `client ${c} read went back in time`).toBeGreaterThanOrEqual(
          mine[i - 1]?.zxid ?? 0,
        );
      }
      for (const r of mine) {
        for (const w of acked) {
          if (w.completed >= r.invoked) continue;
          if (r.linearizable || (w.client === c && w.via === r.via)) {
            expect(
              r.zxid,
              `${r.linearizable ? "linearizable" : "local"} read by ${c} at member ${r.via} (t=${r.invoked}) missed write ${w.client}:${w.seq} acked via ${w.via} at t=${w.completed}`,
            ).toBeGreaterThanOrEqual(w.zxid ?? 0);
          }
        }
      }
    }
    console.log(
      `history test: ${writes.length} writes (${acked.length} acknowledged, ${writes.filter((w) => w.outcome === "unknown").length} unknown), ${reads.length} reads, ${present.size} nodes, members ${ids.length}`,
    );
    expect(acked.length).toBeGreaterThan(0);
  });
});
