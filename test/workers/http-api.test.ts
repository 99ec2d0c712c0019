// The JSON HTTP API route by route: create modes, reads, conditional writes, ACLs, multi,
// sync, sessions, and the error shape for bad input.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventually, member, stableLeader } from "./ensemble-harness.ts";

const origin = "http://edgekeeper.test";

function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  return exports.default.fetch(
    new Request(`${origin}${path}`, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    }),
  );
}

async function body(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

async function session(timeoutMs = 40_000) {
  const res = await call("/v1/sessions", { method: "POST", json: { timeoutMs } });
  expect(res.status).toBe(201);
  const s = (await res.json()) as { sessionId: string; password: string; timeoutMs: number };
  return { ...s, headers: { "x-session-id": s.sessionId, "x-session-password": s.password } };
}

describe("HTTP API", () => {
  it("creates every node kind and reads data, stat, children, counts and ACLs", async () => {
    expect(
      (await call("/v1/znodes/app", { method: "POST", json: { data: "config" } })).status,
    ).toBe(201);
    const seq = await body(
      await call("/v1/znodes/app/job-?mode=persistent_sequential", { method: "POST", body: "" }),
    );
    expect(seq.path).toBe("/app/job-0000000000");
    const ttl = await call("/v1/znodes/app/ttl", {
      method: "POST",
      json: { mode: "persistent_ttl", ttlMs: 60_000 },
    });
    // Clients see 0 for TTL nodes and containers, as ZooKeeper reports them.
    expect(((await body(ttl)).stat as { ephemeralOwner: string }).ephemeralOwner).toBe("0");
    const container = await body(
      await call("/v1/znodes/app/box", { method: "POST", json: { mode: "container" } }),
    );
    expect((container.stat as { ephemeralOwner: string }).ephemeralOwner).toBe("0");
    const bin = await call("/v1/znodes/app/bin", {
      method: "POST",
      json: { data: "AP+A", encoding: "base64" },
    });
    expect(((await body(bin)).stat as { dataLength: number }).dataLength).toBe(3);

    expect(await body(await call("/v1/znodes/app"))).toMatchObject({
      data: "config",
      encoding: "utf8",
    });
    expect(await body(await call("/v1/znodes/app?stat"))).toMatchObject({
      stat: { numChildren: 4, dataLength: 6 },
    });
    expect(await body(await call("/v1/znodes/app?children"))).toMatchObject({
      children: ["bin", "box", "job-0000000000", "ttl"],
      more: false,
    });
    expect(await body(await call("/v1/znodes/app?children&limit=2&after=bin"))).toMatchObject({
      children: ["box", "job-0000000000"],
      more: true,
    });
    expect(await body(await call("/v1/znodes/?count"))).toMatchObject({ count: 8 });
    expect(await body(await call("/v1/znodes/app?acl"))).toMatchObject({
      acl: [{ perms: 31, scheme: "world", id: "anyone" }],
    });
    const raw = await call("/v1/znodes/app/bin", {
      headers: { accept: "application/octet-stream" },
    });
    expect([...new Uint8Array(await raw.arrayBuffer())]).toEqual([0, 255, 128]);
    expect(JSON.parse(raw.headers.get("x-stat") ?? "{}")).toMatchObject({ dataLength: 3 });
  });

  it("checks versions on set, setACL and delete, and refuses non-empty deletes", async () => {
    await call("/v1/znodes/v", { method: "POST", body: "0" });
    const stale = await call("/v1/znodes/v?version=3", { method: "PUT", body: "x" });
    expect(stale.status).toBe(412);
    expect(await body(stale)).toMatchObject({
      error: { code: -103, name: "BADVERSION", path: "/v" },
    });
    const ok = await call("/v1/znodes/v", { method: "PUT", json: { data: "1", version: 0 } });
    expect(await body(ok)).toMatchObject({ type: "setData", stat: { version: 1 } });
    const acl = await call("/v1/znodes/v?acl", {
      method: "PUT",
      json: { acl: [{ perms: "rwcda", scheme: "world", id: "anyone" }], version: 0 },
    });
    expect(await body(acl)).toMatchObject({ stat: { aversion: 1 } });
    await call("/v1/znodes/v/child", { method: "POST" });
    expect((await call("/v1/znodes/v", { method: "DELETE" })).status).toBe(409);
    expect((await call("/v1/znodes/v/child?version=5", { method: "DELETE" })).status).toBe(412);
    expect((await call("/v1/znodes/v/child?version=0", { method: "DELETE" })).status).toBe(200);
    expect((await call("/v1/znodes/v/child")).status).toBe(404);
    expect((await call("/v1/znodes/nope", { method: "PUT", body: "x" })).status).toBe(404);
  });

  it("runs multi atomically and reports ZooKeeper's per-op errors", async () => {
    const good = await call("/v1/multi", {
      method: "POST",
      json: {
        ops: [
          { op: "create", path: "/m" },
          { op: "create", path: "/m/a", data: "A" },
          { op: "check", path: "/m", version: 0 },
        ],
      },
    });
    expect(await body(good)).toMatchObject({
      type: "multi",
      results: [{ type: "create" }, { type: "create" }, { type: "check" }],
    });
    const bad = await call("/v1/multi", {
      method: "POST",
      json: {
        ops: [
          { op: "create", path: "/m/b" },
          { op: "delete", path: "/m" },
          { op: "setData", path: "/m/a", data: "B" },
        ],
      },
    });
    expect(bad.status).toBe(409);
    expect(await body(bad)).toMatchObject({
      error: { name: "NOTEMPTY" },
      results: [
        { error: { code: 0, name: "OK" } },
        { error: { code: -111, name: "NOTEMPTY" } },
        { error: { code: -2, name: "RUNTIMEINCONSISTENCY" } },
      ],
    });
    expect((await call("/v1/znodes/m/b")).status).toBe(404);
    const reads = await call("/v1/multi-read", {
      method: "POST",
      json: {
        ops: [
          { op: "getData", path: "/m/a" },
          { op: "getChildren", path: "/none" },
        ],
      },
    });
    expect(await body(reads)).toMatchObject({
      results: [
        { op: "getData", data: "A" },
        { op: "error", error: { name: "NONODE" } },
      ],
    });
    expect(await body(await call("/v1/sync", { method: "POST" }))).toMatchObject({
      zxid: expect.any(Number),
    });
  });

  it("gives HTTP clients sessions that own ephemerals, and removes them on close", async () => {
    const s = await session();
    expect(BigInt(s.sessionId)).toBeGreaterThan(0n);
    const eph = await call("/v1/znodes/lock-?mode=ephemeral_sequential", {
      method: "POST",
      headers: s.headers,
    });
    expect(eph.status).toBe(201);
    const created = (await body(eph)) as { path: string; stat: { ephemeralOwner: string } };
    expect(created.stat.ephemeralOwner).toBe(s.sessionId);
    expect(
      (await call(`/v1/sessions/${s.sessionId}/keepalive`, { method: "POST", headers: s.headers }))
        .status,
    ).toBe(200);
    const wrong = await call("/v1/znodes/x?mode=ephemeral", {
      method: "POST",
      headers: { ...s.headers, "x-session-password": btoa("0123456789abcdef") },
    });
    expect(wrong.status).toBe(401);
    expect(await body(wrong)).toMatchObject({ error: { name: "AUTHFAILED" } });
    const noSession = await call("/v1/znodes/x?mode=ephemeral", { method: "POST" });
    expect(await body(noSession)).toMatchObject({ error: { name: "BADARGUMENTS" } });
    expect(
      (await call(`/v1/sessions/${s.sessionId}`, { method: "DELETE", headers: s.headers })).status,
    ).toBe(200);
    expect((await call(`/v1/znodes${created.path}`, { headers: s.headers })).status).toBe(404);
  });

  it("answers a retried write (same session and sequence number) with the first result", async () => {
    const s = await session();
    const headers = { ...s.headers, "x-session-seq": "1" };
    const first = await body(
      await call("/v1/znodes/once-?mode=persistent_sequential", { method: "POST", headers }),
    );
    const again = await body(
      await call("/v1/znodes/once-?mode=persistent_sequential", { method: "POST", headers }),
    );
    expect(again).toEqual(first);
    expect(await body(await call("/v1/znodes/?children"))).toMatchObject({
      children: expect.not.arrayContaining(["once-0000000001"]),
    });
  });

  it.each([
    [
      "malformed JSON",
      "/v1/znodes/j",
      { method: "POST", body: "{", headers: { "content-type": "application/json" } },
      400,
      "MARSHALLINGERROR",
    ],
    [
      "unknown field",
      "/v1/znodes/j",
      { method: "POST", json: { data: "x", colour: "red" } },
      400,
      "BADARGUMENTS",
    ],
    ["wrong type", "/v1/znodes/j", { method: "POST", json: { data: 5 } }, 400, "BADARGUMENTS"],
    [
      "bad base64",
      "/v1/znodes/j",
      { method: "POST", json: { data: "@@", encoding: "base64" } },
      400,
      "BADARGUMENTS",
    ],
    [
      "unknown mode",
      "/v1/znodes/j?mode=forever",
      { method: "POST", body: "" },
      400,
      "BADARGUMENTS",
    ],
    ["bad version", "/v1/znodes/j?version=abc", { method: "PUT", body: "" }, 400, "BADARGUMENTS"],
    [
      "bad session id",
      "/v1/znodes/j",
      { method: "POST", headers: { "x-session-id": "nope" } },
      400,
      "BADARGUMENTS",
    ],
    [
      "unknown op in multi",
      "/v1/multi",
      { method: "POST", json: { ops: [{ op: "explode", path: "/" }] } },
      400,
      "BADARGUMENTS",
    ],
    [
      "oversized JSON",
      "/v1/znodes/j",
      { method: "POST", json: { data: "x".repeat(1024 * 1024 + 1) } },
      413,
      "BADARGUMENTS",
    ],
  ] as const)("refuses %s with %i %s and changes nothing", async (_, path, init, status, name) => {
    const before = await body(await call("/v1/znodes/?count"));
    const res = await call(path, init as RequestInit & { json?: unknown });
    expect(res.status).toBe(status);
    expect(await body(res)).toMatchObject({ error: { name } });
    expect(await body(await call("/v1/znodes/?count"))).toEqual(before);
  });
});

describe("HTTP API availability", () => {
  it("serves a sessionless read from another member when member 0 is unreachable", async () => {
    await stableLeader();
    expect((await call("/v1/znodes/avail", { method: "POST", body: "up" })).status).toBe(201);
    await member(0).setFaults({ dropTo: [], dropFrom: [], down: true });
    try {
      // Member 1 may need a moment to apply the write it did not take itself.
      const read = await eventually("a read from another member", async () => {
        const res = await call("/v1/znodes/avail");
        return res.status === 200 ? res : undefined;
      });
      expect(await read.json()).toMatchObject({ data: "up" });
    } finally {
      await member(0).setFaults({ dropTo: [], dropFrom: [] });
    }
  });
});
