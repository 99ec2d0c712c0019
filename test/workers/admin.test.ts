// Admin commands and metrics: what they report matches the ensemble, and they sit behind auth.

import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/api/app.ts";
import { MemoryTreeStore } from "../../src/core/tree/memory-tree-store.ts";
import { restoreSnapshot } from "../../src/core/tree/snapshot.ts";
import { converged, create, member, stableLeader } from "./ensemble-harness.ts";

const get = (path: string) => exports.default.fetch(new Request(`http://edgekeeper.test${path}`));

describe("admin commands", () => {
  it("answer ruok, srvr, mntr and the ensemble view from the members", async () => {
    const leader = await stableLeader();
    await exports.default.fetch(
      new Request("http://edgekeeper.test/v1/znodes/admin-probe", { method: "POST", body: "x" }),
    );
    expect(await (await get("/v1/admin/ruok")).json()).toMatchObject({
      command: "ruok",
      answer: "imok",
    });
    expect(await (await get(`/v1/admin/srvr?member=${leader}`)).json()).toMatchObject({
      command: "srvr",
      server_state: "leader",
      member: leader,
    });
    const mntr = (await (await get("/v1/admin/mntr?member=0")).json()) as Record<string, unknown>;
    expect(mntr).toMatchObject({ command: "mntr", zk_znode_count: 5 });
    const ensemble = (await (await get("/v1/admin/ensemble")).json()) as {
      members: Array<{ role: string; reachable: boolean; voters: number[]; learners: number[] }>;
    };
    expect(ensemble.members.filter((m) => m.role === "leader")).toHaveLength(1);
    // The configuration in force at each member: the ensemble's first voters, no learners.
    for (const m of ensemble.members) expect(m).toMatchObject({ voters: [0, 1, 2], learners: [] });
    expect(ensemble.members.every((m) => m.reachable)).toBe(true);
    expect((await get("/v1/admin/srvr?member=9")).status).toBe(400);
  });

  it("report connections and watches (cons, wchs)", async () => {
    await stableLeader();
    const res = await exports.default.fetch(
      new Request("http://edgekeeper.test/v1/session?member=1", {
        headers: { upgrade: "websocket" },
      }),
    );
    const ws = res.webSocket;
    if (!ws) throw new Error("no socket");
    ws.accept();
    const frames: string[] = [];
    ws.addEventListener("message", (e) => {
      frames.push(e.data as string);
    });
    ws.send(JSON.stringify({ op: "connect" }));
    ws.send(JSON.stringify({ id: 1, op: "addWatch", path: "/", mode: "persistentRecursive" }));
    const deadline = Date.now() + 10_000;
    while (!frames.some((f) => f.includes('"id":1')) && Date.now() < deadline)
      await scheduler.wait(10);
    const cons = (await (await get("/v1/admin/cons?member=1")).json()) as {
      connections: Array<{ sessionId: string | null }>;
    };
    expect(cons.connections).toHaveLength(1);
    expect(cons.connections[0]?.sessionId).toMatch(/^\d+$/);
    expect(await (await get("/v1/admin/wchs?member=1")).json()).toMatchObject({
      num_connections: 1,
      num_paths: 1,
      num_total_watches: 1,
    });
    ws.close();
  });

  it("stream a member's tree as a snapshot file that restores to the same digest", async () => {
    const leader = await stableLeader();
    for (let n = 0; n < 40; n++)
      expect((await create(leader, `/backup-${n}`, "v".repeat(n * 100))).ok).toBe(true);
    const view = await converged();
    const follower = view.find((s) => s.id !== leader);
    if (!follower) throw new Error("no follower");
    // A snapshot needs an authenticated caller with ALL on / (the root's ACL is open here).
    const res = await exports.default.fetch(
      new Request(`http://edgekeeper.test/v1/admin/snapshot?member=${follower.id}`, {
        headers: { "x-auth-digest": "operator:pw" },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(Number(res.headers.get("x-edgekeeper-snapshot-index"))).toBe(follower.appliedIndex);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const store = new MemoryTreeStore();
    const meta = restoreSnapshot(store, [bytes]);
    expect(meta.lastZxid).toBe(follower.appliedIndex);
    expect(meta.digest.toString()).toBe(follower.digest);
    expect(store.getNode("/backup-39")?.data.length).toBe(3900);
    // The download left the member as it was, and its frozen copy is gone.
    expect((await member(follower.id).status()).digest).toBe(follower.digest);
    const copyRows = await runInDurableObject(
      member(follower.id),
      async (_, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM snap_out_znode").one().n,
    );
    expect(copyRows).toBe(0);
    expect((await get("/v1/admin/snapshot?member=7")).status).toBe(400);
  });

  it("publish Prometheus metrics for every member", async () => {
    await stableLeader();
    const text = await (await get("/metrics")).text();
    expect(text).toContain("# TYPE edgekeeper_is_leader gauge");
    const leaders = [...text.matchAll(/^edgekeeper_is_leader\{member="\d"\} (\d)$/gm)].map((m) =>
      Number(m[1]),
    );
    expect(leaders.reduce((a, b) => a + b, 0)).toBe(1);
    expect(text).toMatch(/^edgekeeper_member_up\{member="2"\} 1$/m);
  });

  it("sit behind bearer auth and need an admin-scoped token", async () => {
    const bindings = {
      ...env,
      AUTH: "on",
      AUTH_TOKENS: "ops:admin:t, app:write:w",
      SESSION_SECRET: "a session secret of at least thirty-two bytes",
    };
    const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect((await app.request("http://x/v1/admin/mntr", {}, bindings)).status).toBe(401);
    expect((await app.request("http://x/metrics", {}, bindings)).status).toBe(401);
    expect((await app.request("http://x/metrics", as("w"), bindings)).status).toBe(403);
    expect((await app.request("http://x/v1/admin/mntr", as("w"), bindings)).status).toBe(403);
    expect((await app.request("http://x/metrics", as("t"), bindings)).status).toBe(200);
  });
});
