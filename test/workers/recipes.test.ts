// The recipes raced by many real clients against the ensemble: a lock never has two holders and
// passes on when a holder's session expires; one leader at a time, with failover; a barrier
// releases everyone together; the queue delivers each item once; the counter loses no increment.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EdgeKeeperClient } from "../../src/client/index.ts";
import {
  currentLeader,
  DistributedQueue,
  DoubleBarrier,
  LeaderLatch,
  Mutex,
  SharedCounter,
} from "../../src/client/recipes/index.ts";
import { eventually, stableLeader } from "./ensemble-harness.ts";

async function openSocket(url: string): Promise<WebSocket> {
  const res = await exports.default.fetch(
    new Request(url.replace(/^ws/, "http"), { headers: { upgrade: "websocket" } }),
  );
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket (${res.status})`);
  ws.accept();
  return ws;
}

function clients(n: number, sessionTimeoutMs = 30_000): Promise<EdgeKeeperClient[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      EdgeKeeperClient.connect({
        url: "http://edgekeeper.test",
        member: i % 3,
        openSocket,
        sessionTimeoutMs,
      }),
    ),
  );
}

describe("recipes", () => {
  it("mutex: never two holders, every contender gets a turn", async () => {
    await stableLeader();
    const zks = await clients(5);
    let holders = 0;
    const history: string[] = [];
    await Promise.all(
      zks.map(async (zk, i) => {
        const lock = new Mutex(zk, "/locks/a");
        for (let round = 0; round < 3; round++) {
          await lock.with(async () => {
            holders++;
            history.push(`enter ${i}`);
            expect(holders).toBe(1);
            await zk.setData("/locks/a", `${i}:${round}`).catch(() => {});
            holders--;
            history.push(`exit ${i}`);
          });
        }
      }),
    );
    expect(history.filter((h) => h.startsWith("enter"))).toHaveLength(15);
    for (let k = 0; k < history.length; k += 2) {
      expect(history[k]?.replace("enter", "")).toBe(history[k + 1]?.replace("exit", ""));
    }
    await Promise.all(zks.map((zk) => zk.close()));
  });

  it("mutex: a holder that dies passes the lock on once its session expires", async () => {
    await stableLeader();
    const [dying, waiting] = await clients(2, 4000);
    if (!dying || !waiting) throw new Error("clients");
    await new Mutex(dying, "/locks/b").acquire();
    const next = new Mutex(waiting, "/locks/b");
    const acquired = next.acquire();
    dying.abandon();
    await acquired;
    expect(next.held).toBe(true);
    await next.release();
    await waiting.close();
  });

  it("leader latch: exactly one leader at a time, and failover when it leaves", async () => {
    await stableLeader();
    const zks = await clients(4);
    const latches = zks.map((zk, i) => new LeaderLatch(zk, "/election", `candidate-${i}`));
    const leading = () => latches.filter((l) => l.hasLeadership).length;
    const first = await Promise.race(latches.map((l, i) => l.start().then(() => i)));
    expect(leading()).toBe(1);
    const observer = zks[0] as EdgeKeeperClient;
    expect(await currentLeader(observer, "/election")).toBe(`candidate-${first}`);
    await (latches[first] as LeaderLatch).close();
    await eventually("a new leader", async () => (leading() === 1 ? true : undefined));
    const second = latches.findIndex((l) => l.hasLeadership);
    expect(second).not.toBe(first);
    expect(await currentLeader(observer, "/election")).toBe(`candidate-${second}`);
    for (const l of latches) await l.close();
    await Promise.all(zks.map((zk) => zk.close()));
  });

  it("double barrier: nobody passes enter until all have entered, nor leave until all have left", async () => {
    await stableLeader();
    const zks = await clients(4);
    const log: string[] = [];
    await Promise.all(
      zks.map(async (zk, i) => {
        const barrier = new DoubleBarrier(zk, "/barrier", zks.length, `p${i}`);
        log.push(`arrive ${i}`);
        await barrier.enter();
        log.push(`work ${i}`);
        await barrier.leave();
        log.push(`done ${i}`);
      }),
    );
    const lastArrive = Math.max(...log.map((l, k) => (l.startsWith("arrive") ? k : -1)));
    const firstWork = log.findIndex((l) => l.startsWith("work"));
    const lastWork = Math.max(...log.map((l, k) => (l.startsWith("work") ? k : -1)));
    const firstDone = log.findIndex((l) => l.startsWith("done"));
    expect(firstWork).toBeGreaterThan(lastArrive);
    expect(firstDone).toBeGreaterThan(lastWork);
    await Promise.all(zks.map((zk) => zk.close()));
  });

  it("queue delivers each item exactly once to competing consumers; counter loses nothing", async () => {
    await stableLeader();
    const zks = await clients(4);
    const producer = new DistributedQueue(zks[0] as EdgeKeeperClient, "/queue");
    for (let i = 0; i < 20; i++) await producer.put(`item-${i}`);
    const got: string[] = [];
    await Promise.all(
      zks.map(async (zk) => {
        const q = new DistributedQueue(zk, "/queue");
        for (;;) {
          const item = await q.poll();
          if (item === null) return;
          got.push(new TextDecoder().decode(item));
        }
      }),
    );
    expect(got.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `item-${i}`).sort());
    await Promise.all(
      zks.map(async (zk) => {
        const c = new SharedCounter(zk, "/counter");
        for (let i = 0; i < 5; i++) await c.add();
      }),
    );
    expect(await new SharedCounter(zks[1] as EdgeKeeperClient, "/counter").get()).toBe(20);
    await Promise.all(zks.map((zk) => zk.close()));
  });
});
