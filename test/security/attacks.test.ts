// The attack suite: each finding of the security review, tried as an attacker would against a
// deployment (auth on, scoped tokens, a real SESSION_SECRET, small limits), must be refused —
// and the member must keep serving everyone else with the tree unchanged.

import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/api/app.ts";
import { base64Encode } from "../../src/core/bytes/base64.ts";
import { hmacSha256 } from "../../src/core/hash/hmac.ts";
import type { JuteOutput } from "../../src/protocol/jute/jute-input-output.ts";
import { OpCode } from "../../src/protocol/jute/zk-records.ts";
import { type Frame, SessionClient } from "../workers/session-client.ts";
import { ZkWire } from "../workers/zk-wire.ts";
import { bearer, call, jsonSession, zkSession } from "./helpers.ts";

/** Only the creator (alice, by digest) may do anything under /secret. */
const aliceAcl = [{ perms: "cdrwa", scheme: "auth", id: "" }];
const alice = { "x-auth-digest": "alice:pw" };

/** The password the old code's built-in fallback key gave a session (now never accepted). */
function fallbackPassword(sessionId: bigint): string {
  const key = new TextEncoder().encode("edgekeeper-local-development-only");
  const message = new TextEncoder().encode(`edgekeeper-session:${sessionId.toString(16)}`);
  return base64Encode(hmacSha256(key, message).subarray(0, 16));
}

const authPacket = (credential: string) => (w: JuteOutput) =>
  w.int(0).string("digest").buffer(new TextEncoder().encode(credential));

beforeAll(async () => {
  // A protected subtree (only alice may read it) beside an open one.
  for (const path of ["/open", "/secret"]) {
    const res = await call("alice", `/v1/znodes${path}`, {
      method: "POST",
      headers: alice,
      body: { data: "", acl: path === "/secret" ? aliceAcl : undefined },
    });
    expect([201, 409]).toContain(res.status);
  }
  await call("alice", "/v1/znodes/secret/x", {
    method: "POST",
    headers: alice,
    body: { data: "classified", acl: aliceAcl },
  });
});

describe("secrets fail closed", () => {
  it("a production-like configuration without SESSION_SECRET refuses to serve, saying why", async () => {
    for (const secret of [undefined, "", "too-short"]) {
      const res = await app.request(
        "http://x/v1/znodes/open",
        { headers: bearer("alice") },
        { ...env, SESSION_SECRET: secret },
      );
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(
        /edgekeeper refuses to serve: SESSION_SECRET is .*npx wrangler secret put SESSION_SECRET/,
      );
    }
  });

  it("a password computed with the old built-in key takes over no session (HTTP, JSON, wire)", async () => {
    const made = await call("alice", "/v1/sessions", {
      method: "POST",
      body: { timeoutMs: 30_000 },
    });
    const id = BigInt(made.body.sessionId as string);
    const forged = fallbackPassword(id);
    for (const bindings of [env, { ...env, SESSION_SECRET: undefined }]) {
      const res = await app.request(
        `http://x/v1/sessions/${id}`,
        { method: "DELETE", headers: { ...bearer("bob"), "x-session-password": forged } },
        bindings,
      );
      expect([401, 503]).toContain(res.status);
    }
    // The same forgery over both socket protocols, even under the session's own token.
    const json = await SessionClient.open(1, bearer("alice"));
    expect(await json.connect({ sessionId: id.toString(), password: forged })).toMatchObject({
      error: { name: "AUTHFAILED" },
    });
    const wire = await ZkWire.open(2, bearer("alice"));
    const forgedBytes = Uint8Array.from(atob(forged), (ch) => ch.charCodeAt(0));
    expect((await wire.connect(id, forgedBytes)).timeOut).toBe(0);
    const still = await call("alice", `/v1/sessions/${id}/keepalive`, {
      method: "POST",
      headers: { "x-session-password": made.body.password as string },
    });
    expect(still.status).toBe(200);
  });
});

