// The edgekeeper SDK: one client over the WebSocket session protocol, with ZooKeeper's
// operations as promises, watches, and a connection that survives the real world: a lost socket
// suspends the session and the client reconnects — forever, with backoff, across members —
// resuming the session, re-registering watches and replaying what persistent watches missed,
// until the session is known to be gone. Standard fetch and WebSocket only, so it runs in
// workerd, Node ≥ 20 and browsers.

import { ErrorCode } from "../core/error-code.ts";
import { reaches } from "../core/session/watch-resume.ts";
import type { EventType } from "../core/tree/tree-event.ts";
import { movedCloseCode } from "../protocol/close-codes.ts";
import type { CreateModeName } from "../protocol/create-mode-names.ts";
import { decodeData as decodeBytes, encodeData } from "../protocol/data-encoding.ts";
import { pingFrame, pongFrame } from "../protocol/keep-alive.ts";
import type { ErrorJson, ReplyFrame, ServerFrame } from "../protocol/session-frames.ts";
import type { StatJson } from "../protocol/stat-json.ts";
import { type ConnectionState, ConnectionStates } from "./connection-states.ts";
import { ensemblePath } from "./ensemble-path.ts";
import { KeeperError } from "./keeper-error.ts";
import { exponentialBackoff, type RetryPolicy } from "./retry-policy.ts";

export type { ConnectionState } from "./connection-states.ts";

/** A create mode's name (the protocol's own type). */
export type CreateMode = CreateModeName;

/** A node's Stat as the protocol carries it (ephemeralOwner as a decimal string). */
export type Stat = StatJson;

export interface WatchEvent {
  readonly event: EventType;
  readonly path: string;
  readonly zxid: number;
}

export interface ClientOptions {
  /** The service's base URL (http(s)://…); the socket goes to /v1/session. */
  readonly url: string;
  /** An ensemble created through /v1/ensembles (default: the service's own). */
  readonly ensemble?: string;
  readonly token?: string;
  readonly sessionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** How many members the ensemble has: reconnects rotate through them. */
  readonly members?: number;
  /**
   * The member to try first (reconnects then rotate from it). Unset, the service places the
   * session on its least-loaded member, and may later move it for balance (it resumes at once).
   */
  readonly member?: number;
  /**
   * Opens the socket instead of `new WebSocket(url)` — e.g. a Worker calling the service through
   * a service binding's fetch with an Upgrade header (then call accept() on the socket).
   */
  readonly openSocket?: (url: string) => Promise<WebSocket>;
  /** How long `connect` tries before it gives up (reconnects after that never give up). */
  readonly connectTimeoutMs?: number;
  /** The wait before each reconnect attempt (default: exponential backoff with jitter). */
  readonly retryPolicy?: RetryPolicy;
  /** Asks the service why a socket was refused (a bad token): defaults to the global fetch. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

type Listener<T> = (value: T) => void;
type Frame = ReplyFrame;

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

export class EdgeKeeperClient {
  readonly #options: Required<
    Omit<ClientOptions, "token" | "ensemble" | "openSocket" | "retryPolicy" | "fetch" | "member">
  > & {
    member?: number;
    token?: string;
    ensemble?: string;
    openSocket?: (url: string) => Promise<WebSocket>;
    fetch?: (url: string, init: RequestInit) => Promise<Response>;
  };
  readonly #retry: RetryPolicy;
  #ws: WebSocket | null = null;
  readonly #states = new ConnectionStates((s) => this.#announce(s));
  #sessionId: string | null = null;
  #password: string | null = null;
  #lastZxid = 0;
  #nextId = 1;
  #seq = 0;
  /** The member the next attempt asks for; null lets the service place the session. */
  #member: number | null;
  readonly #pending = new Map<number, Pending>();
  #oneShots: OneShot[] = [];
  #persistent: Persistent[] = [];
  readonly #stateListeners = new Set<Listener<ConnectionState>>();
  #closing = false;
  #timeoutMs = 0;
  #lastSentMs = 0;
  #pinger: ReturnType<typeof setInterval> | null = null;
  /** Fires when a suspended session's timeout has passed without a connection. */
  #expiryTimer: ReturnType<typeof setTimeout> | null = null;
  #reconnecting = false;

