// The routes the dashboard reads beyond the znode API: whoami, the session list and an operator's
// close, the ensemble's event stream, each member's traffic and last contact, the test fault hook.

import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import { callJson, eventually, member, size, stableLeader, statuses } from "./ensemble-harness.ts";
import { SessionClient } from "./session-client.ts";

const call = callJson;

interface SessionRow {
  sessionId: string;
  member: number;
  connections: Array<{ member: number; protocol: string; watches: number }>;
  watches: number;
  ephemeralCount: number;
  ephemerals: string[];
}

const sessionsOf = async (query = "") =>
  (await call(`/v1/admin/sessions${query}`)).body as { sessions: SessionRow[]; more: boolean };

afterEach(async () => {
  for (let i = 0; i < size; i++) await member(i).setFaults({ dropTo: [], dropFrom: [] });
});

describe("the dashboard's routes", () => {
  it("whoami says auth is off here, and / sends a browser to the dashboard", async () => {
    expect((await call("/v1/whoami")).body).toEqual({ auth: "off", name: "", scope: "admin" });
    const root = await exports.default.fetch(new Request("http://edgekeeper.test/"), {
      redirect: "manual",
    });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/dashboard/");
  });

  it("lists every session with its member, connections, watches and ephemerals, in pages", async () => {
    await stableLeader();
    const made = (await call("/v1/sessions", { method: "POST", json: { timeoutMs: 20_000 } })).body;
    const id = String(made.sessionId);
    const headers = { "x-session-id": id, "x-session-password": String(made.password) };
    for (const n of [1, 2])
      expect(
        (await call(`/v1/znodes/held-${n}?mode=ephemeral`, { method: "POST", headers })).status,
      ).toBe(201);
    const socket = await SessionClient.open(1);
    const connected = await socket.connect();
    await socket.request({ op: "addWatch", path: "/", mode: "persistentRecursive" });
    const socketId = String(connected.sessionId);

    const listed = await eventually("both sessions listed", async () => {
      const page = await sessionsOf();
      const ids = page.sessions.map((s) => s.sessionId);
      return ids.includes(id) && ids.includes(socketId) ? page : undefined;
    });
    expect(listed.sessions.find((s) => s.sessionId === id)).toMatchObject({
      member: Number(BigInt(id) % BigInt(size)),
      connections: [],
      ephemeralCount: 2,
      ephemerals: ["/held-1", "/held-2"],
    });
    expect(listed.sessions.find((s) => s.sessionId === socketId)).toMatchObject({
      connections: [{ member: 1, protocol: "json", watches: 1 }],
      watches: 1,
      ephemeralCount: 0,
    });
    // One at a time, each page after the last id of the one before, nothing twice.
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const page = await sessionsOf(`?limit=1${after}`);
      expect(page.sessions.length).toBeLessThanOrEqual(1);
      seen.push(...page.sessions.map((s) => s.sessionId));
      if (!page.more) break;
      after = `&after=${page.sessions[0]?.sessionId}`;
    }
    expect([...seen].sort()).toEqual(listed.sessions.map((s) => s.sessionId).sort());
    expect((await call("/v1/admin/sessions?limit=0")).status).toBe(400);
    expect((await call("/v1/admin/sessions?after=nope")).status).toBe(400);
    socket.ws.close();
  });

  it("closes a session as an operator: its ephemerals go, and a second close is refused", async () => {
    await stableLeader();
    const made = (await call("/v1/sessions", { method: "POST", json: { timeoutMs: 20_000 } })).body;
    const id = String(made.sessionId);
    const headers = { "x-session-id": id, "x-session-password": String(made.password) };
    expect(
      (await call("/v1/znodes/owned?mode=ephemeral", { method: "POST", headers })).status,
    ).toBe(201);
    const closed = await call(`/v1/admin/sessions/${id}`, { method: "DELETE" });
    expect(closed).toMatchObject({ status: 200, body: { type: "closeSession", sessionId: id } });
    expect((await call("/v1/znodes/owned")).status).toBe(404);
    expect((await sessionsOf("?limit=1000")).sessions.map((s) => s.sessionId)).not.toContain(id);
    const again = await call(`/v1/admin/sessions/${id}`, { method: "DELETE" });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect((await call("/v1/admin/sessions/zero", { method: "DELETE" })).status).toBe(400);
  });

  it("streams the ensemble as Server-Sent Events, one view per interval", async () => {
    await stableLeader();
    const res = await exports.default.fetch(
      new Request("http://edgekeeper.test/v1/admin/ensemble/stream?interval=250"),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    while ((text.match(/\n\n/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    const views = text
      .split("\n\n")
      .filter((block) => block.includes("data:"))
      .map((block) => {
        expect(block).toMatch(/^event: ensemble$/m);
        const data = block.split("\n").find((l) => l.startsWith("data:")) ?? "";
        return JSON.parse(data.slice(5)) as { members: unknown[]; atMs: number };
      });
    expect(views.length).toBeGreaterThanOrEqual(2);
    expect(views[0]?.members).toHaveLength(size);
    expect(views[1]?.atMs ?? 0).toBeGreaterThanOrEqual((views[0]?.atMs ?? 0) + 200);
    expect((await call("/v1/admin/ensemble/stream?interval=10")).status).toBe(400);
  });

  it("counts each member's client writes and reads, and when it last heard from its peers", async () => {
    const leader = await stableLeader();
    const total = (s: MemberStatus | undefined) =>
      (s?.traffic.buckets ?? []).reduce(
        (n, b) => ({ writes: n.writes + b.writes, reads: n.reads + b.reads }),
        { writes: 0, reads: 0 },
      );
    const before = total(await member(0).status());
    for (let n = 0; n < 3; n++)
      expect((await call(`/v1/znodes/counted-${n}`, { method: "POST" })).status).toBe(201);
    for (let n = 0; n < 5; n++) expect((await call("/v1/znodes/counted-0")).status).toBe(200);
    const status = await member(0).status();
    const after = total(status);
    expect(after.writes - before.writes).toBe(3);
    expect(after.reads - before.reads).toBe(5);
    expect(status.traffic.buckets.every((b) => b.writeMsMax * b.writes >= b.writeMsSum)).toBe(true);
    const follower = (await statuses()).find((s) => s.id !== leader);
    expect(follower?.heardFromMs[leader]).toBeGreaterThan(Date.now() - 60_000);
  });

  it("the fault hook takes a member down for clients, and the ensemble view says so", async () => {
    await stableLeader();
    const down = await call("/v1/admin/faults?member=2", { method: "PUT", json: { down: true } });
    expect(down).toMatchObject({
      status: 200,
      body: { member: 2, faults: { down: true, dropTo: [], dropFrom: [] } },
    });
    const view = (await call("/v1/admin/ensemble")).body as {
      members: Array<{ member: number; reachable: boolean; error?: string }>;
    };
    expect(view.members.find((m) => m.member === 2)).toMatchObject({
      reachable: false,
      error: expect.stringContaining("member is down"),
    });
    expect(view.members.filter((m) => m.reachable)).toHaveLength(size - 1);
    for (const command of ["cons", "wchs"]) {
      const refused = await call(`/v1/admin/${command}?member=2`);
      expect(refused.status, command).toBe(503);
      expect(refused.body).toMatchObject({ error: { name: "CONNECTIONLOSS" } });
    }
    expect((await call("/v1/admin/faults?member=9", { method: "PUT", json: {} })).status).toBe(400);
    expect(
      (await call("/v1/admin/faults?member=1", { method: "PUT", json: { down: "yes" } })).status,
    ).toBe(400);
  });
});