describe("sessions belong to the token that made them", () => {
  it("another token cannot close or use a session even with its password (HTTP)", async () => {
    const made = await call("alice", "/v1/sessions", {
      method: "POST",
      body: { timeoutMs: 30_000 },
    });
    const headers = {
      "x-session-id": made.body.sessionId as string,
      "x-session-password": made.body.password as string,
    };
    const lock = await call("alice", "/v1/znodes/open/lock-http", {
      method: "POST",
      headers,
      body: { data: "", mode: "ephemeral" },
    });
    expect(lock.status).toBe(201);
    const stolen = await call("bob", `/v1/sessions/${made.body.sessionId}`, {
      method: "DELETE",
      headers,
    });
    expect(stolen.status).toBe(401);
    expect((await call("bob", "/v1/znodes/open/lock-http?stat")).status).toBe(200);
  });

  it("another token cannot resume a session over the JSON protocol", async () => {
    const { hello } = await jsonSession("alice", 0);
    const thief = await SessionClient.open(1, bearer("bob"));
    const answer = await thief.connect({
      sessionId: hello.sessionId as string,
      password: hello.password as string,
    });
    expect(answer).toMatchObject({ type: "reply", error: { name: "AUTHFAILED" } });
  });

  it("another token cannot resume a session over the ZooKeeper wire", async () => {
    const { hello } = await zkSession("alice", 0);
    const thief = await ZkWire.open(2, bearer("bob"));
    const answer = await thief.connect(hello.sessionId, hello.passwd);
    expect(answer.timeOut).toBe(0);
    const owner = await ZkWire.open(2, bearer("alice"));
    expect((await owner.connect(hello.sessionId, hello.passwd)).timeOut).toBeGreaterThan(0);
  });
});

