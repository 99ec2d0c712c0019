// The recipes raced by many real clients against the ensemble: a lock never has two holders and
// passes on when a holder's session expires; one leader at a time, with failover; a barrier
// releases everyone together; the queue delivers each item once; the counter loses no increment.

import { describe, expect, it } from "vitest";
import { EdgeKeeperClient } from "../../src/client/index.ts";
import {
  Barrier,
  currentLeader,
  DistributedQueue,
  DoubleBarrier,
  LeaderLatch,
  Mutex,
  ReadWriteLock,
  Semaphore,
  ServiceRegistry,
  SharedCounter,
  TreeCache,
} from "../../src/client/recipes/index.ts";
import { eventually, openSocket, serviceFetch, stableLeader } from "./ensemble-harness.ts";

function clients(n: number, sessionTimeoutMs = 30_000): Promise<EdgeKeeperClient[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      EdgeKeeperClient.connect({
        url: "http://edgekeeper.test",
        member: i % 3,
        openSocket,
        fetch: serviceFetch,
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

  it("mutex: re-entrant, times out leaving nothing behind, fencing tokens grow", async () => {
    await stableLeader();
    const [a, b] = await clients(2);
    if (!a || !b) throw new Error("clients");
    const first = new Mutex(a, "/locks/c");
    expect(await first.acquire()).toBe(true);
    expect(await first.acquire()).toBe(true);
    const token = first.fencingToken;
    expect(token).toBeGreaterThan(0);
    await first.release();
    expect(first.held).toBe(true);
    const second = new Mutex(b, "/locks/c");
    expect(await second.acquire({ timeoutMs: 300 })).toBe(false);
    expect(second.held).toBe(false);
    expect((await b.getChildren("/locks/c")).children).toHaveLength(1);
    // Without a timeout it waits as long as it takes (not the 1 ms setTimeout makes of Infinity).
    const waiting = second.acquire();
    await new Promise((r) => setTimeout(r, 200));
    await first.release();
    expect(first.held).toBe(false);
    expect(first.fencingToken).toBeNull();
    expect(await waiting).toBe(true);
    expect(second.fencingToken).toBeGreaterThan(token ?? 0);
    await second.release();
    await a.close();
    await b.close();
  });

  it("leader latch: a leader whose session ends hears it lost leadership", async () => {
    await stableLeader();
    const [zk] = await clients(1);
    if (!zk) throw new Error("client");
    const latch = new LeaderLatch(zk, "/election-lost", "only");
    const changes: boolean[] = [];
    latch.onChange((leading) => changes.push(leading));
    await latch.start();
    expect(latch.hasLeadership).toBe(true);
    expect(latch.fencingToken).toBeGreaterThan(0);
    await zk.close();
    expect(latch.hasLeadership).toBe(false);
    expect(latch.fencingToken).toBeNull();
    expect(changes).toEqual([true, false]);
  });

  it("leader latch: exactly one leader at a time, and failover when it leaves", async () => {
    await stableLeader();
    const zks = await clients(4);
    const latches = zks.map((zk, i) => new LeaderLatch(zk, "/election", `candidate-${i}`));
    const leading = () => latches.filter((l) => l.hasLeadership).length;
    const starts = latches.map((l, i) => l.start().then(() => i));
    // Contenders still waiting when their clients close see their start() fail: expected here.
    for (const start of starts) start.catch(() => {});
    const first = await Promise.race(starts);
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

describe("more recipes", () => {
  it("semaphore: never more than the permits at once", async () => {
    await stableLeader();
    const zks = await clients(5);
    let inside = 0;
    let most = 0;
    await Promise.all(
      zks.map(async (zk) => {
        const sem = new Semaphore(zk, "/sem", 2);
        for (let round = 0; round < 2; round++) {
          const release = await sem.acquire();
          expect(release.held).toBe(true);
          expect(release.fencingToken).toBeGreaterThan(0);
          inside++;
          most = Math.max(most, inside);
          expect(inside).toBeLessThanOrEqual(2);
          await zk.sync();
          inside--;
          await release();
          expect(release.held).toBe(false);
        }
      }),
    );
    expect(most).toBe(2);
    await Promise.all(zks.map((zk) => zk.close()));
  });

  it("a lease is given up, and says so, when its session ends", async () => {
    await stableLeader();
    const [zk] = await clients(1);
    if (!zk) throw new Error("client");
    const lease = await new Semaphore(zk, "/sem-lost", 1).acquire();
    let lost = false;
    lease.onLost(() => {
      lost = true;
    });
    await zk.close();
    expect(lease.held).toBe(false);
    expect(lease.fencingToken).toBeNull();
    expect(lost).toBe(true);
  });

  it("a barrier participant whose session ends stops waiting, with the reason", async () => {
    await stableLeader();
    const [zk] = await clients(1);
    if (!zk) throw new Error("client");
    const entering = new DoubleBarrier(zk, "/barrier-lost", 3, "alone").enter();
    await new Promise((r) => setTimeout(r, 200));
    await zk.close();
    await expect(entering).rejects.toMatchObject({ error: "SESSIONEXPIRED" });
  });

  it("read-write lock: readers share, a writer is alone", async () => {
    await stableLeader();
    const zks = await clients(5);
    let readers = 0;
    let writers = 0;
    let sharedSeen = false;
    await Promise.all(
      zks.map(async (zk, i) => {
        const lock = new ReadWriteLock(zk, "/rw");
        for (let round = 0; round < 2; round++) {
          const writing = (i + round) % 3 === 0;
          const release = writing ? await lock.writeLock() : await lock.readLock();
          expect(release.held).toBe(true);
          if (writing) writers++;
          else readers++;
          expect(writers).toBeLessThanOrEqual(1);
          if (writers === 1) expect(readers).toBe(0);
          if (readers > 1) sharedSeen = true;
          await zk.sync();
          if (writing) writers--;
          else readers--;
          await release();
        }
      }),
    );
    expect(sharedSeen).toBe(true);
    await Promise.all(zks.map((zk) => zk.close()));
  });

  it("service registry: instances appear, and vanish with their sessions; followers hear it", async () => {
    await stableLeader();
    const [a, b, watcher] = await clients(3, 4000);
    if (!a || !b || !watcher) throw new Error("clients");
    await new ServiceRegistry(a).register("api", "a", "10.0.0.1:80");
    await new ServiceRegistry(b).register("api", "b", "10.0.0.2:80");
    const seen: string[][] = [];
    await new ServiceRegistry(watcher).follow("api", (list) =>
      seen.push(list.map((x) => x.address)),
    );
    expect(seen.at(-1)).toEqual(["10.0.0.1:80", "10.0.0.2:80"]);
    b.abandon();
    await eventually("b to vanish", async () => (seen.at(-1)?.length === 1 ? true : undefined));
    expect(seen.at(-1)).toEqual(["10.0.0.1:80"]);
    await a.close();
    await watcher.close();
  });

  it("tree cache mirrors a subtree through writes by others", async () => {
    await stableLeader();
    const [owner, writer] = await clients(2);
    if (!owner || !writer) throw new Error("clients");
    await writer.create("/cache", "root");
    await writer.create("/cache/a", "1");
    const cache = new TreeCache(owner, "/cache");
    await cache.start();
    expect(cache.paths()).toEqual(["/cache", "/cache/a"]);
    await writer.create("/cache/a/deep", "x");
    await writer.setData("/cache/a", "2");
    await writer.delete("/cache/a/deep");
    await writer.create("/cache/b", "3");
    await eventually("the cache to catch up", async () => {
      await cache.settled();
      return cache.paths().join() === "/cache,/cache/a,/cache/b" &&
        new TextDecoder().decode(cache.get("/cache/a")?.data) === "2"
        ? true
        : undefined;
    });
    await cache.stop();
    await owner.close();
    await writer.close();
  });

  it("barrier: every waiter is released together when it comes down", async () => {
    await stableLeader();
    const zks = await clients(4);
    const owner = zks[0] as EdgeKeeperClient;
    await new Barrier(owner, "/gates/start").set();
    let released = 0;
    const waiting = zks
      .slice(1)
      .map((zk) => new Barrier(zk, "/gates/start").waitOn().then(() => released++));
    await owner.sync();
    expect(released).toBe(0);
    await new Barrier(owner, "/gates/start").remove();
    await Promise.all(waiting);
    expect(released).toBe(3);
    await Promise.all(zks.map((zk) => zk.close()));
  });
});
