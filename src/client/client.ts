// The edgekeeper SDK: one client over the WebSocket session protocol, with ZooKeeper's
// operations as promises, watches, and automatic reconnect to another member that resumes the
// session, re-registers watches and replays what persistent watches missed. Standard fetch and
// WebSocket only, so it runs in workerd, Node ≥ 22 and browsers.

import { pingFrame, pongFrame } from "../protocol/keep-alive.ts";
import { KeeperError } from "./keeper-error.ts";

export type CreateMode =
  | "persistent"
  | "ephemeral"
  | "persistent_sequential"
  | "ephemeral_sequential"
  | "container"
  | "persistent_ttl"
  | "persistent_sequential_ttl";

export interface Stat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}

export interface WatchEvent {
  readonly event: "NodeCreated" | "NodeDeleted" | "NodeDataChanged" | "NodeChildrenChanged";
  readonly path: string;
  readonly zxid: number;
}

export type ConnectionState = "connecting" | "connected" | "disconnected" | "closed" | "expired";

export interface ClientOptions {
  /** The service's base URL (http(s)://…); the socket goes to /v1/session. */
  readonly url: string;
  readonly token?: string;
  readonly sessionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** How many members the ensemble has: reconnects rotate through them. */
  readonly members?: number;
  /** The member to try first. */
  readonly member?: number;
  /**
   * Opens the socket instead of `new WebSocket(url)` — e.g. a Worker calling the service through
   * a service binding's fetch with an Upgrade header (then call accept() on the socket).
   */
  readonly openSocket?: (url: string) => Promise<WebSocket>;
}

type Listener<T> = (value: T) => void;
type Frame = Record<string, unknown> & { type: string };