describe("watches never deliver what ACLs hide", () => {
  const change = async (path: string, data: string) =>
    call("alice", `/v1/znodes${path}`, { method: "PUT", headers: alice, body: { data } });

  it("a recursive watch (JSON protocol) hears the open tree but not the protected one", async () => {
    const { client } = await jsonSession("bob", 1);
    expect(
      await client.request({ op: "addWatch", path: "/", mode: "persistentRecursive" }),
    ).not.toHaveProperty("error");
    await change("/secret/x", "changed");
    await change("/open", "control");
    await client.take("the control event", (f) => f.type === "event" && f.path === "/open");
    expect(client.frames.filter((f: Frame) => String(f.path).startsWith("/secret"))).toEqual([]);
  });

  it("addWatch on a node the caller cannot read is refused, and an invalid path too", async () => {
    const { client } = await jsonSession("bob", 1);
    expect(
      await client.request({ op: "addWatch", path: "/secret", mode: "persistent" }),
    ).toMatchObject({ error: { name: "NOAUTH" } });
    expect(
      await client.request({ op: "addWatch", path: "no-slash", mode: "persistent" }),
    ).toMatchObject({ error: { name: "BADARGUMENTS" } });
    expect(
      await client.request({ op: "addWatch", path: "/a//b", mode: "persistentRecursive" }),
    ).toMatchObject({ error: { name: "BADARGUMENTS" } });
  });

  it("a one-shot watch is never set on a node the caller cannot read", async () => {
    const { client } = await jsonSession("bob", 2);
    expect(await client.request({ op: "getData", path: "/secret/x", watch: true })).toMatchObject({
      error: { name: "NOAUTH" },
    });
    await change("/secret/x", "one-shot");
    await change("/open", "control-2");
    const { client: control } = await jsonSession("bob", 2);
    await control.request({ op: "getData", path: "/open", watch: true });
    await change("/open", "control-3");
    await control.take("the control event", (f) => f.type === "event");
    expect(client.frames.filter((f) => f.type === "event")).toEqual([]);
  });

  it("a recursive watch over the ZooKeeper wire hears no protected path", async () => {
    const { zk } = await zkSession("bob", 0);
    zk.send(OpCode.addWatch, (w) => w.string("/").int(1));
    expect((await zk.reply()).header.err).toBe(0);
    await change("/secret/x", "wire");
    await change("/open", "wire-control");
    for (;;) {
      const { header, input } = await zk.reply();
      expect(header.xid).toBe(-1);
      input.int();
      input.int();
      const path = input.text();
      expect(path.startsWith("/secret")).toBe(false);
      if (path === "/open") break;
    }
  });

  it("addWatch over the ZooKeeper wire on a protected node is refused", async () => {
    const { zk } = await zkSession("bob", 1);
    zk.send(OpCode.addWatch, (w) => w.string("/secret").int(1));
    expect((await zk.reply()).header.err).toBe(-102);
  });

  it("a replay (setWatches) never sends what the watcher could not read", async () => {
    const before = Number((await call("root", "/v1/sync", { method: "POST" })).body.zxid);
    await change("/secret/x", "while-away");
    await change("/open", "while-away");
    const { client } = await jsonSession("bob", 0);
    const resumed = await client.request({
      op: "setWatches",
      lastZxid: before,
      persistentRecursive: ["/"],
      persistent: ["/secret"],
      replay: true,
    });
    expect(resumed).not.toHaveProperty("error");
    const events = client.frames.filter((f) => f.type === "event");
    expect(events.map((e) => e.path)).toContain("/open");
    expect(events.filter((e) => String(e.path).startsWith("/secret"))).toEqual([]);
    // Nothing was armed on the node it cannot read.
    await change("/secret", "after");
    await change("/open", "after");
    await client.take(
      "the next open event",
      (f) =>
        f.type === "event" &&
        f.zxid !== undefined &&
        Number(f.zxid) > Number(events.at(-1)?.zxid ?? 0) &&
        f.path === "/open",
    );
    expect(client.frames.filter((f) => f.path === "/secret")).toEqual([]);
  });

  it("a long poll answers only changes the caller may read", async () => {
    const before = Number((await call("root", "/v1/sync", { method: "POST" })).body.zxid);
    await change("/secret/x", "polled");
    await change("/open", "polled");
    const res = await call("bob", `/v1/watch/?recursive&since=${before}&wait=0`);
    expect(res.status).toBe(200);
    const paths = (res.body.events as Array<{ path: string }>).map((e) => e.path);
    expect(paths).toContain("/open");
    expect(paths.filter((p) => p.startsWith("/secret"))).toEqual([]);
    const alices = await call("alice", `/v1/watch/?recursive&since=${before}&wait=0`, {
      headers: alice,
    });
    expect((alices.body.events as Array<{ path: string }>).map((e) => e.path)).toContain(
      "/secret/x",
    );
  });

  it("a long poll waiting on a protected change does not wake for it", async () => {
    const since = Number((await call("root", "/v1/sync", { method: "POST" })).body.zxid);
    const polled = call("bob", `/v1/watch/secret?recursive&since=${since}&wait=2`);
    await scheduler.wait(200);
    await change("/secret/x", "hidden");
    const res = await polled;
    expect(res.body.events).toEqual([]);
  });
});

describe("snapshots", () => {
  it("need the admin scope, an authenticated caller with ALL on /, and are rate-limited", async () => {
    expect((await call("alice", "/v1/admin/snapshot")).status).toBe(403);
    expect((await call("root", "/v1/admin/snapshot")).status).toBe(403);
    const first = await call("root", "/v1/admin/snapshot", {
      headers: { "x-auth-digest": "ops:pw" },
    });
    expect(first.status).toBe(200);
    const again = await call("root", "/v1/admin/snapshot", {
      headers: { "x-auth-digest": "ops:pw" },
    });
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ error: { name: "THROTTLEDOP" } });
  });
});

