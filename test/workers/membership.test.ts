// Membership that changes while the ensemble serves (POST /v1/admin/members): grow 3 → 5 and
// shrink back under a write load, replace a wiped member, and an observer that serves reads,
// sessions and watches and whose failure does not stop writes. Each scenario runs in an ensemble
// of its own, so the default ensemble other files use keeps its members.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import { forget } from "../../src/api/ensemble-lookup.ts";
import { initialMembers } from "../../src/core/live-members.ts";
import { callJson as call, eventually, show } from "./ensemble-harness.ts";
import { SessionClient } from "./session-client.ts";

const memberOf = (name: string, i: number) => env.MEMBER.getByName(`${name}/${i}`);

async function created(name: string): Promise<void> {
  const res = await call("/v1/ensembles", { method: "POST", json: { name, size: 3 } });
  expect(res.status, show(res.body)).toBe(201);
}

async function reconfig(name: string, json: unknown) {
  const res = await call(`/v1/e/${name}/admin/members`, { method: "POST", json });
  expect(res.status, show(res.body)).toBe(200);
  return res.body as {
    member: number;
    voters: number[];
    observers: number[];
    tookMs: number;
    steps: Array<{ change: string; atMs: number }>;
  };
}

/** Every listed member has applied the same index with the same digest. */
function converged(name: string, ids: readonly number[]): Promise<MemberStatus[]> {
  return eventually(`${name} members ${ids.join(",")} to converge`, async () => {
    const view = await Promise.all(ids.map((i) => memberOf(name, i).status()));
    const first = view[0] as MemberStatus;
    return view.every(
      (s) =>
        s.appliedIndex === first.appliedIndex &&
        s.digest === first.digest &&
        s.commitIndex === s.appliedIndex,
    )
      ? view
      : undefined;
  });
}

/**
 * Writers that create nodes under /load through the HTTP API for as long as `running` says,
 * retrying a request that failed with a retryable status (what the SDK does): every write whose
 * create was acknowledged is recorded, and nothing but a retry is allowed to fail.
 */
