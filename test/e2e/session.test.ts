// The WebSocket session protocol over real sockets against `npm start`: a watcher on one member
// hears a write made through another, pipelined requests come back in order, and a session
// resumes on another member after its socket is gone.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "./service.ts";

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

type Frame = Record<string, unknown> & { type: string };

class Client {
  readonly frames: Frame[] = [];
  readonly #waiters: Array<() => void> = [];
  #next = 1;
  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (e) => {
      this.frames.push(JSON.parse(String(e.data)) as Frame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static open(member: number): Promise<Client> {
    const ws = new WebSocket(`${service.url.replace("http", "ws")}/v1/session?member=${member}`);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new Client(ws)));
      ws.addEventListener("error", () => reject(new Error("socket failed")));
    });
  }

  send(frame: Record<string, unknown>): number {
    const id = this.#next++;
    this.ws.send(JSON.stringify({ id, ...frame }));
    return id;
  }

  /** Resolves with the first unclaimed frame matching `pick`, waiting for new frames (no sleeps). */
  async take(pick: (f: Frame) => boolean, timeoutMs = 20_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pick);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Frame;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; have ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async request(frame: Record<string, unknown>): Promise<Frame> {
    const id = this.send(frame);
    return this.take((f) => f.type === "reply" && f.id === id);
  }

  async connect(extra: Record<string, unknown> = {}): Promise<Frame> {
    this.ws.send(JSON.stringify({ op: "connect", ...extra }));
    return this.take((f) => f.type === "connected" || f.type === "reply" || f.type === "session");
  }
}

describe("WebSocket sessions end to end", () => {
  it("pushes a write made through one member to a watcher on another, in order with replies", async () => {
    const watcher = await Client.open(0);
    expect(await watcher.connect()).toMatchObject({ type: "connected" });
    const writer = await Client.open(2);
    await writer.connect();
    await watcher.request({ op: "exists", path: "/e2e", watch: true });
    const created = await writer.request({ op: "create", path: "/e2e", data: "hi" });
    expect(created).toMatchObject({ result: "create", path: "/e2e" });
    expect(await watcher.take((f) => f.type === "event")).toEqual({
      type: "event",
      event: "NodeCreated",
      path: "/e2e",
      zxid: created.zxid,
    });
    const ids = Array.from({ length: 20 }, (_, i) =>
      writer.send({ op: "setData", path: "/e2e", data: String(i) }),
    );
    const replies: Frame[] = [];
    for (const id of ids) replies.push(await writer.take((f) => f.type === "reply" && f.id === id));
    expect(replies.map((r) => (r.stat as { version: number }).version)).toEqual(
      ids.map((_, i) => i + 1),
    );
    watcher.ws.close();
    writer.ws.close();
  });

  it("resumes a session on another member after the socket is gone", async () => {
    const first = await Client.open(1);
    const hello = await first.connect({ timeoutMs: 20_000 });
    const eph = await first.request({ op: "create", path: "/e2e-eph", mode: "ephemeral" });
    first.ws.close();
    const second = await Client.open(2);
    const again = await second.connect({
      sessionId: hello.sessionId,
      password: hello.password,
      lastZxid: eph.zxid,
    });
    expect(again).toMatchObject({ type: "connected", sessionId: hello.sessionId });
    expect(await second.request({ op: "getEphemerals", prefix: "/" })).toMatchObject({
      paths: ["/e2e-eph"],
    });
    await second.request({ op: "close" });
    const check = await fetch(`${service.url}/v1/znodes/e2e-eph`);
    expect(check.status).toBe(404);
  });

  it("re-registers watches after a reconnect and replays what a persistent watch missed", async () => {
    const first = await Client.open(0);
    const hello = await first.connect({ timeoutMs: 20_000 });
    await first.request({ op: "create", path: "/e2e-w", data: "0" });
    const seen = (await first.request({ op: "addWatch", path: "/e2e-w", mode: "persistent" }))
      .zxid as number;
    first.ws.close();
    const writer = await Client.open(1);
    await writer.connect();
    const missed = await writer.request({ op: "setData", path: "/e2e-w", data: "1" });
    const second = await Client.open(2);
    await second.connect({ sessionId: hello.sessionId, password: hello.password, lastZxid: seen });
    const id = second.send({
      op: "setWatches",
      lastZxid: seen,
      persistent: ["/e2e-w"],
      replay: true,
    });
    expect(await second.take((f) => f.type === "event")).toMatchObject({
      event: "NodeDataChanged",
      path: "/e2e-w",
      zxid: missed.zxid,
    });
    await second.take((f) => f.type === "reply" && f.id === id);
    const next = await writer.request({ op: "setData", path: "/e2e-w", data: "2" });
    expect(await second.take((f) => f.type === "event")).toMatchObject({ zxid: next.zxid });
    second.ws.close();
    writer.ws.close();
  });
});