describe("the dashboard's routes", () => {
  it("the session list, closing a session and the ensemble stream need the admin scope", async () => {
    const { sessionId } = (
      await call("alice", "/v1/sessions", { method: "POST", body: { timeoutMs: 10_000 } })
    ).body as { sessionId: string };
    for (const [method, path] of [
      ["GET", "/v1/admin/sessions"],
      ["DELETE", `/v1/admin/sessions/${sessionId}`],
      ["GET", "/v1/admin/ensemble/stream"],
    ] as const) {
      const res = await call("alice", path, { method });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ error: { name: "NOAUTH" } });
    }
    const listed = await call("root", "/v1/admin/sessions?limit=1000");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(sessionId);
    // The operator closes it without its password.
    const closed = await call("root", `/v1/admin/sessions/${sessionId}`, { method: "DELETE" });
    expect(closed).toMatchObject({ status: 200, body: { type: "closeSession", sessionId } });
  });

  it("whoami tells a token its scope, refuses a wrong one, and the fault hook stays off", async () => {
    expect((await call("reader", "/v1/whoami")).body).toEqual({
      auth: "on",
      name: "reader",
      scope: "read",
    });
    expect((await call(null, "/v1/whoami")).status).toBe(401);
    const faults = await call("root", "/v1/admin/faults?member=0", {
      method: "PUT",
      body: { down: true },
    });
    expect(faults.status).toBe(501);
    expect(faults.body).toMatchObject({ error: { name: "UNIMPLEMENTED" } });
    expect((await call("root", "/v1/admin/ruok?member=0")).status).toBe(200);
  });
});

