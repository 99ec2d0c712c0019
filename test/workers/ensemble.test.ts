// The ensemble on real Durable Objects: election, replication, leader failure, partitions and a
// wiped member catching up by snapshot; every scenario ends with equal digests everywhere.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  converged,
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

describe("ensemble", () => {
  it("elects one leader and replicates writes made through any member", async () => {
    const leader = await stableLeader();
    const all = await statuses();
    expect(all.filter((s) => s.role === "leader").map((s) => s.id)).toEqual([leader]);
    for (const i of ids) {
      const answer = await create(i, `/via-${i}`, `written at ${i}`);
      expect(answer.ok, show(answer)).toBe(true);
      // The member that took the write answers only after applying it itself.
      const read = await member(i).read({ op: "getData", path: `/via-${i}` });
      expect(read.ok).toBe(true);
    }
    const view = await converged();
    expect(new Set(view.map((s) => s.digest)).size).toBe(1);
    for (const i of ids) {
      const read = await member(i).read({ op: "getChildren", path: "/" });
      expect(read.ok && "children" in read.value && read.value.children).toEqual(
        expect.arrayContaining(ids.map((j) => `via-${j}`)),
      );
    }
  });

  it("elects another leader when the leader dies, and writes continue", async () => {
    const old = await stableLeader();
    await isolate(old);
    await evictDurableObject(member(old));
    const rest = ids.filter((i) => i !== old);
    const next = await stableLeader(rest);
    expect(next).not.toBe(old);
    const follower = rest.find((i) => i !== next) as number;
    const answer = await create(follower, "/after-failover");
    expect(answer.ok, show(answer)).toBe(true);
    await heal();
    const view = await converged();
    expect(view.every((s) => s.nodeCount === view[0]?.nodeCount)).toBe(true);
    const back = await member(old).read({ op: "exists", path: "/after-failover" });
    expect(back.ok).toBe(true);
  });

  it("keeps a partitioned minority from committing, and lets it rejoin when healed", async () => {
    const leader = await stableLeader();
    const cut = ids.find((i) => i !== leader) as number;
    await isolate(cut);
    const before = (await member(cut).status()).commitIndex;
    const refused = await create(cut, "/from-the-minority");
    expect(refused.ok).toBe(false);
    for (let n = 0; n < 5; n++) expect((await create(leader, `/majority-${n}`)).ok).toBe(true);
    const during = await member(cut).status();
    expect(during.commitIndex).toBe(before);
    expect((await member(leader).read({ op: "exists", path: "/from-the-minority" })).ok).toBe(
      false,
    );
    await heal();
    const view = await converged();
    expect(view.map((s) => s.appliedIndex)).toEqual(ids.map(() => view[0]?.appliedIndex));
    expect((await member(cut).read({ op: "exists", path: "/majority-4" })).ok).toBe(true);
  });

  it("brings a wiped member back through a snapshot streamed in chunks", async () => {
    const leader = await stableLeader();
    // Past one 1 MiB chunk: the snapshot has to arrive in pieces and be rebuilt from them.
    for (let n = 0; n < 6; n++)
      expect((await create(leader, `/big-${n}`, "b".repeat(400_000))).ok).toBe(true);
    for (let n = 0; n < 60; n++)
      expect((await create(leader, `/bulk-${n}`, "x".repeat(50))).ok).toBe(true);
    await eventually("the leader to compact its log", async () =>
      (await member(leader).status()).snapshotIndex > 0 ? true : undefined,
    );
    const victim = ids.find((i) => i !== leader) as number;
    await member(victim).wipe();
    const view = await converged();
    const restored = view.find((s) => s.id === victim);
    expect(restored?.snapshotIndex).toBeGreaterThan(0);
    const received = restored?.snapshotReceived;
    expect(received?.chunks).toBeGreaterThanOrEqual(3);
    expect(received?.bytes).toBeGreaterThan(6 * 400_000);
    const sent = (await member(leader).status()).snapshotSent;
    expect(sent).toMatchObject({ peer: victim, index: received?.index, chunks: received?.chunks });
    expect((await member(victim).read({ op: "getData", path: "/bulk-59" })).ok).toBe(true);
    // Neither side keeps its copy of the tree once the transfer is over.
    const copyRows = (at: number, table: string) =>
      runInDurableObject(
        member(at),
        async (_, state) =>
          state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n,
      );
    await eventually("the leader to drop its frozen copy", async () =>
      (await copyRows(leader, "snap_out_znode")) === 0 ? true : undefined,
    );
    expect(await copyRows(victim, "snap_in_znode")).toBe(0);
    const big = await member(victim).read({ op: "getData", path: "/big-5" });
    expect(big.ok && "data" in big.value ? big.value.data.length : -1).toBe(400_000);
  });
});

describe("session liveness", () => {
  it("expires a silent session through the leader, deleting its ephemerals everywhere, and keeps a touched one", async () => {
    const leader = await stableLeader();
    const follower = ids.find((i) => i !== leader) as number;
    const open = [{ perms: 31, scheme: "world", id: "anyone" }];
    const sessionOf = async (at: number) => {
      const r = await member(at).submit({ op: "createSession", timeoutMs: 4000 }, { authIds: [] });
      if (!r.ok || r.result.type !== "createSession") throw new Error(show(r));
      return r.result.sessionId;
    };
    const silent = await sessionOf(follower);
    const alive = await sessionOf(follower);
    for (const [name, sessionId] of [
      ["silent", silent],
      ["alive", alive],
    ] as const) {
      const r = await member(follower).submit(
        { op: "create", path: `/eph-${name}`, data: new Uint8Array(), acl: open, mode: 1 },
        { sessionId, authIds: [] },
      );
      expect(r.ok, show(r)).toBe(true);
    }
    // The live client keeps talking to its member, which reports the activity to the leader.
    await eventually("the silent session to expire", async () => {
      await member(follower).touchSessions([alive]);
      const gone = await member(follower).read({ op: "exists", path: "/eph-silent" });
      return gone.ok ? undefined : gone;
    });
    const view = await converged();
    for (const s of view) {
      const silentNode = await member(s.id).read({ op: "exists", path: "/eph-silent" });
      const aliveNode = await member(s.id).read({ op: "exists", path: "/eph-alive" });
      expect(silentNode.ok ? "present" : silentNode.failure.name).toBe("NONODE");
      expect(aliveNode.ok).toBe(true);
    }
    const closed = await member(leader).submit(
      { op: "create", path: "/late", data: new Uint8Array(), acl: open, mode: 0 },
      { sessionId: silent, authIds: [] },
    );
    expect(closed.ok ? "OK" : closed.failure.name).toBe("UNKNOWNSESSION");
  });
});
