// Many ensembles in one deployment: created through /v1/ensembles with their own size and
// regions, each reached at /v1/e/<name>/…, isolated from each other and from the default one,
// and deleted with their members' storage.

import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson, eventually } from "./ensemble-harness.ts";
import { SessionClient } from "./session-client.ts";

const call = callJson;

const create = (json: unknown) => call("/v1/ensembles", { method: "POST", json });

/** Members of `name` and their roles, once one of them leads. */
const led = (name: string) =>
  eventually(`a leader in ${name}`, async () => {
    const view = await call(`/v1/e/${name}/admin/ensemble`);
    const members = view.body.members as Array<{
      role: string;
      reachable: boolean;
      region: string | null;
    }>;
    return members?.filter((m) => m.role === "leader").length === 1 ? members : undefined;
  });

describe("ensembles", () => {
  it("creates ensembles of 3 and 5 members, placed in the regions given, and lists them", async () => {
    const alpha = await create({ name: "alpha", size: 3, regions: ["weur", "enam", "apac"] });
    expect(alpha).toMatchObject({
      status: 201,
      body: {
        name: "alpha",
        size: 3,
        state: "ready",
        url: "/v1/e/alpha",
        members: [
          { member: 0, region: "weur" },
          { member: 1, region: "enam" },
          { member: 2, region: "apac" },
        ],
      },
    });
    expect((await create({ name: "beta", size: 5 })).status).toBe(201);
    // The same create again is answered as done; a different one for the name is a conflict.
    expect(
      (await create({ name: "alpha", size: 3, regions: ["weur", "enam", "apac"] })).status,
    ).toBe(201);
    expect(await create({ name: "alpha", size: 5 })).toMatchObject({
      status: 409,
      body: { error: { name: "NODEEXISTS" } },
    });
    expect((await create({ name: "default" })).status).toBe(409);
    for (const bad of [
      { name: "Upper" },
      { name: "-x" },
      { name: "a".repeat(33) },
      { name: "four", size: 4 },
      { name: "moon", regions: ["moon"] },
      { name: "many", size: 3, regions: ["weur", "enam", "apac", "oc"] },
    ])
      expect((await create(bad)).status, JSON.stringify(bad)).toBe(400);

    const list = (await call("/v1/ensembles")).body.ensembles as Array<{
      name: string;
      default: boolean;
    }>;
    expect(list.map((e) => e.name)).toEqual(["default", "alpha", "beta"]);
    expect(list[0]?.default).toBe(true);

    const alphaMembers = await led("alpha");
    expect(alphaMembers.map((m) => m.region)).toEqual(["weur", "enam", "apac"]);
    expect(await led("beta")).toHaveLength(5);
    expect((await call("/v1/ensembles/beta")).body).toMatchObject({ name: "beta", size: 5 });
    // Its Prometheus page counts its own five members.
    const metrics = await exports.default.fetch(
      new Request("http://edgekeeper.test/v1/e/beta/metrics"),
    );
    const up = (await metrics.text())
      .split("\n")
      .filter((l) => l.startsWith("edgekeeper_member_up{"));
    expect(up).toHaveLength(5);
  });

  it("keeps each ensemble's tree, sessions and watches to itself", async () => {
    await led("alpha");
    await led("beta");
    expect(
      (await call("/v1/e/alpha/znodes/shared", { method: "POST", body: "alpha's" })).status,
    ).toBe(201);
    expect(
      (await call("/v1/e/beta/znodes/shared", { method: "POST", body: "beta's" })).status,
    ).toBe(201);
    expect((await call("/v1/e/alpha/znodes/shared")).body.data).toBe("alpha's");
    expect((await call("/v1/e/beta/znodes/shared")).body.data).toBe("beta's");
    expect((await call("/v1/znodes/shared")).status).toBe(404);
    // The default ensemble is where it always was: /v1/e/default is another name for /v1.
    expect((await call("/v1/e/default/znodes/shared")).status).toBe(404);

    // A watcher in alpha hears alpha's writes and nothing of beta's.
    const watcher = await SessionClient.openAt("/v1/e/alpha/session?member=1");
    const ws = watcher.ws;
    await watcher.connect();
    await watcher.request({ op: "addWatch", path: "/", mode: "persistentRecursive" });
    expect((await call("/v1/e/beta/znodes/heard-nowhere", { method: "POST" })).status).toBe(201);
    expect((await call("/v1/e/alpha/znodes/heard-here", { method: "POST" })).status).toBe(201);
    const event = await watcher.take("alpha's event", (f) => f.type === "event");
    expect(event).toMatchObject({ path: "/heard-here" });
    expect(watcher.frames.filter((f) => f.type === "event")).toEqual([]);
    ws.close();

    // A session of alpha means nothing to beta.
    const session = (
      await call("/v1/e/alpha/sessions", { method: "POST", json: { timeoutMs: 10_000 } })
    ).body;
    const headers = {
      "x-session-id": String(session.sessionId),
      "x-session-password": String(session.password),
    };
    expect(
      (await call("/v1/e/alpha/znodes/mine?mode=ephemeral", { method: "POST", headers })).status,
    ).toBe(201);
    expect(
      (await call("/v1/e/beta/znodes/mine?mode=ephemeral", { method: "POST", headers })).status,
    ).toBeGreaterThanOrEqual(400);
  });

  it("sends a client without a chosen member to the one nearest to it", async () => {
    await led("alpha");
    const socketFrom = async (cf: Record<string, unknown>) => {
      const res = await exports.default.fetch(
        new Request("http://edgekeeper.test/v1/e/alpha/session", {
          headers: { upgrade: "websocket" },
          cf,
        }),
      );
      const ws = res.webSocket;
      if (!ws) throw new Error(`no socket (${res.status})`);
      ws.accept();
      const client = new SessionClient(ws);
      await client.connect();
      return client;
    };
    const connectionsAt = async (member: number) =>
      ((await call(`/v1/e/alpha/admin/cons?member=${member}`)).body.connections as unknown[])
        .length;
    const before = [await connectionsAt(0), await connectionsAt(2)];
    // alpha's members are in weur, enam and apac: three clients from Tokyo, two from Paris (by
    // chance alone all five would land so once in 243 runs).
    const clients = [];
    for (let n = 0; n < 3; n++)
      clients.push(await socketFrom({ continent: "AS", country: "JP", longitude: "139.7" }));
    for (let n = 0; n < 2; n++)
      clients.push(await socketFrom({ continent: "EU", country: "FR", longitude: "2.35" }));
    expect([await connectionsAt(0), await connectionsAt(2)]).toEqual([
      (before[0] ?? 0) + 2,
      (before[1] ?? 0) + 3,
    ]);
    for (const c of clients) c.ws.close();
  });

  it("holds an ensemble to its own caps on znodes, data and sessions, and no other", async () => {
    const tiny = await create({
      name: "tiny",
      limits: { maxZnodes: 6, maxTreeBytes: 100, maxSessions: 2 },
    });
    expect(tiny).toMatchObject({
      status: 201,
      body: { limits: { maxZnodes: 6, maxTreeBytes: 100, maxSessions: 2 } },
    });
    expect((await create({ name: "bad-limit", limits: { maxZnodes: 0 } })).status).toBe(400);
    await led("tiny");
    // 4 system nodes, then 2 of ours.
    for (const n of [1, 2])
      expect((await call(`/v1/e/tiny/znodes/n${n}`, { method: "POST", body: "x" })).status).toBe(
        201,
      );
    expect(await call("/v1/e/tiny/znodes/n3", { method: "POST", body: "x" })).toMatchObject({
      status: 413,
      body: {
        error: {
          name: "QUOTAEXCEEDED",
          message: "The ensemble holds 6 znodes, its limit (maxZnodes)",
        },
      },
    });
    expect(
      (await call("/v1/e/tiny/znodes/n1", { method: "PUT", body: "y".repeat(200) })).body,
    ).toMatchObject({ error: { name: "QUOTAEXCEEDED" } });
    for (const expected of [201, 201, 429])
      expect(
        (await call("/v1/e/tiny/sessions", { method: "POST", json: { timeoutMs: 10_000 } })).status,
      ).toBe(expected);
    // Other ensembles keep the deployment's limits.
    expect((await call("/v1/e/alpha/znodes/n3", { method: "POST", body: "x" })).status).toBe(201);
  });

  it("answers 404 for an ensemble that does not exist", async () => {
    expect(await call("/v1/e/nowhere/znodes/x")).toMatchObject({
      status: 404,
      body: { error: { name: "NONODE", message: 'Ensemble "nowhere" does not exist' } },
    });
    expect((await call("/v1/ensembles/nowhere")).status).toBe(404);
    // A malformed name is just a name that does not exist, never a crash.
    expect((await call("/v1/e/%E0%A4%A/znodes/x")).status).toBe(404);
    expect((await call("/v1/ensembles/nowhere", { method: "DELETE" })).status).toBe(404);
    expect((await call("/v1/ensembles/default", { method: "DELETE" })).status).toBe(400);
  });

  it("deletes an ensemble with its members' storage", async () => {
    expect((await create({ name: "gone", size: 3 })).status).toBe(201);
    await led("gone");
    for (let n = 0; n < 20; n++)
      expect(
        (await call(`/v1/e/gone/znodes/n${n}`, { method: "POST", body: "x".repeat(1000) })).status,
      ).toBe(201);
    const deleted = await call("/v1/ensembles/gone", { method: "DELETE" });
    expect(deleted).toMatchObject({ status: 200, body: { name: "gone", deleted: true } });
    const left = deleted.body.bytesLeft as number[];
    expect(left).toHaveLength(3);
    for (const bytes of left) expect(bytes).toBeLessThan(16 * 1024);
    expect((await call("/v1/e/gone/znodes/n0")).status).toBe(404);
    expect(
      ((await call("/v1/ensembles")).body.ensembles as Array<{ name: string }>).map((e) => e.name),
    ).not.toContain("gone");
    // Reaching a member of the deleted ensemble makes no tables again.
    const tables = await runInDurableObject(env.MEMBER.getByName("gone/0"), (_, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
    );
    expect(tables).toEqual([]);
    // The name can be used again, starting empty.
    expect((await create({ name: "gone", size: 3 })).status).toBe(201);
    await led("gone");
    expect((await call("/v1/e/gone/znodes/n0")).status).toBe(404);
  });
});