interface Pending {
  readonly frame: Record<string, unknown>;
  readonly resolve: (f: Frame) => void;
  readonly reject: (e: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface OneShot {
  readonly kind: "data" | "exist" | "child";
  readonly path: string;
  readonly listener: Listener<WatchEvent>;
}

interface Persistent {
  readonly path: string;
  readonly recursive: boolean;
  readonly listener: Listener<WatchEvent>;
}

const encoder = new TextEncoder();

export class EdgeKeeperClient {
  readonly #options: Required<Omit<ClientOptions, "token" | "openSocket">> & {
    token?: string;
    openSocket?: (url: string) => Promise<WebSocket>;
  };
  #ws: WebSocket | null = null;
  #state: ConnectionState = "connecting";
  #sessionId: string | null = null;
  #password: string | null = null;
  #lastZxid = 0;
  #nextId = 1;
  #seq = 0;
  #member: number;
  readonly #pending = new Map<number, Pending>();
  #oneShots: OneShot[] = [];
  #persistent: Persistent[] = [];
  readonly #stateListeners = new Set<Listener<ConnectionState>>();
  #closing = false;
  #timeoutMs = 0;
  #lastSentMs = 0;
  #pinger: ReturnType<typeof setInterval> | null = null;

  private constructor(options: ClientOptions) {
    this.#options = {
      url: options.url.replace(/\/$/, ""),
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      members: options.members ?? 3,
      member: options.member ?? 0,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.openSocket === undefined ? {} : { openSocket: options.openSocket }),
    };
    this.#member = this.#options.member;
  }

  /** Opens a session on the ensemble. */
  static async connect(options: ClientOptions): Promise<EdgeKeeperClient> {
    const client = new EdgeKeeperClient(options);
    await client.#open();
    return client;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** The newest zxid this client has seen (replies and events). */
  get lastZxid(): number {
    return this.#lastZxid;
  }

  onState(listener: Listener<ConnectionState>): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  async create(
    path: string,
    data: Uint8Array | string = "",
    options: {
      mode?: CreateMode;
      ttlMs?: number;
      acl?: Array<{ perms: number | string; scheme: string; id: string }>;
    } = {},
  ): Promise<{ path: string; stat: Stat }> {
    const r = await this.#write({ op: "create", path, ...dataField(data), ...options });
    return { path: r.path as string, stat: r.stat as Stat };
  }

  async getData(
    path: string,
    options: { watch?: Listener<WatchEvent> } = {},
  ): Promise<{ data: Uint8Array; stat: Stat }> {
    const r = await this.#watched("data", path, options.watch, { op: "getData", path });
    return { data: decodeData(r), stat: r.stat as Stat };
  }

  async setData(path: string, data: Uint8Array | string, version = -1): Promise<Stat> {
    return (await this.#write({ op: "setData", path, ...dataField(data), version })).stat as Stat;
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.#write({ op: "delete", path, version });
  }

  /** The node's Stat, or null when it does not exist (a watch is set either way, as ZooKeeper does). */
  async exists(path: string, options: { watch?: Listener<WatchEvent> } = {}): Promise<Stat | null> {
    try {
      const r = await this.#watched("exist", path, options.watch, { op: "exists", path }, true);
      // The node exists, so this is a data watch (for re-registration after a reconnect).
      this.#oneShots = this.#oneShots.map((w) =>
        w.listener === options.watch && w.path === path && w.kind === "exist"
          ? { ...w, kind: "data" }
          : w,
      );
      return r.stat as Stat;
    } catch (e) {
      if (e instanceof KeeperError && e.error === "NONODE") return null;
      throw e;
    }
  }

  async getChildren(
    path: string,
    options: { watch?: Listener<WatchEvent> } = {},
  ): Promise<{ children: string[]; stat: Stat }> {
    const r = await this.#watched("child", path, options.watch, { op: "getChildren", path });
    return { children: r.children as string[], stat: r.stat as Stat };
  }

  async multi(ops: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    return (await this.#write({ op: "multi", ops })).results as Array<Record<string, unknown>>;
  }

  async sync(): Promise<number> {
    return (await this.#call({ op: "sync" })).zxid as number;
  }

  async getACL(
    path: string,
  ): Promise<{ acl: Array<{ perms: number; scheme: string; id: string }>; stat: Stat }> {
    const r = await this.#call({ op: "getACL", path });
    return {
      acl: r.acl as Array<{ perms: number; scheme: string; id: string }>,
      stat: r.stat as Stat,
    };
  }

  async setACL(
    path: string,
    acl: Array<{ perms: number | string; scheme: string; id: string }>,
    version = -1,
  ): Promise<Stat> {
    return (await this.#write({ op: "setACL", path, acl, version })).stat as Stat;
  }

  async addAuth(scheme: "digest", credential: string): Promise<void> {
    await this.#call({ op: "auth", scheme, credential });
  }

  /** A persistent (or recursive) watch; returns a function that removes it. */
  async addWatch(
    path: string,
    listener: Listener<WatchEvent>,
    options: { recursive?: boolean } = {},
  ): Promise<() => Promise<void>> {
    const recursive = options.recursive === true;
    await this.#call({
      op: "addWatch",
      path,
      mode: recursive ? "persistentRecursive" : "persistent",
    });
    const watch = { path, recursive, listener };
    this.#persistent.push(watch);
    return async () => {
      this.#persistent = this.#persistent.filter((w) => w !== watch);
      if (!this.#persistent.some((w) => w.path === path && w.recursive === recursive)) {
        await this.#call({
          op: "removeWatches",
          path,
          type: recursive ? "persistentRecursive" : "persistent",
        });
      }
    };
  }

  /** Persistent-watch events as an async iterator; it survives reconnects without missing one. */
  watch(
    path: string,
    options: { recursive?: boolean } = {},
  ): AsyncIterable<WatchEvent> & { close(): Promise<void>; readonly ready: Promise<void> } {
    const queue: WatchEvent[] = [];
    let wake: (() => void) | null = null;
    let remove: (() => Promise<void>) | null = null;
    let done = false;
    const ready = this.addWatch(
      path,
      (e) => {
        queue.push(e);
        wake?.();
      },
      options,
    ).then((r) => {
      remove = r;
    });
    const close = async () => {
      done = true;
      wake?.();
      await ready;
      await remove?.();
    };
    return {
      close,
      ready,
      async *[Symbol.asyncIterator]() {
        await ready;
        while (!done) {
          const next = queue.shift();
          if (next) {
            yield next;
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      },
    };
  }

  /**
   * Drops the connection without ending the session, and stops reconnecting: the session lives
   * until its timeout, as when a process dies. For tests and for handing a session over.
   */
  abandon(): void {
    this.#closing = true;
    this.#ws?.close();
    this.#setState("closed");
  }

  /** Ends the session (its ephemerals are deleted) and the socket. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#closing = true;
    try {
      if (this.#state === "connected") await this.#call({ op: "close" });
    } catch {
      // Closing anyway.
    }
    this.#ws?.close();
    this.#setState("closed");
  }

  /**
   * A read that may set a one-shot watch. The watch is armed here before the request goes out, so
   * an event that arrives right behind the reply cannot slip past it; it is withdrawn if the
   * server did not set it (NONODE, except for exists, which watches a missing node too).
   */
  async #watched(
    kind: OneShot["kind"],
    path: string,
    listener: Listener<WatchEvent> | undefined,
    frame: Record<string, unknown>,
    keepOnNoNode = false,
  ): Promise<Frame> {
    if (!listener) return this.#call(frame);
    const watch: OneShot = { kind, path, listener };
    this.#oneShots.push(watch);
    try {
      return await this.#call({ ...frame, watch: true });
    } catch (e) {
      if (!(keepOnNoNode && e instanceof KeeperError && e.error === "NONODE")) {
        this.#oneShots = this.#oneShots.filter((w) => w !== watch);
      }
      throw e;
    }
  }

  async #write(frame: Record<string, unknown>): Promise<Frame> {
    // Every write carries a sequence number: resent after a reconnect, it is applied at most once.
    return this.#call({ ...frame, seq: ++this.#seq });
  }

  #call(frame: Record<string, unknown>): Promise<Frame> {
    if (this.#state === "closed" || this.#state === "expired") {
      return Promise.reject(
        new KeeperError({
          code: -112,
          name: "SESSIONEXPIRED",
          message: `The session is ${this.#state}`,
        }),
      );
    }
    const id = this.#nextId++;
    const full = { id, ...frame };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new KeeperError({
            code: -7,
            name: "OPERATIONTIMEOUT",
            message: `No reply to ${String(frame.op)} in time`,
          }),
        );
      }, this.#options.requestTimeoutMs);
      this.#pending.set(id, { frame: full, resolve, reject, timer });
      if (this.#state === "connected") this.#send(full);
    });
  }

  async #open(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.#options.members * 2; attempt++) {
      try {
        await this.#connectTo(this.#member);
        return;
      } catch (e) {
        lastError = e;
        if (e instanceof KeeperError && (e.error === "AUTHFAILED" || e.error === "SESSIONEXPIRED"))
          throw e;
        this.#member = (this.#member + 1) % this.#options.members;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  async #connectTo(member: number): Promise<void> {
    this.#setState("connecting");
    const base = this.#options.url.replace(/^http/, "ws");
    const token = this.#options.token
      ? `&access_token=${encodeURIComponent(this.#options.token)}`
      : "";
    const url = `${base}/v1/session?member=${member}${token}`;
    const opener = this.#options.openSocket;
    let ws: WebSocket;
    try {
      ws = opener ? await opener(url) : new WebSocket(url);
    } catch (e) {
      throw new KeeperError({
        code: -4,
        name: "CONNECTIONLOSS",
        message: `Cannot reach member ${member}: ${String(e)}`,
      });
    }
    // A socket from a custom opener may already be open (it fires no "open" event then).
    const alreadyOpen = ws.readyState === 1;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      };
      ws.addEventListener("error", () =>
        fail(
          new KeeperError({
            code: -4,
            name: "CONNECTIONLOSS",
            message: `Cannot reach member ${member}`,
          }),
        ),
      );
      ws.addEventListener("close", () => {
        fail(
          new KeeperError({
            code: -4,
            name: "CONNECTIONLOSS",
            message: `Member ${member} closed the socket`,
          }),
        );
        if (settled && this.#ws === ws) void this.#lost();
      });
      const hello = () => {
        const resume = this.#sessionId
          ? { sessionId: this.#sessionId, password: this.#password, lastZxid: this.#lastZxid }
          : { timeoutMs: this.#options.sessionTimeoutMs };
        ws.send(JSON.stringify({ op: "connect", ...resume }));
      };
      if (alreadyOpen) queueMicrotask(hello);
      else ws.addEventListener("open", hello);
      ws.addEventListener("message", (e) => {
        if (e.data === pongFrame) return; // the runtime's answer to a keep-alive
        const frame = JSON.parse(String(e.data)) as Frame;
        if (!settled) {
          if (frame.type === "connected") {
            settled = true;
            this.#ws = ws;
            this.#sessionId = frame.sessionId as string;
            this.#password = frame.password as string;
            this.#timeoutMs = frame.timeoutMs as number;
            this.#startPinging();
            this.#setState("connected");
            this.#afterConnect();
            resolve();
          } else if (frame.type === "session") {
            this.#setState("expired");
            fail(
              new KeeperError({
                code: -112,
                name: "SESSIONEXPIRED",
                message: "The session expired",
              }),
            );
          } else if (frame.type === "reply" && frame.error) {
            fail(new KeeperError(frame.error as { code: number; name: string; message: string }));
          }
          return;
        }
        this.#receive(frame);
      });
    });
  }

  /** After (re)connecting: re-arm watches (replaying persistent ones), then resend what is unanswered. */
  #afterConnect(): void {
    const ws = this.#ws;
    if (!ws) return;
    if (this.#oneShots.length > 0 || this.#persistent.length > 0) {
      const id = this.#nextId++;
      ws.send(
        JSON.stringify({
          id,
          op: "setWatches",
          lastZxid: this.#lastZxid,
          data: unique(this.#oneShots.filter((w) => w.kind === "data").map((w) => w.path)),
          exist: unique(this.#oneShots.filter((w) => w.kind === "exist").map((w) => w.path)),
          child: unique(this.#oneShots.filter((w) => w.kind === "child").map((w) => w.path)),
          persistent: unique(this.#persistent.filter((w) => !w.recursive).map((w) => w.path)),
          persistentRecursive: unique(
            this.#persistent.filter((w) => w.recursive).map((w) => w.path),
          ),
          replay: true,
        }),
      );
    }
    for (const p of this.#pending.values()) ws.send(JSON.stringify(p.frame));
  }

  #receive(frame: Frame): void {
    if (typeof frame.zxid === "number" && frame.zxid > this.#lastZxid) this.#lastZxid = frame.zxid;
    if (frame.type === "event") {
      this.#dispatch(frame as unknown as WatchEvent & { type: string });
      return;
    }
    if (frame.type === "session") {
      this.#setState(frame.state === "expired" ? "expired" : "closed");
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(
          new KeeperError({ code: -112, name: "SESSIONEXPIRED", message: "The session ended" }),
        );
      }
      this.#pending.clear();
      return;
    }
    if (frame.type !== "reply" || typeof frame.id !== "number") return;
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    this.#pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.error)
      pending.reject(
        new KeeperError(frame.error as { code: number; name: string; message: string }),
      );
    else pending.resolve(frame);
  }

  #dispatch(e: WatchEvent): void {
    const event: WatchEvent = { event: e.event, path: e.path, zxid: e.zxid };
    // One-shot watches fire once: data/exist watches on data events, child watches on child events
    // and on the node's deletion.
    const fired = this.#oneShots.filter(
      (w) =>
        w.path === event.path &&
        (event.event === "NodeChildrenChanged"
          ? w.kind === "child"
          : w.kind !== "child" || event.event === "NodeDeleted"),
    );
    this.#oneShots = this.#oneShots.filter((w) => !fired.includes(w));
    const listeners = new Set<Listener<WatchEvent>>(fired.map((w) => w.listener));
    for (const w of this.#persistent) {
      const hit = w.recursive
        ? event.event !== "NodeChildrenChanged" &&
          (w.path === "/" || event.path === w.path || event.path.startsWith(`${w.path}/`))
        : event.path === w.path;
      if (hit) listeners.add(w.listener);
    }
    for (const listener of listeners) listener(event);
  }

  async #lost(): Promise<void> {
    if (this.#closing || this.#state === "expired" || this.#state === "closed") return;
    this.#ws = null;
    this.#setState("disconnected");
    this.#member = (this.#member + 1) % this.#options.members;
    try {
      await this.#open();
    } catch (e) {
      if (e instanceof KeeperError && e.error === "SESSIONEXPIRED") this.#setState("expired");
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(e instanceof Error ? e : new Error(String(e)));
      }
      this.#pending.clear();
    }
  }

  #send(frame: Record<string, unknown> | string): void {
    this.#lastSentMs = Date.now();
    this.#ws?.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /**
   * As ZooKeeper's client does: ping when idle for a third of the session timeout. The ping is
   * the fixed keep-alive frame the runtime answers without waking the member.
   */
  #startPinging(): void {
    if (this.#pinger !== null) return;
    const every = Math.max(250, Math.floor(this.#timeoutMs / 3));
    this.#pinger = setInterval(() => {
      if (this.#state === "closed" || this.#state === "expired") {
        if (this.#pinger !== null) clearInterval(this.#pinger);
        this.#pinger = null;
        return;
      }
      if (this.#state === "connected" && Date.now() - this.#lastSentMs >= every) {
        this.#send(pingFrame);
      }
    }, every);
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const l of this.#stateListeners) l(state);
  }
}

function dataField(data: Uint8Array | string): { data: string; encoding: "utf8" | "base64" } {
  if (typeof data === "string") return { data, encoding: "utf8" };
  let binary = "";
  for (const b of data) binary += String.fromCharCode(b);
  return { data: btoa(binary), encoding: "base64" };
}

function decodeData(frame: Frame): Uint8Array {
  const data = (frame.data as string | undefined) ?? "";
  if (frame.encoding === "base64") return Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
  return encoder.encode(data);
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}