  private constructor(options: ClientOptions) {
    this.#options = {
      url: options.url.replace(/\/$/, ""),
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      members: options.members ?? 3,
      ...(options.member === undefined ? {} : { member: options.member }),
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.ensemble === undefined ? {} : { ensemble: options.ensemble }),
      ...(options.openSocket === undefined ? {} : { openSocket: options.openSocket }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    };
    this.#retry = options.retryPolicy ?? exponentialBackoff();
    this.#member = this.#options.member ?? null;
  }

  /**
   * The member to ask after a failed attempt or a lost socket: the next one for a client that
   * named its first member; otherwise the service's placement and explicit members by turns (a
   * member the service still counts as live may be the one that cannot take the socket).
   */
  #nextMember(): void {
    const members = this.#options.members;
    if (this.#options.member !== undefined) {
      this.#member = ((this.#member ?? this.#options.member) + 1) % members;
    } else {
      this.#rotation = (this.#rotation + 1) % (2 * members);
      this.#member = this.#rotation % 2 === 0 ? null : (this.#rotation - 1) / 2;
    }
  }

  #rotation = 0;

  /**
   * Opens a session on the ensemble, trying members with backoff for `connectTimeoutMs`. A bad
   * token fails at once with AUTHFAILED; an unreachable service with CONNECTIONLOSS naming it.
   */
  static async connect(options: ClientOptions): Promise<EdgeKeeperClient> {
    if (options.openSocket === undefined && typeof globalThis.WebSocket !== "function")
      throw new TypeError(
        "This runtime has no global WebSocket (Node 20 has one only with --experimental-websocket): pass " +
          "openSocket: async (url) => new WebSocket(url) with WebSocket from the `ws` package, " +
          "or run on Node ≥ 22, a browser, Deno, Bun or a Worker",
      );
    const client = new EdgeKeeperClient(options);
    await client.#firstConnect();
    return client;
  }

  /**
   * connecting, connected, suspended (the socket is gone, the session may live), reconnected
   * (the session survived), and the ends: expired, closed, authFailed.
   */
  get state(): ConnectionState {
    return this.#states.state;
  }

  /** True while requests go out at once (connected or reconnected). */
  get connected(): boolean {
    return this.#states.connected;
  }

  /** The session timeout the service granted (0 before the first connection). */
  get sessionTimeoutMs(): number {
    return this.#timeoutMs;
  }

  /**
   * Milliseconds since the client last heard from the service, by its own clock. A recipe uses
   * it to know, right after its process was paused, that it may no longer hold what it held.
   */
  sinceHeardMs(): number {
    return this.#states.sinceHeardMs(Date.now());
  }

  /** Resolves with the first state among `states` (at once if the client is in one). */
  until(...states: ConnectionState[]): Promise<ConnectionState> {
    if (states.includes(this.state)) return Promise.resolve(this.state);
    return new Promise((resolve) => {
      const stop = this.onState((s) => {
        if (!states.includes(s)) return;
        stop();
        resolve(s);
      });
    });
  }

  /** Every state change, as an async iterator that ends with the client. */
  async *stateChanges(): AsyncIterable<ConnectionState> {
    const queue: ConnectionState[] = [];
    let wake: (() => void) | null = null;
    const stop = this.onState((s) => {
      queue.push(s);
      wake?.();
    });
    try {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          if (next === "expired" || next === "closed" || next === "authFailed") return;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      stop();
    }
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
    return () => {
      this.#stateListeners.delete(listener);
    };
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
    return { path: need(r, "path"), stat: need(r, "stat") };
  }

  async getData(
    path: string,
    options: { watch?: Listener<WatchEvent> } = {},
  ): Promise<{ data: Uint8Array; stat: Stat }> {
    const r = await this.#watched("data", path, options.watch, { op: "getData", path });
    return { data: dataOf(r), stat: need(r, "stat") };
  }

  async setData(path: string, data: Uint8Array | string, version = -1): Promise<Stat> {
    return need(await this.#write({ op: "setData", path, ...dataField(data), version }), "stat");
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
      return need(r, "stat");
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
    return { children: need(r, "children"), stat: need(r, "stat") };
  }

  async multi(ops: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    return need(await this.#write({ op: "multi", ops }), "results");
  }

  async sync(): Promise<number> {
    return need(await this.#call({ op: "sync" }), "zxid");
  }

  async getACL(
    path: string,
  ): Promise<{ acl: Array<{ perms: number; scheme: string; id: string }>; stat: Stat }> {
    const r = await this.#call({ op: "getACL", path });
    return { acl: need(r, "acl"), stat: need(r, "stat") };
  }

  async setACL(
    path: string,
    acl: Array<{ perms: number | string; scheme: string; id: string }>,
    version = -1,
  ): Promise<Stat> {
    return need(await this.#write({ op: "setACL", path, acl, version }), "stat");
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
      stopEnd();
      wake?.();
      await ready;
      if (!this.#states.ended) await remove?.();
    };
    // The stream ends with the client (expired, closed, refused): nothing more will come.
    const stopEnd = this.onState(() => {
      if (!this.#states.ended) return;
      done = true;
      wake?.();
    });
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
    this.#end("closed");
  }

  /** Ends the session (its ephemerals are deleted) and the socket. */
  async close(): Promise<void> {
    if (this.#states.ended) return;
    this.#closing = true;
    try {
      if (this.connected) await this.#call({ op: "close" });
    } catch {
      // Closing anyway.
    }
    this.#ws?.close();
    this.#end("closed");
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

  /**
   * Sends a request now, or — while suspended — when the session is resumed. Either way it is
   * answered within requestTimeoutMs: OPERATIONTIMEOUT when connected, CONNECTIONLOSS when the
   * client could not reach the service meanwhile.
   */
  #call(frame: Record<string, unknown>): Promise<Frame> {
    if (this.#states.ended) return Promise.reject(this.#endError());
    const id = this.#nextId++;
    const full = { id, ...frame };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          this.connected
            ? new KeeperError({
                code: ErrorCode.OPERATIONTIMEOUT,
                name: "OPERATIONTIMEOUT",
                message: `No reply to ${String(frame.op)} in time`,
              })
            : new KeeperError({
                code: ErrorCode.CONNECTIONLOSS,
                name: "CONNECTIONLOSS",
                message: `Not connected to ${this.#options.url} (${this.state}); ${String(frame.op)} was not answered within ${this.#options.requestTimeoutMs} ms`,
              }),
        );
      }, this.#options.requestTimeoutMs);
      this.#pending.set(id, { frame: full, resolve, reject, timer });
      if (this.connected) this.#send(full);
    });
  }

  #endError(): KeeperError {
    const state = this.state;
    if (state === "authFailed")
      return new KeeperError({
        code: ErrorCode.AUTHFAILED,
        name: "AUTHFAILED",
        message: `${this.#options.url} refused this client's credentials`,
      });
    return new KeeperError({
      code: ErrorCode.SESSIONEXPIRED,
      name: "SESSIONEXPIRED",
      message: `The session is ${state}`,
    });
  }

  /** The first connection: members in turn, with backoff, for at most connectTimeoutMs. */
  async #firstConnect(): Promise<void> {
    const deadline = Date.now() + this.#options.connectTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#connectTo(this.#member);
        return;
      } catch (e) {
        if (this.#isTerminal(e)) throw e;
        this.#nextMember();
        const waitMs = this.#retry.delayMs(attempt);
        if (Date.now() + waitMs > deadline) {
          this.#end("closed");
          throw new KeeperError({
            code: ErrorCode.CONNECTIONLOSS,
            name: "CONNECTIONLOSS",
            message: `Cannot reach ${this.#options.url} within ${this.#options.connectTimeoutMs} ms (last: ${lastReason(e)})`,
          });
        }
        await sleep(waitMs);
      }
    }
  }

  /** An answer that ends the client: the session is gone, or the credentials were refused. */
  #isTerminal(e: unknown): boolean {
    if (!(e instanceof KeeperError)) return false;
    if (e.error === "AUTHFAILED") this.#end("authFailed");
    else if (e.error === "SESSIONEXPIRED") this.#end("expired");
    else return false;
    return true;
  }

  /**
   * The socket is gone: the session is suspended, and the client reconnects — forever, with
   * backoff, member after member — until it resumes the session, the service says it is gone,
   * or the session timeout passes since the service was last heard (then it is expired here too).
   */
  async #reconnect(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      for (let attempt = 0; !this.#closing && !this.#states.ended; attempt++) {
        if (this.#states.expireIfOverdue(Date.now())) {
          this.#end("expired");
          return;
        }
        try {
          await this.#connectTo(this.#member);
          return;
        } catch (e) {
          if (this.#isTerminal(e)) return;
          this.#nextMember();
          const expiresAt = this.#states.expiresAtMs() ?? Number.POSITIVE_INFINITY;
          await sleep(Math.max(0, Math.min(this.#retry.delayMs(attempt), expiresAt - Date.now())));
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }

  /** Asks the service (over plain HTTP) why a socket was refused: a bad token answers 401. */
  /** `?member=…` (none when the service places the session), with the token for a socket. */
  #query(member: number | null, withToken: boolean): string {
    const params = new URLSearchParams();
    if (member !== null) params.set("member", String(member));
    if (withToken && this.#options.token) params.set("access_token", this.#options.token);
    const text = params.toString();
    return text === "" ? "" : `?${text}`;
  }

  async #whyRefused(member: number | null): Promise<KeeperError> {
    const url = `${this.#options.url}${ensemblePath("/v1/session", this.#options.ensemble)}${this.#query(member, false)}`;
    const unreachable = (why: string) =>
      new KeeperError({
        code: ErrorCode.CONNECTIONLOSS,
        name: "CONNECTIONLOSS",
        message: `Cannot reach ${url}: ${why}`,
      });
    const fetcher = this.#options.fetch ?? globalThis.fetch;
    try {
      const res = await fetcher(url, {
        headers: this.#options.token ? { authorization: `Bearer ${this.#options.token}` } : {},
      });
      if (res.status === 401 || res.status === 403) {
        const body = (await res.json().catch(() => null)) as {
          error?: { message?: string };
        } | null;
        return new KeeperError({
          code: ErrorCode.AUTHFAILED,
          name: "AUTHFAILED",
          message: `${this.#options.url} refused the token: ${body?.error?.message ?? res.status}`,
        });
      }
      const text = await res.text().catch(() => "");
      return unreachable(`the socket was refused (HTTP ${res.status} ${text.slice(0, 200)})`);
    } catch (e) {
      // fetch says "fetch failed"; its cause says why (ECONNREFUSED, a DNS failure, …).
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = e instanceof Error ? e.message : String(e);
      return unreachable(cause ? `${why}: ${cause.code ?? cause.message}` : why);
    }
  }

  async #connectTo(member: number | null): Promise<void> {
    const base = this.#options.url.replace(/^http/, "ws");
    const url = `${base}${ensemblePath("/v1/session", this.#options.ensemble)}${this.#query(member, true)}`;
    const opener = this.#options.openSocket;
    let ws: WebSocket;
    try {
      ws = opener ? await opener(url) : new WebSocket(url);
    } catch {
      throw await this.#whyRefused(member);
    }
    // A socket from a custom opener may already be open (it fires no "open" event then).
    const alreadyOpen = ws.readyState === 1;
    return new Promise((resolve, reject) => {
      let settled = false;
      let opened = alreadyOpen;
      let probing = false;
      // An attempt that hangs (a blackholed address, a stalled service) counts as failed.
      const attemptTimer = setTimeout(
        () =>
          fail(
            new KeeperError({
              code: ErrorCode.CONNECTIONLOSS,
              name: "CONNECTIONLOSS",
              message: `${memberName(member)} at ${this.#options.url} did not answer within ${this.#options.requestTimeoutMs} ms`,
            }),
          ),
        this.#options.requestTimeoutMs,
      );
      const fail = (e: Error) => {
        clearTimeout(attemptTimer);
        if (!settled) {
          settled = true;
          reject(e);
          try {
            ws.close();
          } catch {
            // Already closing.
          }
        }
      };
      // A socket that never opened was refused or could not connect: ask the service which.
      const refused = () => {
        if (settled || probing) return;
        if (opened) {
          fail(
            new KeeperError({
              code: ErrorCode.CONNECTIONLOSS,
              name: "CONNECTIONLOSS",
              message: `${memberName(member)} at ${this.#options.url} closed the socket`,
            }),
          );
          return;
        }
        probing = true;
        void this.#whyRefused(member).then(fail);
      };
      ws.addEventListener("error", refused);
      ws.addEventListener("close", (event) => {
        refused();
        if (settled && this.#ws === ws) this.#lost(event.code === movedCloseCode);
      });
      const hello = () => {
        const resume = this.#sessionId
          ? { sessionId: this.#sessionId, password: this.#password, lastZxid: this.#lastZxid }
          : { timeoutMs: this.#options.sessionTimeoutMs };
        ws.send(JSON.stringify({ op: "connect", ...resume }));
      };
      if (alreadyOpen) queueMicrotask(hello);
      else
        ws.addEventListener("open", () => {
          opened = true;
          hello();
        });
      ws.addEventListener("message", (e) => {
        if (settled && this.#ws !== ws) return; // a socket given up on
        // Data after a silence longer than the read timeout (this process was paused, or the
        // network stalled) may be stale: the socket is treated as dead, as the pinger would have.
        if (settled && this.#silentTooLong()) {
          this.#lost();
          return;
        }
        this.#states.heard(Date.now());
        if (e.data === pongFrame) return; // the runtime's answer to a keep-alive
        // The one place a frame's type is taken on trust: the member is this protocol's other end.
        const frame = JSON.parse(String(e.data)) as ServerFrame;
        if (!settled) {
          if (frame.type === "connected") {
            settled = true;
            clearTimeout(attemptTimer);
            if (this.#closing || this.#states.ended) {
              ws.close();
              reject(this.#endError());
              return;
            }
            this.#ws = ws;
            this.#sessionId = frame.sessionId;
            this.#password = frame.password;
            this.#timeoutMs = frame.timeoutMs;
            this.#clearExpiry();
            this.#startPinging();
            this.#states.opened(Date.now(), this.#timeoutMs);
            this.#afterConnect();
            resolve();
          } else if (frame.type === "session") {
            fail(
              new KeeperError({
                code: ErrorCode.SESSIONEXPIRED,
                name: "SESSIONEXPIRED",
                message: `The service expired session ${this.#sessionId ?? ""}`.trim(),
              }),
            );
          } else if (frame.type === "reply" && frame.error) {
            fail(new KeeperError(frame.error));
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

  #receive(frame: ServerFrame): void {
    if ("zxid" in frame && typeof frame.zxid === "number" && frame.zxid > this.#lastZxid)
      this.#lastZxid = frame.zxid;
    if (frame.type === "event") {
      this.#dispatch(frame);
      return;
    }
    if (frame.type === "session") {
      this.#end(frame.state === "expired" ? "expired" : "closed");
      return;
    }
    if (frame.type !== "reply" || typeof frame.id !== "number") return;
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    this.#pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.error) pending.reject(new KeeperError(frame.error));
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
    // The member's own rule for which persistent watches an event reaches.
    const treeEvent = { type: event.event, path: event.path, zxid: event.zxid };
    for (const w of this.#persistent) {
      if (reaches(w.path, w.recursive, treeEvent)) listeners.add(w.listener);
    }
    for (const listener of listeners) listener(event);
  }

  /** The socket is gone (closed, or silent too long): suspend, and reconnect. */
  #lost(moved = false): void {
    if (this.#closing || this.#states.ended) return;
    const ws = this.#ws;
    this.#ws = null;
    try {
      ws?.close();
    } catch {
      // Already closing.
    }
    this.#states.lost();
    // Moved for balance: straight back through the service's placement, which knows where.
    if (moved && this.#options.member === undefined) {
      this.#member = null;
      this.#rotation = 0;
    } else this.#nextMember();
    this.#armExpiry();
    void this.#reconnect();
  }

  /** While suspended: expire at the session's deadline even if an attempt is still under way. */
  #armExpiry(): void {
    this.#clearExpiry();
    const at = this.#states.expiresAtMs();
    if (at === null) return;
    this.#expiryTimer = setTimeout(
      () => {
        this.#expiryTimer = null;
        if (this.#states.expireIfOverdue(Date.now())) this.#end("expired");
      },
      Math.max(0, at - Date.now()),
    );
  }

  #clearExpiry(): void {
    if (this.#expiryTimer !== null) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
  }

  /** An end: no more reconnects; every unanswered request fails with the reason. */
  #end(state: "expired" | "closed" | "authFailed"): void {
    this.#clearExpiry();
    if (state === "expired") this.#states.expired();
    else if (state === "authFailed") this.#states.authFailed();
    else this.#states.closed();
    if (this.#pinger !== null) clearInterval(this.#pinger);
    this.#pinger = null;
    const error = this.#endError();
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
    if (state !== "closed") {
      const ws = this.#ws;
      this.#ws = null;
      ws?.close();
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
    this.#pinger = setInterval(
      () => {
        if (!this.connected) return;
        // As ZooKeeper's client: silent for two thirds of the session timeout means the socket
        // is dead (the peer vanished, or this process was paused); move on before the session goes.
        if (this.#silentTooLong()) {
          this.#lost();
          return;
        }
        if (Date.now() - this.#lastSentMs >= every) this.#send(pingFrame);
      },
      Math.max(100, Math.floor(every / 2)),
    );
  }

  /** Connected, yet nothing heard for two thirds of the session timeout (ZooKeeper's read timeout). */
  #silentTooLong(): boolean {
    return this.connected && this.#states.sinceHeardMs(Date.now()) > (this.#timeoutMs * 2) / 3;
  }

  #announce(state: ConnectionState): void {
    for (const l of [...this.#stateListeners]) l(state);
  }
}

function dataField(data: Uint8Array | string): { data: string; encoding: "utf8" | "base64" } {
  return typeof data === "string" ? { data, encoding: "utf8" } : encodeData(data);
}

function dataOf(frame: ReplyFrame): Uint8Array {
  const bytes = decodeBytes(frame.data, frame.encoding);
  if ("name" in bytes) throw new KeeperError(asErrorJson(bytes));
  return bytes;
}

/** A field the operation's reply must carry; its absence is a protocol error, not undefined. */
function need<K extends keyof ReplyFrame>(frame: ReplyFrame, key: K): NonNullable<ReplyFrame[K]> {
  const value = frame[key];
  if (value === undefined || value === null) {
    throw new KeeperError({
      code: ErrorCode.MARSHALLINGERROR,
      name: "MARSHALLINGERROR",
      message: `The reply has no ${String(key)}`,
    });
  }
  return value as NonNullable<ReplyFrame[K]>;
}

function asErrorJson(f: { name: ErrorJson["name"]; message: string }): ErrorJson {
  return { code: ErrorCode[f.name], name: f.name, message: f.message };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

/** The reason of a failed attempt without the error name and code it repeats. */
function lastReason(e: unknown): string {
  if (e instanceof KeeperError) return e.detail;
  return e instanceof Error ? e.message : String(e);
}

function memberName(member: number | null): string {
  return member === null ? "The member the service chose" : `Member ${member}`;
}
