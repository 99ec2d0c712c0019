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
  readonly #spread: SpreadMember;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#spread = new SpreadMember(ctx.storage, (id) => env.SHAPE.getByName(`spread-${id}`));
    this.#sql.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS log (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS tree (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    const have = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM rows").one().n;
    for (let i = have; i < readRows; i++)
      this.#sql.exec("INSERT INTO rows (id, data) VALUES (?, ?)", i, row(i));
  }

  override async fetch(request: Request): Promise<Response> {
    const pair = new WebSocketPair();
    const url = new URL(request.url);
    const tags = [url.pathname.slice(1), url.searchParams.get("member") ?? "0"];
    this.ctx.acceptWebSocket(pair[1], tags);
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
      case "spread":
        this.#spread.take(ws, n, Number(this.ctx.getTags(ws)[1]));
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

  /** The spread shape's calls between its members (SpreadMember). */
  forward(ns: number[]): Promise<number> {
    return this.#spread.forwarded(ns);
  }

  replicate(entries: Uint8Array[], first: number, commit: number): number {
    return this.#spread.replicate(entries, first, commit);
  }

  commitTo(commit: number): void {
    this.#spread.commitTo(commit);
  }

  treeRows(): number {
    this.#spread.flushTree();
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM tree").one().n;
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
    this.#sql.exec("DELETE FROM tree");
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
      case "/tree-rows":
        return Response.json({ rows: await stub.treeRows() });
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

interface Waiting {
  readonly index: number;
  readonly ws: WebSocket;
  readonly n: number;
}

/** How often the spread shape writes its applied rows, as edgekeeper's tree flush (TREE_FLUSH_MS). */
const treeFlushMs = 250;

/**
 * ZooKeeper's message pattern with nothing else: clients on all three members; a follower forwards
 * its clients' writes to the leader in batches (at once when none is in flight); the leader logs a
 * batch in one transaction, sends it to both followers in one call each, and on the first
 * acknowledgement commits, applies and answers; the followers learn the commit with the next
 * batch, or from a call of its own when none follows, apply, and answer the writes they
 * forwarded. Applied rows reach SQLite in batches, as edgekeeper's tree does. Member 0 leads.
 */
class SpreadMember {
  readonly #storage: DurableObjectStorage;
  readonly #member: (id: number) => DurableObjectStub<Shape>;
  #queue: Array<{ ws: WebSocket | null; n: number; done?: (index: number) => void }> = [];
  #booked = false;
  #last = 0;
  #applied = 0;
  #commit = 0;
  #log = new Map<number, Uint8Array>();
  #pendingTree: Array<[number, Uint8Array]> = [];
  #treeFlushedAt = 0;
  #waiting: Waiting[] = [];
  #forwarding = false;
  #forwardQueue: Array<{ ws: WebSocket; n: number }> = [];

  constructor(storage: DurableObjectStorage, member: (id: number) => DurableObjectStub<Shape>) {
    this.#storage = storage;
    this.#member = member;
  }

  /** A client's write reached member `id`. */
  take(ws: WebSocket, n: number, id: number): void {
    if (id === 0) this.#enqueue({ ws, n });
    else {
      this.#forwardQueue.push({ ws, n });
      if (!this.#forwarding) this.#forward();
    }
  }

  #forward(): void {
    const batch = this.#forwardQueue;
    this.#forwardQueue = [];
    this.#forwarding = true;
    void this.#member(0)
      .forward(batch.map((w) => w.n))
      .then((last) => {
        // The batch ends at `last`: answer each once this member has applied it.
        batch.forEach(({ ws, n }, i) => {
          this.#waiting.push({ index: last - batch.length + 1 + i, ws, n });
        });
        this.#answerApplied();
        this.#forwarding = false;
        if (this.#forwardQueue.length > 0) setTimeout(() => this.#forward(), 0);
      });
  }

  /** At the leader: a follower's batch; resolves with its last index once committed. */
  forwarded(ns: number[]): Promise<number> {
    return new Promise((resolve) => {
      ns.forEach((n, i) => {
        this.#enqueue({
          ws: null,
          n,
          ...(i === ns.length - 1 ? { done: resolve } : {}),
        });
      });
    });
  }

  #enqueue(write: { ws: WebSocket | null; n: number; done?: (index: number) => void }): void {
    this.#queue.push(write);
    if (this.#booked) return;
    this.#booked = true;
    setTimeout(() => void this.#propose(), 0);
  }

  async #propose(): Promise<void> {
    this.#booked = false;
    const batch = this.#queue;
    this.#queue = [];
    const first = this.#last + 1;
    const entries = batch.map(({ n }) => row(n));
    this.#append(entries, first);
    const commit = this.#commit;
    const acks = [1, 2].map((f) => this.#member(f).replicate(entries, first, commit));
    await Promise.any(acks);
    this.#commit = Math.max(this.#commit, first + entries.length - 1);
    this.#apply();
    batch.forEach(({ ws, n, done }, i) => {
      ws?.send(String(n));
      done?.(first + i);
    });
    // The followers hear the commit with the next batch; with none coming, by a call of its own.
    await Promise.all(acks);
    if (this.#queue.length === 0 && !this.#booked)
      for (const f of [1, 2]) void this.#member(f).commitTo(this.#commit);
  }

  /** At a follower: the leader's batch, logged in one transaction; answers with its last index. */
  replicate(entries: Uint8Array[], first: number, commit: number): number {
    this.#append(entries, first);
    this.commitTo(commit);
    return this.#last;
  }

  commitTo(commit: number): void {
    this.#commit = Math.max(this.#commit, Math.min(commit, this.#last));
    this.#apply();
    this.#answerApplied();
  }

  #append(entries: Uint8Array[], first: number): void {
    this.#storage.transactionSync(() => {
      entries.forEach((data, i) => {
        this.#storage.sql.exec(
          "INSERT OR REPLACE INTO log (idx, data) VALUES (?, ?)",
          first + i,
          data,
        );
        this.#log.set(first + i, data);
      });
    });
    this.#last = first + entries.length - 1;
  }

  #apply(): void {
    for (let i = this.#applied + 1; i <= this.#commit; i++) {
      const data = this.#log.get(i);
      if (data) this.#pendingTree.push([i, data]);
      this.#log.delete(i);
    }
    this.#applied = this.#commit;
    const now = Date.now();
    if (now - this.#treeFlushedAt >= treeFlushMs) this.flushTree();
  }

  flushTree(): void {
    this.#treeFlushedAt = Date.now();
    const rows = this.#pendingTree;
    this.#pendingTree = [];
    this.#storage.transactionSync(() => {
      for (const [idx, data] of rows)
        this.#storage.sql.exec("INSERT OR REPLACE INTO tree (idx, data) VALUES (?, ?)", idx, data);
    });
  }

  #answerApplied(): void {
    const still: Waiting[] = [];
    for (const w of this.#waiting) {
      if (w.index <= this.#applied) w.ws.send(String(w.n));
      else still.push(w);
    }
    this.#waiting = still;
  }
}
