// An idle ensemble costs nothing: once nothing is in flight no member books an alarm or sends a
// message; idle sessions' pings are answered by the runtime and never reach a member; the first
// write after sleep commits, also when the leader was evicted or cut off in its sleep; a silent
// client's session still expires. Intervals here are the measurement, not a stand-in for a
// condition: idleness can only be observed over time.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Member } from "../../durable-objects/member.ts";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import { SocketSessions } from "../../durable-objects/socket-sessions.ts";
import { requireAccessConfig } from "../../src/access/access-config.ts";
import { pingFrame } from "../../src/protocol/keep-alive.ts";
import {
  create,
  eventually,
  heal,
  ids,
  isolate,
  member,
  show,
  stableLeader,
  statuses,
} from "./ensemble-harness.ts";
import { SessionClient } from "./session-client.ts";

/** The test config's SESSION_CHECK_MS (production: 60 s). */
const checkMs = 1_000;

/** Every member asleep: consensus quiescent, nothing booked. */
function asleep(): Promise<MemberStatus[]> {
  return eventually(
    "every member asleep",
    async () => {
      const view = await statuses();
      return view.every((s) => s.quiescent && s.alarmAtMs === null) ? view : undefined;
    },
    30_000,
  );
}

/** Members asleep except for session deadlines (an alarm at most at the check interval). */
function quiescent(): Promise<MemberStatus[]> {
  return eventually("every member quiescent", async () => {
    const view = await statuses();
    return view.every((s) => s.quiescent) ? view : undefined;
  });
}

/** Billed work between two read-outs, per member; status calls (the test's own) left out. */
function spent(before: MemberStatus[], after: MemberStatus[]) {
  return after.map((a, i) => {
    const b = before[i] as MemberStatus;
    const sum = (r: Record<string, number>, skip: string) =>
      Object.entries(r).reduce((n, [k, v]) => (k === skip ? n : n + v), 0);
    return {
      id: a.id,
      alarms: a.costs.alarmsFired - b.costs.alarmsFired,
      booked: a.costs.alarmsBooked - b.costs.alarmsBooked,
      rpcSent: sum(a.costs.rpcSent, "") - sum(b.costs.rpcSent, ""),
      rpcReceived: sum(a.costs.rpcReceived, "status") - sum(b.costs.rpcReceived, "status"),
      socketMessages: a.costs.socketMessages - b.costs.socketMessages,
    };
  });
}

async function openSession(at: number, timeoutMs: number): Promise<SessionClient> {
  const c = await SessionClient.open(at);
  const hello = await c.connect({ timeoutMs });
  expect(hello.type, show(hello)).toBe("connected");
  return c;
}