function writeLoad(name: string, writers: number) {
  const acked: string[] = [];
  const failures: string[] = [];
  let retries = 0;
  let running = true;
  const marks: Array<{ atMs: number; acked: number }> = [];
  const one = async (w: number) => {
    for (let i = 0; running; i++) {
      const path = `/load/w${w}-${i}`;
      for (let attempt = 0; ; attempt++) {
        const res = await call(`/v1/e/${name}/znodes${path}`, { method: "POST", body: "x" });
        if (res.status === 201) {
          acked.push(path);
          // Inside workerd a loop of calls that never waits on a timer starves every timer
          // (the route's retries, the test's own): each writer pauses a moment between writes.
          await scheduler.wait(5);
          break;
        }
        // A retried create may find its own earlier attempt applied.
        if (res.status === 409 && attempt > 0) {
          acked.push(path);
          break;
        }
        if (res.status !== 503 || attempt >= 50) {
          failures.push(`${path}: ${res.status} ${show(res.body)}`);
          break;
        }
        retries++;
        await scheduler.wait(20);
      }
    }
  };
  const done = Promise.all(Array.from({ length: writers }, (_, w) => one(w)));
  return {
    acked,
    failures,
    get retries() {
      return retries;
    },
    mark() {
      marks.push({ atMs: Date.now(), acked: acked.length });
    },
    /** Acknowledged writes per second between two marks. */
    rate(from: number, to: number): number {
      const a = marks[from];
      const b = marks[to];
      if (!a || !b) return 0;
      return Math.round(((b.acked - a.acked) * 1000) / Math.max(1, b.atMs - a.atMs));
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

async function children(name: string, path: string): Promise<string[]> {
  const res = await call(`/v1/e/${name}/znodes${path}?children&consistency=linearizable`);
  expect(res.status, show(res.body)).toBe(200);
  return res.body.children as string[];
}

describe("membership changes", () => {
  it("grows 3 → 5 and shrinks back (the leader removed too) under a write load, losing no acknowledged write", async () => {
    const name = "grow";
    await created(name);
    expect((await call(`/v1/e/${name}/znodes/load`, { method: "POST" })).status).toBe(201);
    const load = writeLoad(name, 4);
    await eventually("writes flowing", async () => (load.acked.length >= 20 ? true : undefined));
    load.mark();
    await scheduler.wait(1_000); // a baseline second of writes, for the figure printed below
    load.mark();
    const three = await reconfig(name, { action: "add", role: "voter" });
    expect(three).toMatchObject({ member: 3, voters: [0, 1, 2, 3], observers: [] });
    const four = await reconfig(name, { action: "add", role: "voter" });
    expect(four).toMatchObject({ member: 4, voters: [0, 1, 2, 3, 4] });
    load.mark();
    // Shrink back: the leader goes first (it hands leadership over), then another.
    const members = await call(`/v1/e/${name}/admin/members`);
    const leader = members.body.leader as number;
    expect(members.body.voters).toEqual([0, 1, 2, 3, 4]);
    const first = await reconfig(name, { action: "remove", member: leader });
    expect(first.voters).not.toContain(leader);
    const second = first.voters.find((v) => v !== 0) as number;
    const final = await reconfig(name, { action: "remove", member: second });
    expect(final.voters).toHaveLength(3);
    load.mark();
    await scheduler.wait(500);
    await load.stop();
    expect(load.failures).toEqual([]);
    const stored = new Set(await children(name, "/load"));
    const lost = load.acked.filter((p) => !stored.has(p.slice("/load/".length)));
    expect(lost).toEqual([]);
    await converged(name, final.voters);
    // The removed members are gone for good: they answer nothing, and routers skip them.
    for (const removed of [leader, second]) {
      const answer = await call(`/v1/e/${name}/admin/ruok?member=${removed}`);
      expect(answer.status).toBe(400);
      const direct = await memberOf(name, removed)
        .load()
        .then(
          () => "answered",
          (e: unknown) => String(e),
        );
      expect(direct).toMatch(/removed from its ensemble/);
    }
    const listed = await call(`/v1/e/${name}/admin/members`);
    expect(listed.body).toMatchObject({ voters: final.voters, observers: [] });
    expect((listed.body.retired as number[]).sort()).toEqual([leader, second].sort());
    console.log(
      `membership grow/shrink: add voter 3 ${three.tookMs} ms, add voter 4 ${four.tookMs} ms, ` +
        `remove leader ${leader} ${first.tookMs} ms, remove ${second} ${final.tookMs} ms; ` +
        `acked writes/s before ${load.rate(0, 1)}, while growing ${load.rate(1, 2)}, ` +
        `while shrinking ${load.rate(2, 3)}; ${load.acked.length} acked, ${load.retries} retried`,
    );
    await call(`/v1/ensembles/${name}`, { method: "DELETE" });
  });

  it("replaces a member that lost its storage with a new one", async () => {
    const name = "mend";
    await created(name);
    for (let i = 0; i < 30; i++)
      expect((await call(`/v1/e/${name}/znodes/n${i}`, { method: "POST" })).status).toBe(201);
    await memberOf(name, 1).wipe();
    const added = await reconfig(name, { action: "add", role: "voter" });
    expect(added).toMatchObject({ member: 3, voters: [0, 1, 2, 3] });
    const removed = await reconfig(name, { action: "remove", member: 1 });
    expect(removed.voters).toEqual([0, 2, 3]);
    // Again: nothing changes (the member is retired once more); strangers and voters are refused.
    expect((await reconfig(name, { action: "remove", member: 1 })).voters).toEqual([0, 2, 3]);
    for (const bad of [
      { action: "remove", member: 9 },
      { action: "promote", member: 2 },
      { action: "add", role: "leader" },
    ]) {
      const refused = await call(`/v1/e/${name}/admin/members`, { method: "POST", json: bad });
      expect(refused, show(bad)).toMatchObject({
        status: 400,
        body: { error: { name: "BADARGUMENTS" } },
      });
    }
    expect((await call(`/v1/e/${name}/znodes/after`, { method: "POST" })).status).toBe(201);
    const view = await converged(name, [0, 2, 3]);
    expect(view.map((s) => s.nodeCount)).toEqual(view.map(() => view[0]?.nodeCount));
    expect((await children(name, "/")).filter((c) => c.startsWith("n"))).toHaveLength(30);
    // A change whose record the registry lost is recorded again by the next listing.
    const registry = env.REGISTRY.getByName("registry");
    await registry.setMembership(name, initialMembers(3));
    forget(name);
    expect((await call(`/v1/e/${name}/admin/members`)).body.voters).toEqual([0, 2, 3]);
    expect(await registry.membership(name)).toMatchObject({ voters: [0, 2, 3], retired: [1] });
    // getConfig's node names the live membership.
    const config = await call(`/v1/e/${name}/znodes/zookeeper/config`);
    expect(config.body.data).toMatch(
      /^server\.0=member-0:participant\nserver\.2=member-2:participant\nserver\.3=member-3:participant\nversion=[0-9a-f]+\n$/,
    );
    await call(`/v1/ensembles/${name}`, { method: "DELETE" });
  });

  it("adds an observer that serves reads, sessions and watches, and whose failure leaves writes alone", async () => {
    const name = "watch";
    await created(name);
    expect((await call(`/v1/e/${name}/znodes/before`, { method: "POST" })).status).toBe(201);
    const initial = await call(`/v1/e/${name}/znodes/zookeeper/config`);
    expect(initial.body.data).toBe(
      "server.0=member-0:participant\nserver.1=member-1:participant\nserver.2=member-2:participant\nversion=0\n",
    );
    const added = await reconfig(name, { action: "add", role: "observer", region: "weur" });
    expect(added).toMatchObject({ member: 3, voters: [0, 1, 2], observers: [3] });
    const listed = await call(`/v1/e/${name}/admin/members`);
    expect(listed.body.members).toContainEqual(
      expect.objectContaining({ member: 3, role: "observer", reachable: true, region: "weur" }),
    );
    const config = await call(`/v1/e/${name}/znodes/zookeeper/config`);
    expect(config.body.data).toMatch(/server\.3=member-3:observer\nversion=[0-9a-f]+\n$/);
    // A session on the observer: it reads what was written before, and hears later writes.
    const watcher = await SessionClient.openAt(`/v1/e/${name}/session?member=3`);
    const ws = watcher.ws;
    await watcher.connect();
    const before = await watcher.request({ op: "exists", path: "/before" });
    expect(before.stat, show(before)).toMatchObject({ czxid: expect.any(Number) });
    await watcher.request({ op: "addWatch", path: "/", mode: "persistentRecursive" });
    expect((await call(`/v1/e/${name}/znodes/heard`, { method: "POST" })).status).toBe(201);
    expect(await watcher.take("the event", (f) => f.type === "event")).toMatchObject({
      path: "/heard",
    });
    // A write from the observer's session goes through the leader.
    const made = await watcher.request({ op: "create", path: "/from-observer", data: "o" });
    expect(made, show(made)).toMatchObject({ type: "reply", path: "/from-observer" });
    expect((await call(`/v1/e/${name}/znodes/from-observer`)).body.data).toBe("o");
    ws.close();
    // The observer never counts toward a quorum: cut off, writes go on.
    await memberOf(name, 3).setFaults({ down: true, dropTo: [0, 1, 2], dropFrom: [0, 1, 2] });
    for (let i = 0; i < 10; i++)
      expect((await call(`/v1/e/${name}/znodes/without-${i}`, { method: "POST" })).status).toBe(
        201,
      );
    await memberOf(name, 3).setFaults({ down: false, dropTo: [], dropFrom: [] });
    await converged(name, [0, 1, 2, 3]);
    // The ensemble's description lists the observer, where it was placed.
    const described = await call(`/v1/ensembles/${name}`);
    expect(described.body.members).toContainEqual({ member: 3, region: "weur" });
    const promoted = await reconfig(name, { action: "promote", member: 3 });
    expect(promoted).toMatchObject({ voters: [0, 1, 2, 3], observers: [] });
    await call(`/v1/ensembles/${name}`, { method: "DELETE" });
  });
});
