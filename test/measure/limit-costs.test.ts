// Measures the worst request each default limit still allows: how long it holds a member. Not
// part of `npm test`: run `npm run measure -- limit-costs`. It prints figures and asserts only
// that each request was served (and the first past the limit refused).

import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Member } from "../../durable-objects/member.ts";
import { SqlTreeStore } from "../../durable-objects/sql-tree-store.ts";
import { defaultLimits } from "../../src/access/limits.ts";
import { stableLeader } from "../workers/ensemble-harness.ts";
import { SessionClient } from "../workers/session-client.ts";

const post = (path: string, body: unknown) =>
  exports.default.fetch(
    new Request(`http://edgekeeper.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await run();
  console.log(`${what}: ${(performance.now() - start).toFixed(0)} ms`);
  return out;
}

describe("the worst request each limit allows", () => {
  it("setWatches with maxSetWatchesPaths missing nodes, after a full change log", async () => {
    await stableLeader();
    const c = await SessionClient.open(1);
    await c.connect();
    // Fill the change log the missing nodes' synthetic events are looked up in.
    for (let i = 0; i < 50; i++) {
      const ops = Array.from({ length: 100 }, (_, j) => ({
        op: "create",
        path: `/churn-${i}-${j}`,
      }));
      expect((await post("/v1/multi", { ops })).status).toBe(200);
    }
    const paths = Array.from({ length: defaultLimits.maxSetWatchesPaths }, (_, i) => `/gone/${i}`);
    const reply = await timed(`setWatches, ${paths.length} data paths (all missing)`, () =>
      c.request({ op: "setWatches", lastZxid: 1, data: paths }),
    );
    expect(reply).not.toHaveProperty("error");
    const c2 = await SessionClient.open(1);
    await c2.connect();
    const exist = await timed(`setWatches, ${paths.length} exist paths`, () =>
      c2.request({ op: "setWatches", lastZxid: 1, exist: paths }),
    );
    expect(exist).not.toHaveProperty("error");
    const c3 = await SessionClient.open(1);
    await c3.connect();
    const over = await c3.request({
      op: "setWatches",
      lastZxid: 1,
      exist: [...paths, "/one-more"],
    });
    expect(over).toMatchObject({ error: { name: "BADARGUMENTS" } });
  });

  it("multiRead up to maxReplyBytes, and the largest log entry", async () => {
    const data = "d".repeat(200_000);
    expect((await post("/v1/znodes/big", { data })).status).toBe(201);
    const ops = Array.from({ length: 5 }, () => ({ op: "getData", path: "/big" }));
    const res = await timed("multiRead of 5 × 200,000 bytes (1,000,000 of 1 MiB)", () =>
      post("/v1/multi-read", { ops }),
    );
    expect(res.status).toBe(200);
    const refused = await timed("multiRead of 6 × 200,000 bytes (refused while building)", () =>
      post("/v1/multi-read", { ops: [...ops, { op: "getData", path: "/big" }] }),
    );
    expect(refused.status).toBe(413);
    const long = "p".repeat(4_000);
    const creates = Array.from({ length: 350 }, (_, i) => ({ op: "create", path: `/${long}${i}` }));
    const entry = await timed(
      "a multi of 350 creates with 4,000-character paths (≈1.4 MB entry)",
      () => post("/v1/multi", { ops: creates }),
    );
    expect(entry.status).toBe(200);
  });

  it("closing a session that holds maxEphemeralsPerSession ephemerals", async () => {
    const made = (await (await post("/v1/sessions", { timeoutMs: 30_000 })).json()) as {
      sessionId: string;
      password: string;
    };
    const session = { "x-session-id": made.sessionId, "x-session-password": made.password };
    await post("/v1/znodes/eph", { data: "" });
    for (let i = 0; i < defaultLimits.maxEphemeralsPerSession; i += 100) {
      const ops = Array.from({ length: 100 }, (_, j) => ({
        op: "create",
        path: `/eph/e${i + j}`,
        mode: "ephemeral",
      }));
      const res = await exports.default.fetch(
        new Request("http://edgekeeper.test/v1/multi", {
          method: "POST",
          headers: { "content-type": "application/json", ...session },
          body: JSON.stringify({ ops }),
        }),
      );
      expect(res.status).toBe(200);
    }
    const closed = await timed(
      `closeSession with ${defaultLimits.maxEphemeralsPerSession} ephemerals`,
      () =>
        exports.default.fetch(
          new Request(`http://edgekeeper.test/v1/sessions/${made.sessionId}`, {
            method: "DELETE",
            headers: session,
          }),
        ),
    );
    expect(closed.status).toBe(200);
  });

  it("maxOutstandingRequests pipelined on one connection", async () => {
    const c = await SessionClient.open(2);
    await c.connect();
    const n = defaultLimits.maxOutstandingRequests;
    await timed(`${n} pipelined getData on one connection, all answered`, async () => {
      const ids = Array.from({ length: n }, () => c.send({ op: "getData", path: "/big" }));
      for (const id of ids) await c.take(`reply ${id}`, (f) => f.type === "reply" && f.id === id);
    });
  });

  it("one write fanned out to many sockets watching the whole tree", async () => {
    const sockets = 1_000;
    const clients: SessionClient[] = [];
    await timed(`${sockets} sockets connected with a recursive watch on /`, async () => {
      for (let i = 0; i < sockets; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, async () => {
            const c = await SessionClient.open(0);
            await c.connect();
            await c.request({ op: "addWatch", path: "/", mode: "persistentRecursive" });
            return c;
          }),
        );
        clients.push(...batch);
      }
    });
    await timed(`a write heard by all ${sockets}`, async () => {
      expect((await post("/v1/znodes/fan-out", { data: "x" })).status).toBe(201);
      for (const c of clients)
        await c.take("the event", (f) => f.type === "event" && f.path === "/fan-out");
    });
    for (const c of clients) c.ws.close(1000, "done");
  });

  it("maxLongPolls waiting at one member, woken by one write", async () => {
    const since = Number(((await (await post("/v1/sync", {})).json()) as { zxid: number }).zxid);
    const n = defaultLimits.maxLongPolls;
    const polls = Array.from({ length: n }, () =>
      exports.default.fetch(
        new Request(`http://edgekeeper.test/v1/watch/polled?since=${since}&wait=30`),
      ),
    );
    await scheduler.wait(2_000);
    const answers = await timed(`${n} long polls answered after one write`, async () => {
      expect((await post("/v1/znodes/polled", { data: "x" })).status).toBe(201);
      return Promise.all(polls);
    });
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });

  it("the session count a createSession checks, at maxSessions open", async () => {
    const scratch = env.MEMBER.get(env.MEMBER.newUniqueId());
    await runInDurableObject(scratch, (_: Member, state) => {
      const store = new SqlTreeStore(state.storage.sql);
      for (let i = 1; i <= defaultLimits.maxSessions; i++) {
        store.putSession({
          id: BigInt(i),
          timeoutMs: 30_000,
          createdZxid: i,
          lastSeq: 0,
          lastZxid: 0,
          lastResult: new Uint8Array(),
        });
      }
      const start = performance.now();
      const open = store.sessionCount();
      console.log(
        `sessionCount() over ${open} sessions: ${(performance.now() - start).toFixed(1)} ms`,
      );
      expect(open).toBe(defaultLimits.maxSessions);
    });
  });
});