describe("quiescence", () => {
  it("books no alarm and sends nothing with no sessions and nothing pending", async () => {
    await stableLeader();
    expect((await create(0, "/quiet")).ok).toBe(true);
    const before = await asleep();
    expect(before.every((s) => s.sessions === 0)).toBe(true);
    await scheduler.wait(3_000); // 60 ticks' worth of a 50 ms clock
    const after = await statuses();
    const work = spent(before, after);
    console.log(`idle, no sessions, 3 s: ${show(work)}`);
    for (const w of work)
      expect(w, show(w)).toMatchObject({ alarms: 0, rpcSent: 0, rpcReceived: 0 });
    expect(after.every((s) => s.quiescent && s.alarmAtMs === null)).toBe(true);
  });

  it("answers idle sessions' pings without waking members: at most one wake per check interval", async () => {
    await stableLeader();
    const clients: SessionClient[] = [];
    for (let i = 0; i < 10; i++) clients.push(await openSession(i % ids.length, 4_000));
    const pingers = clients.map((c) => setInterval(() => c.raw(pingFrame), 1_000));
    // A new session's first deadline (creation + timeout) may already have an alarm booked
    // (alarms only move earlier): the window starts once those have passed.
    const created = Date.now();
    await quiescent();
    await eventually("the sessions' first deadlines passed", async () =>
      Date.now() > created + 4_000 + checkMs ? true : undefined,
    );
    const before = await statuses();
    const seconds = 6;
    await scheduler.wait(seconds * 1_000);
    for (const p of pingers) clearInterval(p);
    const after = await statuses();
    const work = spent(before, after);
    console.log(`10 idle sessions pinging every 1 s, ${seconds} s: ${show(work)}`);
    const pongs = clients.reduce((n, c) => n + c.frames.filter((f) => f.type === "pong").length, 0);
    expect(pongs).toBeGreaterThanOrEqual(10 * (seconds - 1));
    for (const w of work) {
      expect(w.socketMessages, show(w)).toBe(0); // no ping reached a member
      expect(w.alarms, show(w)).toBeLessThanOrEqual(seconds * (1_000 / checkMs) + 1);
      // Presence questions at due deadlines only, never one per ping.
      expect(w.rpcReceived, show(w)).toBeLessThanOrEqual(seconds + 1);
    }
    expect(after.every((s) => s.sessions >= 10)).toBe(true);
    for (const c of clients) c.ws.close();
  });

  it("commits the first write after sleep", async () => {
    await stableLeader();
    await asleep();
    const answer = await create(1, "/after-sleep");
    expect(answer.ok, show(answer)).toBe(true);
    await asleep();
  });

  it("serves a write after the leader was evicted in its sleep", async () => {
    const old = await stableLeader();
    await asleep();
    await member(old)
      .crash()
      .catch(() => {});
    const via = ids.find((i) => i !== old) as number;
    const answer = await create(via, "/after-eviction");
    expect(answer.ok, show(answer)).toBe(true);
    await stableLeader();
  });

  it("elects a new leader on demand when the sleeping leader is cut off", async () => {
    const old = await stableLeader();
    await asleep();
    await isolate(old);
    try {
      const via = ids.find((i) => i !== old) as number;
      const answer = await eventually("a write through a follower", async () => {
        const a = await create(via, `/after-cut-${Date.now()}`);
        return a.ok ? a : undefined;
      });
      expect(answer.ok).toBe(true);
      const view = await statuses();
      const leaders = view.filter((s) => s.role === "leader" && s.id !== old);
      expect(leaders.length, show(view.map((s) => [s.id, s.role, s.term]))).toBe(1);
    } finally {
      await heal();
    }
    await stableLeader();
  });

  it("rebuilds a connection's watches and credentials when its member starts again", async () => {
    await stableLeader();
    const c = await SessionClient.open(1);
    const hello = await c.connect({ timeoutMs: 30_000 });
    const sessionId = BigInt(String(hello.sessionId));
    const auth = await c.request({ op: "auth", scheme: "digest", credential: "ek:secret" });
    expect(auth.error, show(auth)).toBeUndefined();
    await c.request({ op: "create", path: "/kept", data: "0" });
    await c.request({ op: "addWatch", path: "/kept-tree", mode: "persistentRecursive" });
    await c.request({ op: "getData", path: "/kept", watch: true });
    // An evicted member's sockets stay open while its memory goes: a new object starts over the
    // same state, as here (evictDurableObject itself waits for every reference other test files
    // hold on the shared ensemble, which can take longer than a test).
    await runInDurableObject(member(1), (_: Member, state) => {
      const restarted = new SocketSessions(state, "json", requireAccessConfig(env));
      const conns = restarted.sockets().map((s) => restarted.connection(s));
      const mine = conns.find((x) => x.sessionId === sessionId);
      expect(mine, "the test's connection").toBeDefined();
      expect(mine?.authIds.map((a) => a.scheme)).toEqual(["ip", "digest"]);
      expect(restarted.watches.watchesOf(mine?.id ?? "")).toEqual({
        data: ["/kept"],
        child: [],
        persistent: [],
        persistentRecursive: ["/kept-tree"],
      });
    });
    c.ws.close();
  });

  it("still expires a silent client's session, and a closed socket's at its timeout", async () => {
    await stableLeader();
    const silent = await openSession(0, 4_000);
    const made = await silent.request({ op: "create", path: "/silent", mode: "ephemeral" });
    expect(made.error, show(made)).toBeUndefined();
    const closing = await openSession(1, 4_000);
    const also = await closing.request({ op: "create", path: "/closing", mode: "ephemeral" });
    expect(also.error, show(also)).toBeUndefined();
    const started = Date.now();
    closing.ws.close();
    const gone = async (path: string) => {
      const read = await member(2).read({ op: "exists", path });
      return !read.ok && read.failure.name === "NONODE";
    };
    await eventually("the closed socket's ephemeral gone", async () =>
      (await gone("/closing")) ? true : undefined,
    );
    const closedAfterMs = Date.now() - started;
    await eventually("the silent client's ephemeral gone", async () =>
      (await gone("/silent")) ? true : undefined,
    );
    const silentAfterMs = Date.now() - started;
    console.log(
      `expiry with a 4 s timeout: closed socket after ${closedAfterMs} ms, silent open socket after ${silentAfterMs} ms (check interval ${checkMs} ms)`,
    );
    expect(closedAfterMs).toBeGreaterThanOrEqual(4_000);
    expect(silentAfterMs).toBeGreaterThanOrEqual(4_000);
    silent.ws.close();
  });
});
