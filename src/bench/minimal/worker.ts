// The minimal shapes of the runtime (`npm run bench -- --minimal`): what a WebSocket, a SQLite
// read or write, group commit, a replicated write and an RPC cost in this runtime with nothing of
// edgekeeper around them, so the distance from edgekeeper's write path to the limit is measured
// in every run instead of quoted. Every reply carries what the client checks.

import { DurableObject } from "cloudflare:workers";

interface Env {
  SHAPE: DurableObjectNamespace<Shape>;
}

const rowBytes = 1024;
const readRows = 100;
const row = (n: number) => {
  const bytes = new Uint8Array(rowBytes);
  bytes.fill(n & 0xff);
  return bytes;
};

/** One object plays each shape; `leader` and its two followers play the replicated write. */
export class Shape extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  #queue: Array<{ ws: WebSocket; n: number }> = [];
  #flushBooked = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS log (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    const have = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM rows").one().n;
    for (let i = have; i < readRows; i++)
      this.#sql.exec("INSERT INTO rows (id, data) VALUES (?, ?)", i, row(i));
  }

  override async fetch(request: Request): Promise<Response> {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [new URL(request.url).pathname.slice(1)]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const shape = this.ctx.getTags(ws)[0];
    const n = Number(message);
    switch (shape) {
      case "echo":
        ws.send(message);
        return;
      case "read": {
        const data = this.#sql
          .exec<{ data: ArrayBuffer }>("SELECT data FROM rows WHERE id = ?", n % readRows)
          .one().data;
        ws.send(`${n}:${new Uint8Array(data)[0]}:${data.byteLength}`);
        return;
      }
      case "insert":
        // Its own event, so its own implicit transaction: the reply waits for that commit.
        this.#sql.exec("INSERT INTO log (data) VALUES (?)", row(n));
        ws.send(String(n));
        return;
      case "group":
      case "replicated":
        this.#queue.push({ ws, n });
        if (!this.#flushBooked) {
          this.#flushBooked = true;
          // A microtask never batches: the messages of other sockets are separate events.
          setTimeout(() => void this.#flush(shape === "replicated"), 0);
        }
        return;
      default:
        ws.close(1008, `unknown shape ${shape}`);
    }
  }

  async #flush(replicate: boolean): Promise<void> {
    this.#flushBooked = false;
    const batch = this.#queue;
    this.#queue = [];
    const rows = batch.map(({ n }) => row(n));
    this.append(rows);
    if (replicate) {
      // Answer on a quorum: this member's commit (the output gate holds the replies until it is
      // durable) and the first follower's.
      const followers = [1, 2].map((i) => this.env.SHAPE.getByName(`follower-${i}`).append(rows));
      await Promise.any(followers);
    }
    for (const { ws, n } of batch) ws.send(String(n));
  }

  /** One transaction for a batch of rows (a follower's half of the replicated write). */
  append(rows: Uint8Array[]): number {
    this.ctx.storage.transactionSync(() => {
      for (const data of rows) this.#sql.exec("INSERT INTO log (data) VALUES (?)", data);
    });
    return rows.length;
  }

  ping(n: number): number {
    return n + 1;
  }

  /** Awaited DO→DO RPCs one at a time; returns the count that answered correctly. */
  async rpcLoop(count: number): Promise<number> {
    const peer = this.env.SHAPE.getByName("rpc-peer");
    let ok = 0;
    for (let i = 0; i < count; i++) if ((await peer.ping(i)) === i + 1) ok++;
    return ok;
  }

  logRows(): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM log").one().n;
  }

  reset(): void {
    this.#sql.exec("DELETE FROM log");
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const object = url.searchParams.get("object") ?? "one";
    const stub = env.SHAPE.getByName(object);
    switch (url.pathname) {
      case "/ping":
        return Response.json({ n: await stub.ping(Number(url.searchParams.get("n"))) });
      case "/rpc-loop":
        return Response.json({ ok: await stub.rpcLoop(Number(url.searchParams.get("count"))) });
      case "/rows":
        return Response.json({ rows: await stub.logRows() });
      case "/reset":
        await stub.reset();
        return Response.json({ ok: true });
      default:
        if (request.headers.get("upgrade") !== "websocket")
          return new Response("not found", { status: 404 });
        return stub.fetch(request);
    }
  },
} satisfies ExportedHandler<Env>;
