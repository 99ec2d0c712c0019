// The WebSocket session protocol against the real ensemble: FIFO replies to pipelined requests,
// watch events pushed with their zxid (also for writes made through another member), reconnect
// to another member resuming the session and its watches, expiry, and garbage frames.

import { describe, expect, it } from "vitest";
import { eventually, member, stableLeader } from "./ensemble-harness.ts";
import { SessionClient as Client } from "./session-client.ts";

describe("WebSocket sessions", () => {
  it("answers pipelined requests in order and pushes watch events before later replies", async () => {
    await stableLeader();
    const c = await Client.open(0);
    const hello = await c.connect({ timeoutMs: 30_000 });
    expect(hello).toMatchObject({ type: "connected", timeoutMs: 30_000 });
    expect(typeof hello.sessionId).toBe("string");
    const ids: number[] = [];
    ids.push(c.send({ op: "create", path: "/fifo" }));
    for (let i = 0; i < 10; i++)
      ids.push(
        c.send({ op: "create", path: "/fifo/n-", mode: "persistent_sequential", data: String(i) }),
      );
    ids.push(c.send({ op: "getChildren", path: "/fifo" }));
    const replies = await eventually("all replies", async () => {
      const got = c.frames.filter((f) => f.type === "reply");
      return got.length >= ids.length ? got : undefined;
    });
    expect(replies.map((r) => r.id)).toEqual(ids);
    expect(replies.at(-1)?.children).toHaveLength(10);
    expect(replies.slice(1, 11).map((r) => r.path)).toEqual(
      Array.from({ length: 10 }, (_, i) => `/fifo/n-${String(i).padStart(10, "0")}`),
    );
    c.frames.length = 0;

    const read = await c.request({ op: "getData", path: "/fifo", watch: true });
    expect(read).toMatchObject({ data: "", stat: { numChildren: 10 } });
    const set = await c.request({ op: "setData", path: "/fifo", data: "changed" });
    const event = await c.take("data event", (f) => f.type === "event");
    expect(event).toMatchObject({ event: "NodeDataChanged", path: "/fifo", zxid: set.zxid });
    c.ws.close();
  });

  it("notifies a watcher on one member of a write made through another", async () => {
    await stableLeader();
    const watcher = await Client.open(1);
    await watcher.connect();
    expect(
      await watcher.request({ op: "addWatch", path: "/shared", mode: "persistentRecursive" }),
    ).toMatchObject({ type: "reply" });
    const writer = await Client.open(2);
    await writer.connect();
    const created = await writer.request({ op: "create", path: "/shared", data: "x" });
    const child = await writer.request({ op: "create", path: "/shared/kid" });
    const first = await watcher.take("created", (f) => f.type === "event" && f.path === "/shared");
    const second = await watcher.take("kid", (f) => f.type === "event" && f.path === "/shared/kid");
    expect(first).toMatchObject({ event: "NodeCreated", zxid: created.zxid });
    expect(second).toMatchObject({ event: "NodeCreated", zxid: child.zxid });
    expect(watcher.frames.some((f) => f.event === "NodeChildrenChanged")).toBe(false);
    watcher.ws.close();
    writer.ws.close();
  });

  it("resumes a session on another member with its password, and re-arms watches with synthetic events", async () => {
    await stableLeader();
    const first = await Client.open(0);
    const hello = await first.connect();
    await first.request({ op: "create", path: "/resume", data: "v0" });
    const eph = await first.request({ op: "create", path: "/resume-eph", mode: "ephemeral" });
    const seen = eph.zxid as number;
    first.ws.close();
    // Meanwhile someone changes the node the client was watching.
    const other = await Client.open(2);
    await other.connect();
    await other.request({ op: "setData", path: "/resume", data: "v1" });

    const second = await Client.open(1);
    const bad = await second.connect({
      sessionId: hello.sessionId,
      password: "AAAAAAAAAAAAAAAAAAAAAA==",
      lastZxid: seen,
    });
    expect(bad).toMatchObject({ error: { name: "AUTHFAILED" } });
    const third = await Client.open(1);
    const again = await third.connect({
      sessionId: hello.sessionId,
      password: hello.password,
      lastZxid: seen,
    });
    expect(again).toMatchObject({ type: "connected", sessionId: hello.sessionId });
    const rearm = await third.request({
      op: "setWatches",
      lastZxid: seen,
      data: ["/resume"],
      exist: ["/not-yet"],
    });
    expect(rearm).toMatchObject({ type: "reply" });
    // /resume changed after the zxid the client had seen: ZooKeeper's synthetic NodeDataChanged;
    // /not-yet still does not exist, so its exist watch is simply re-armed.
    const synthetic = third.frames.filter((f) => f.type === "event");
    expect(synthetic).toEqual([
      expect.objectContaining({ event: "NodeDataChanged", path: "/resume" }),
    ]);
    // The session is the same one: its ephemeral is still owned by it.
    const mine = await third.request({ op: "getEphemerals", prefix: "/" });
    expect(mine.paths).toContain("/resume-eph");
    third.ws.close();
    other.ws.close();
  });

  it("pushes synthetic events on re-registration before the reply", async () => {
    await stableLeader();
    const a = await Client.open(0);
    const hello = await a.connect();
    await a.request({ op: "create", path: "/syn", data: "1" });
    const seen = ((await a.request({ op: "ping" })).zxid as number) ?? 0;
    await a.request({ op: "setData", path: "/syn", data: "2" });
    a.ws.close();
    const b = await Client.open(2);
    await b.connect({ sessionId: hello.sessionId, password: hello.password, lastZxid: 0 });
    const id = b.send({ op: "setWatches", lastZxid: seen, data: ["/syn"] });
    const event = await b.take("synthetic", (f) => f.type === "event");
    expect(event).toMatchObject({ event: "NodeDataChanged", path: "/syn" });
    const reply = await b.take("reply", (f) => f.type === "reply" && f.id === id);
    expect(b.frames.indexOf(event)).toBe(-1);
    expect(reply).toMatchObject({ type: "reply" });
    b.ws.close();
  });

  it("expires a silent session: its ephemerals go and its watchers hear it", async () => {
    await stableLeader();
    const watcher = await Client.open(2);
    await watcher.connect({ timeoutMs: 30_000 });
    const doomed = await Client.open(1);
    await doomed.connect({ timeoutMs: 4000 });
    await doomed.request({ op: "create", path: "/doomed", mode: "ephemeral" });
    await watcher.request({ op: "exists", path: "/doomed", watch: true });
    doomed.ws.close();
    const gone = await watcher.take("deletion", (f) => f.type === "event" && f.path === "/doomed");
    expect(gone).toMatchObject({ event: "NodeDeleted" });
    expect(await member(0).read({ op: "exists", path: "/doomed" })).toMatchObject({
      ok: false,
      failure: { name: "NONODE" },
    });
    watcher.ws.close();
  });

  it("answers garbage frames with errors and keeps serving", async () => {
    await stableLeader();
    const c = await Client.open(0);
    c.raw("not json");
    expect(await c.take("marshalling", (f) => f.type === "reply")).toMatchObject({
      error: { name: "MARSHALLINGERROR" },
    });
    c.raw(JSON.stringify({ op: "create", path: "/x" }));
    expect(await c.take("connect first", (f) => f.type === "reply")).toMatchObject({
      error: { name: "BADARGUMENTS" },
    });
    await c.connect();
    expect(await c.request({ op: "explode" })).toMatchObject({ error: { name: "BADARGUMENTS" } });
    expect(await c.request({ op: "create", path: 5 })).toMatchObject({
      error: { name: "BADARGUMENTS" },
    });
    expect(await c.request({ op: "create", path: "/ok" })).toMatchObject({
      type: "reply",
      path: "/ok",
    });
    expect(await c.request({ op: "removeWatches", path: "/ok", type: "data" })).toMatchObject({
      error: { name: "NOWATCHER" },
    });
    c.ws.close();
  });
});

describe("WebSocket sessions, continued", () => {
  it("holds requests sent right behind connect until the session exists", async () => {
    await stableLeader();
    const c = await Client.open(2);
    c.raw(JSON.stringify({ op: "connect" }));
    c.raw(JSON.stringify({ id: 7, op: "create", path: "/eager" }));
    expect(await c.take("connected", (f) => f.type === "connected")).toMatchObject({
      type: "connected",
    });
    expect(await c.take("eager reply", (f) => f.type === "reply" && f.id === 7)).toMatchObject({
      path: "/eager",
    });
    c.ws.close();
  });
});