describe("ensembles", () => {
  it("only the admin scope creates, lists or deletes them; a caller without a token learns nothing", async () => {
    for (const [method, path] of [
      ["POST", "/v1/ensembles"],
      ["GET", "/v1/ensembles"],
      ["GET", "/v1/ensembles/default"],
      ["DELETE", "/v1/ensembles/x"],
    ] as const) {
      const res = await call("alice", path, {
        method,
        ...(method === "POST" ? { body: { name: "x" } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(
      (await call("root", "/v1/ensembles", { method: "POST", body: { name: "sec" } })).status,
    ).toBe(201);
    // Whether an ensemble exists is no more visible without a token than anything else.
    expect((await call(null, "/v1/e/sec/znodes/a")).status).toBe(401);
    expect((await call(null, "/v1/e/nowhere/znodes/a")).status).toBe(401);
    expect((await call("alice", "/v1/e/nowhere/znodes/a")).status).toBe(404);
    // The same gate as an existing ensemble's: a read token may not write there either.
    expect(
      (await call("reader", "/v1/e/nowhere/znodes/a", { method: "POST", body: "x" })).status,
    ).toBe(403);
    expect((await call("alice", "/v1/e/sec/znodes/a", { method: "POST", body: "x" })).status).toBe(
      201,
    );
    expect((await call("reader", "/v1/e/sec/znodes/b", { method: "POST", body: "x" })).status).toBe(
      403,
    );
    expect((await call("root", "/v1/ensembles/sec", { method: "DELETE" })).status).toBe(200);
  });

  it("a token limited to ensembles reaches those and no other, over HTTP and sockets", async () => {
    for (const name of ["sec", "sec-b", "sec-other"])
      expect((await call("root", "/v1/ensembles", { method: "POST", body: { name } })).status).toBe(
        201,
      );
    expect((await call("team", "/v1/whoami")).body).toMatchObject({ ensembles: ["sec", "sec-b"] });
    expect((await call("team", "/v1/e/sec/znodes/t", { method: "POST", body: "x" })).status).toBe(
      201,
    );
    expect((await call("team", "/v1/e/sec-b/znodes/t")).status).toBe(404);
    for (const path of ["/v1/znodes/t", "/v1/e/sec-other/znodes/t", "/v1/e/nowhere/znodes/t"]) {
      const res = await call("team", path);
      expect(res.status, path).toBe(403);
      expect(res.body).toMatchObject({ error: { name: "NOAUTH" } });
    }
    expect((await call("team", "/v1/ensembles")).status).toBe(403);
    for (const [ensemble, status] of [
      ["sec", 101],
      ["sec-other", 403],
    ] as const) {
      const res = await exports.default.fetch(
        new Request(`http://edgekeeper.test/v1/e/${ensemble}/session?access_token=team-token`, {
          headers: { upgrade: "websocket" },
        }),
      );
      expect(res.status, ensemble).toBe(status);
      res.webSocket?.accept();
      res.webSocket?.close();
    }
    for (const name of ["sec", "sec-b", "sec-other"])
      expect((await call("root", `/v1/ensembles/${name}`, { method: "DELETE" })).status).toBe(200);
  });
});

describe("reply size (maxReplyBytes = 64 KiB here)", () => {
  beforeAll(async () => {
    await call("alice", "/v1/znodes/open/big", { method: "POST", body: "b".repeat(20_000) });
  });
  const ops = Array.from({ length: 5 }, () => ({ op: "getData", path: "/open/big" }));

  it("bounds multiRead over HTTP", async () => {
    const res = await call("bob", "/v1/multi-read", { method: "POST", body: { ops } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { name: "BADARGUMENTS" } });
    const fits = await call("bob", "/v1/multi-read", {
      method: "POST",
      body: { ops: ops.slice(0, 2) },
    });
    expect(fits.status).toBe(200);
  });

  it("bounds multiRead over the JSON protocol", async () => {
    const { client } = await jsonSession("bob", 1);
    expect(await client.request({ op: "multiRead", ops })).toMatchObject({
      error: { name: "BADARGUMENTS", message: expect.stringMatching(/maxReplyBytes/) },
    });
    expect(await client.request({ op: "multiRead", ops: ops.slice(0, 2) })).toMatchObject({
      results: [{ op: "getData" }, { op: "getData" }],
    });
  });

  it("bounds multiRead over the ZooKeeper wire", async () => {
    const { zk } = await zkSession("bob", 2);
    zk.send(OpCode.multiRead, (w) => {
      for (const _ of ops)
        w.int(OpCode.getData).bool(false).int(-1).string("/open/big").bool(false);
      w.int(-1).bool(true).int(-1);
    });
    expect((await zk.reply()).header.err).toBe(-8);
  });
});

describe("setWatches (maxSetWatchesPaths = 200 here)", () => {
  const paths = Array.from({ length: 201 }, (_, i) => `/open/w${i}`);

  it("refuses a frame with more paths, over both socket protocols", async () => {
    const { client } = await jsonSession("bob", 0);
    expect(await client.request({ op: "setWatches", lastZxid: 0, exist: paths })).toMatchObject({
      error: { name: "BADARGUMENTS", message: expect.stringMatching(/maxSetWatchesPaths/) },
    });
    const { zk } = await zkSession("bob", 0);
    zk.send(OpCode.setWatches, (w) => {
      w.long(0n);
      w.vector([], (o, p: string) => o.string(p));
      w.vector(paths, (o, p) => o.string(p));
      w.vector([], (o, p: string) => o.string(p));
    });
    expect((await zk.reply()).header.err).toBe(-8);
    expect((await call("bob", "/v1/znodes/open?stat")).status).toBe(200);
  });
});

describe("authentication is the same on every protocol", () => {
  it("SUPER_DIGEST reads protected data over HTTP, the JSON protocol and the ZooKeeper wire", async () => {
    const http = await call("bob", "/v1/znodes/secret/x", {
      headers: { "x-auth-digest": "super:letmein" },
    });
    expect(http.status).toBe(200);
    const { client } = await jsonSession("bob", 1);
    expect(await client.request({ op: "getData", path: "/secret/x" })).toMatchObject({
      error: { name: "NOAUTH" },
    });
    expect(
      await client.request({ op: "auth", scheme: "digest", credential: "super:letmein" }),
    ).not.toHaveProperty("error");
    expect(await client.request({ op: "getData", path: "/secret/x" })).not.toHaveProperty("error");
    const { zk } = await zkSession("bob", 2);
    zk.send(OpCode.auth, authPacket("super:letmein"));
    expect((await zk.reply()).header.err).toBe(0);
    zk.send(OpCode.getData, (w) => w.string("/secret/x").bool(false));
    expect((await zk.reply()).header.err).toBe(0);
  });

  it("a spoofed CF-Connecting-IP grants no ip ACL", async () => {
    await call("alice", "/v1/znodes/open/by-ip", {
      method: "POST",
      body: { data: "ip", acl: [{ perms: "r", scheme: "ip", id: "10.9.8.7" }] },
    });
    const spoofed = { "cf-connecting-ip": "10.9.8.7" };
    expect((await call("bob", "/v1/znodes/open/by-ip", { headers: spoofed })).status).toBe(403);
    const { client } = await jsonSession("bob", 0, spoofed);
    expect(await client.request({ op: "getData", path: "/open/by-ip" })).toMatchObject({
      error: { name: "NOAUTH" },
    });
    // The address this deployment can vouch for (loopback) still matches its own ACL.
    await call("alice", "/v1/znodes/open/by-loopback", {
      method: "POST",
      body: { data: "ip", acl: [{ perms: "r", scheme: "ip", id: "127.0.0.1" }] },
    });
    expect((await call("bob", "/v1/znodes/open/by-loopback", { headers: spoofed })).status).toBe(
      200,
    );
  });

  it("scopes: a read token reads but cannot write, over HTTP and sockets", async () => {
    expect((await call("reader", "/v1/znodes/open")).status).toBe(200);
    const write = await call("reader", "/v1/znodes/open/by-reader", { method: "POST", body: "x" });
    expect(write.status).toBe(403);
    const { client } = await jsonSession("reader", 1);
    expect(await client.request({ op: "create", path: "/open/by-reader" })).toMatchObject({
      error: { name: "NOAUTH" },
    });
    const { zk } = await zkSession("reader", 1);
    zk.send(OpCode.delete, (w) => w.string("/open").int(-1));
    expect((await zk.reply()).header.err).toBe(-102);
    expect((await call("bob", "/v1/znodes/open/by-reader?stat")).status).toBe(404);
  });

  it("access_token in the URL works only on WebSocket upgrades", async () => {
    expect((await call(null, "/v1/znodes/open?access_token=alice-token")).status).toBe(401);
    const res = await exports.default.fetch(
      new Request("http://edgekeeper.test/v1/session?member=0&access_token=alice-token", {
        headers: { upgrade: "websocket" },
      }),
    );
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.close(1000, "done");
  });
});

describe("bad input gets a clear 400 and changes nothing", () => {
  it("an empty version, a negative limit, an empty since", async () => {
    const v = await call("alice", "/v1/znodes/open?version=", { method: "PUT", body: "x" });
    expect(v.status).toBe(400);
    const l = await call("alice", "/v1/znodes/?children&limit=-1");
    expect(l.status).toBe(400);
    const s = await call("alice", "/v1/watch/open?since=&wait=0");
    expect(s.status).toBe(400);
  });

  it("a chunked body past the limit is cut off with 413 and creates nothing", async () => {
    const piece = new Uint8Array(64 * 1024).fill(120);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 1 MiB + 64 KiB: one piece past the raw-body limit.
        if (sent >= 17) return controller.close();
        sent++;
        controller.enqueue(piece);
      },
    });
    const res = await exports.default.fetch(
      new Request("http://edgekeeper.test/v1/znodes/open/chunked", {
        method: "POST",
        headers: bearer("alice"),
        body,
      }),
    );
    expect(res.status).toBe(413);
    expect((await call("bob", "/v1/znodes/open/chunked?stat")).status).toBe(404);
  });
});

describe("every limit answers its documented error, changes nothing, and others keep being served", () => {
  const stillServing = async () => {
    expect((await call("alice", "/v1/znodes/open?stat")).status).toBe(200);
  };

  it("maxWatchesPerSession: the 101st watch is THROTTLEDOP", async () => {
    const { client } = await jsonSession("bob", 0);
    for (let i = 0; i < 100; i++) {
      const r = await client.request({ op: "addWatch", path: `/open/w${i}`, mode: "persistent" });
      expect(r, `watch ${i}`).not.toHaveProperty("error");
    }
    expect(
      await client.request({ op: "addWatch", path: "/open/one-too-many", mode: "persistent" }),
    ).toMatchObject({
      error: { name: "THROTTLEDOP", message: expect.stringMatching(/maxWatchesPerSession/) },
    });
    // Setting a watch it already holds takes no room.
    expect(
      await client.request({ op: "addWatch", path: "/open/w0", mode: "persistent" }),
    ).not.toHaveProperty("error");
    await stillServing();
  });

  it("maxEphemeralsPerSession: the 11th ephemeral is QUOTAEXCEEDED and not created", async () => {
    const { client } = await jsonSession("alice", 1);
    await client.request({ op: "create", path: "/open/eph" });
    for (let i = 0; i < 10; i++) {
      const r = await client.request({ op: "create", path: `/open/eph/e${i}`, mode: "ephemeral" });
      expect(r, `ephemeral ${i}`).not.toHaveProperty("error");
    }
    expect(
      await client.request({ op: "create", path: "/open/eph/e10", mode: "ephemeral" }),
    ).toMatchObject({ error: { name: "QUOTAEXCEEDED" } });
    expect((await call("bob", "/v1/znodes/open/eph/e10?stat")).status).toBe(404);
    await stillServing();
  });

  it("maxEntryBytes: a write that encodes past it is 413 and nothing of it applies", async () => {
    const long = "p".repeat(2_500);
    const ops = Array.from({ length: 100 }, (_, i) => ({
      op: "create",
      path: `/open/${long}${i}`,
    }));
    const res = await call("alice", "/v1/multi", { method: "POST", body: { ops } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      error: { name: "BADARGUMENTS", message: expect.stringMatching(/maxEntryBytes/) },
    });
    expect((await call("bob", `/v1/znodes/open/${long}0?stat`)).status).toBe(404);
    await stillServing();
  });

  it("maxLongPolls: the 6th concurrent long poll at a member is 429 THROTTLEDOP", async () => {
    const since = Number((await call("root", "/v1/sync", { method: "POST" })).body.zxid);
    const waiting = Array.from({ length: 5 }, () =>
      call("bob", `/v1/watch/open/nothing-changes-here?since=${since}&wait=2`),
    );
    await scheduler.wait(300);
    const sixth = await call("bob", `/v1/watch/open/nothing-changes-here?since=${since}&wait=2`);
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({
      error: { name: "THROTTLEDOP", message: expect.stringMatching(/maxLongPolls/) },
    });
    for (const w of await Promise.all(waiting)) expect(w.status).toBe(200);
    await stillServing();
  });

  it("maxOutstandingRequests: requests past 20 unanswered are THROTTLEDOP, in order", async () => {
    const { client } = await jsonSession("bob", 2);
    const ids = Array.from({ length: 60 }, () => client.send({ op: "sync" }));
    const replies = [];
    for (const id of ids)
      replies.push(await client.take(`reply ${id}`, (f) => f.type === "reply" && f.id === id));
    const throttled = replies.filter((r) => (r.error as { name?: string })?.name === "THROTTLEDOP");
    expect(throttled.length).toBeGreaterThan(0);
    expect(replies.length).toBe(60);
    // Afterwards the connection is served again.
    expect(await client.request({ op: "getData", path: "/open" })).not.toHaveProperty("error");
  });

  it("maxConnectionsPerMember: the 31st socket at a member is refused with 429", async () => {
    const open: WebSocket[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await exports.default.fetch(
        new Request("http://edgekeeper.test/v1/session?member=2", {
          headers: { upgrade: "websocket", ...bearer("bob") },
        }),
      );
      if (res.webSocket) {
        res.webSocket.accept();
        open.push(res.webSocket);
      } else refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(await refused?.json()).toMatchObject({ error: { name: "THROTTLEDOP" } });
    for (const ws of open) ws.close(1000, "done");
    await stillServing();
  });

  it("maxSessions: a session past the ensemble's limit is 429 THROTTLEDOP", async () => {
    const made: Array<{ id: string; password: string }> = [];
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 80 && !refused; i++) {
      const res = await call("bob", "/v1/sessions", {
        method: "POST",
        body: { timeoutMs: 30_000 },
      });
      if (res.status === 201)
        made.push({ id: res.body.sessionId as string, password: res.body.password as string });
      else refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(refused?.body).toMatchObject({
      error: { name: "THROTTLEDOP", message: expect.stringMatching(/maxSessions/) },
    });
    for (const s of made) {
      await call("bob", `/v1/sessions/${s.id}`, {
        method: "DELETE",
        headers: { "x-session-password": s.password },
      });
    }
    await stillServing();
  });
});
