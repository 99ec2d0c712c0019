// The bookkeeping both client protocols share: accepting a hibernatable socket tagged with its
// protocol, one connection record per socket, the connection's watches, pushing events, and
// ending the sockets of closed sessions. An idle member is evicted while its sockets stay open,
// so what a connection holds — its session, its auth ids, its watches — lives in the socket's
// attachment (kept by the runtime) and is rebuilt when the object starts again.

import type { AccessConfig, Scope } from "../src/access/access-config.ts";
import {
  baseIdentities,
  deletedAcls,
  forwardedHeaders,
  mayHear,
  visibleEvents,
  watchRefusal,
} from "../src/access/gatekeeper.ts";
import { failure, type ZkFailure } from "../src/core/error-code.ts";
import { type Resumed, resumeWatches, type WatchSet } from "../src/core/session/watch-resume.ts";
import { type WatchKind, WatchTable } from "../src/core/session/watch-table.ts";
import type { AuthId } from "../src/core/tree/acl.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import type { ZnodeTree } from "../src/core/tree/znode-tree.ts";
import { errorBody } from "../src/protocol/error-body.ts";
import { inOrder, type Ordered } from "./reply-order.ts";

export interface Connection extends Ordered {
  readonly id: string;
  sessionId?: bigint;
  authIds: AuthId[];
  /** The token the socket was opened with: its sessions belong to it. */
  readonly owner: string;
  readonly scope: Scope;
  /** Requests received and not yet answered (bounded by maxOutstandingRequests). */
  outstanding: number;
  /** The connect in progress, if any: frames sent right behind it wait for it. */
  connecting?: Promise<void> | undefined;
  /** Set by the client's own close: it gets its reply before the socket ends. */
  closing?: boolean;
}

export interface ConnectionView {
  readonly connection: string;
  /** "json" (the session protocol) or "zk" (ZooKeeper's, through the bridge). */
  readonly protocol: string;
  readonly sessionId: string | null;
  readonly watches: Record<string, string[]>;
}

interface Attachment {
  readonly id: string;
  /** The client's address when the Worker could trust one (CLIENT_IP_SOURCE). */
  readonly ip?: string;
  readonly owner?: string;
  readonly scope?: Scope;
  readonly sessionId?: string;
  /** When the client last sent a message this object handled (pings answered for it aside). */
  readonly heardMs?: number;
  /** Credentials added with auth, besides the ip. */
  readonly authIds?: AuthId[];
  /** The connection's watches, a line each: a kind letter and the path. */
  readonly watches?: string;
  /** Set when the watches outgrew the attachment: they cannot survive an eviction. */
  readonly watchesLost?: boolean;
}

/** A message updates a socket's heardMs at most this often (it is a structured clone). */
const heardResolutionMs = 1_000;
/**
 * Characters of watches kept in an attachment; the runtime allows 2,048 bytes in all, and the
 * rest (id, address, token name ≤ 64, session, a few auth ids) takes up to ≈ 700. A
 * connection with more has its socket closed when the member restarts, so that its client
 * reconnects and registers them again (the SDK and ZooKeeper's clients do, replaying misses).
 */
const watchesBudget = 1_200;
const kindType = {
  data: "data",
  child: "children",
  persistent: "persistent",
  persistentRecursive: "persistentRecursive",
} as const;
const kindLetters: ReadonlyArray<[WatchKind, string]> = [
  ["data", "d"],
  ["child", "c"],
  ["persistent", "p"],
  ["persistentRecursive", "r"],
];

export class SocketSessions {
  readonly #ctx: DurableObjectState;
  readonly #tag: string;
  readonly #access: AccessConfig;
  readonly #connections = new Map<string, Connection>();
  /**
   * What this object learned of each socket's attachment: reading it back is a structured-clone
   * decode, and every frame asked three times (whose it is, which connection, when last heard) —
   * ≈ 8 % of a read's CPU. The attachment stays the truth across hibernation; this is rebuilt.
   */
  readonly #known = new WeakMap<WebSocket, { readonly id: string; heardMs: number }>();
  /** Sockets of the other protocol (Member asks the ZooKeeper side first for every frame). */
  readonly #foreign = new WeakSet<WebSocket>();
  readonly watches = new WatchTable<string>((id) => this.#saveWatches(id));
  #restoring = false;

  constructor(ctx: DurableObjectState, tag: string, access: AccessConfig) {
    this.#ctx = ctx;
    this.#tag = tag;
    this.#access = access;
    this.#restore();
  }

  /** After a start: every open socket's connection and watches, before any event is applied. */
  #restore(): void {
    for (const ws of this.sockets()) {
      let a: Attachment | null;
      try {
        a = ws.deserializeAttachment() as Attachment | null;
      } catch {
        continue;
      }
      if (a?.watchesLost) {
        ws.close(4006, "watches lost while the member slept; reconnect to register them again");
        continue;
      }
      this.connection(ws);
    }
  }

  /**
   * Accepts an upgrade with the Hibernation API; the socket is tagged with a fresh id and keeps
   * what the Worker established about its client (token, scope, address). A member at its
   * connection limit answers 429 THROTTLEDOP instead.
   */
  accept(request: Request): Response {
    const limit = this.#access.limits.maxConnectionsPerMember;
    if (this.#ctx.getWebSockets().length >= limit) {
      const refusal = failure(
        "THROTTLEDOP",
        `This member holds ${limit} connections, its limit (maxConnectionsPerMember); try another member or later`,
      );
      return Response.json(errorBody(refusal), { status: 429 });
    }
    const pair = new WebSocketPair();
    const id = `${this.#tag}:${crypto.randomUUID()}`;
    this.#ctx.acceptWebSocket(pair[1], [id, this.#tag]);
    const ip = request.headers.get(forwardedHeaders.clientIp) ?? undefined;
    const scope = request.headers.get(forwardedHeaders.scope);
    const attachment: Attachment = {
      id,
      ...(ip ? { ip } : {}),
      owner: request.headers.get(forwardedHeaders.principal) ?? "",
      // Only what the Worker vouched for: a socket without its word gets the least scope.
      scope: scope === "write" || scope === "admin" ? scope : "read",
    };
    pair[1].serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /**
   * Whether `ws` speaks this protocol. Read from the attachment (its id starts with the tag): the
   * runtime refuses getTags() for a socket whose close reaches an object reset since (a crash).
   */
  owns(ws: WebSocket): boolean {
    if (this.#known.has(ws)) return true;
    if (this.#foreign.has(ws)) return false;
    try {
      const a = ws.deserializeAttachment() as Attachment | null;
      const mine = a?.id.startsWith(`${this.#tag}:`) ?? false;
      if (a && mine) this.#known.set(ws, { id: a.id, heardMs: a.heardMs ?? 0 });
      else if (a) this.#foreign.add(ws);
      return mine;
    } catch {
      return false;
    }
  }

  sockets(): WebSocket[] {
    return this.#ctx.getWebSockets(this.#tag);
  }

  /** Who is connected, by which protocol, and what they watch (admin: cons, wchs, sessions). */
  view(): ConnectionView[] {
    return this.sockets().map((ws) => {
      const conn = this.connection(ws);
      return {
        connection: conn.id,
        protocol: this.#tag,
        sessionId: conn.sessionId === undefined ? null : conn.sessionId.toString(),
        watches: this.watches.watchesOf(conn.id),
      };
    });
  }

  /** Notes that the client behind `ws` just sent a message. */
  heard(ws: WebSocket, nowMs: number): void {
    const known = this.#known.get(ws);
    if (known && nowMs - known.heardMs < heardResolutionMs) return;
    const a = ws.deserializeAttachment() as Attachment | null;
    if (!a || (a.heardMs !== undefined && nowMs - a.heardMs < heardResolutionMs)) return;
    ws.serializeAttachment({ ...a, heardMs: nowMs });
    if (known) known.heardMs = nowMs;
  }

  /**
   * When each of these sessions' clients was last heard on a socket here: its last message or
   * the last ping the runtime answered for it without waking this object.
   */
  lastHeard(sessionIds: ReadonlySet<bigint>, into: Map<bigint, number>): void {
    for (const ws of this.sockets()) {
      const a = ws.deserializeAttachment() as Attachment | null;
      if (a?.sessionId === undefined) continue;
      const id = BigInt(a.sessionId);
      if (!sessionIds.has(id)) continue;
      const pinged = this.#ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      const at = Math.max(a.heardMs ?? 0, pinged);
      if (at > (into.get(id) ?? 0)) into.set(id, at);
    }
  }

  socketOf(connection: string): WebSocket | undefined {
    return this.#ctx.getWebSockets(connection)[0];
  }

  connection(ws: WebSocket): Connection {
    const known = this.#known.get(ws);
    const cached = known && this.#connections.get(known.id);
    if (cached) return cached;
    const a = ws.deserializeAttachment() as Attachment;
    if (!known) this.#known.set(ws, { id: a.id, heardMs: a.heardMs ?? 0 });
    let conn = this.#connections.get(a.id);
    if (!conn) {
      conn = {
        id: a.id,
        authIds: [...baseIdentities(a.ip), ...(a.authIds ?? [])],
        owner: a.owner ?? "",
        scope: a.scope ?? "read",
        outstanding: 0,
        tail: Promise.resolve(),
        ...(a.sessionId === undefined ? {} : { sessionId: BigInt(a.sessionId) }),
      };
      this.#connections.set(a.id, conn);
      this.#restoreWatches(a);
    }
    return conn;
  }

  /** Adds credentials to a connection (auth), kept across the member's evictions. */
  addAuth(conn: Connection, ids: readonly AuthId[]): void {
    conn.authIds.push(...ids);
    this.#update(conn.id, { authIds: conn.authIds.filter((a) => a.scheme !== "ip") });
  }

  /**
   * Sets a watch for the connection: the path must be valid and, when the node exists, readable;
   * past maxWatchesPerSession the connection's new watches are refused (THROTTLEDOP).
   */
  watch(conn: Connection, tree: ZnodeTree, path: string, kind: WatchKind): ZkFailure | null {
    const refused = watchRefusal(tree, path, conn.authIds);
    if (refused) return refused;
    // Re-setting a watch the connection holds takes no room.
    if (this.watches.contains(conn.id, path, kindType[kind])) return null;
    const full = this.#roomFor(conn, 1);
    if (full) return full;
    this.watches.add(conn.id, path, kind);
    return null;
  }

  /** THROTTLEDOP when `more` watches would take the connection past its limit. */
  #roomFor(conn: Connection, more: number): ZkFailure | null {
    const limit = this.#access.limits.maxWatchesPerSession;
    const held = this.watches.countOf(conn.id);
    return held + more <= limit
      ? null
      : failure(
          "THROTTLEDOP",
          `The session holds ${held} watches; the limit is ${limit} (maxWatchesPerSession)`,
        );
  }

  /**
   * Re-registers a reconnecting client's watches (setWatches): at most maxSetWatchesPaths paths,
   * within the session's watch limit, each needing what a new watch needs (a valid path, READ on
   * an existing node); a replay sends only what the watcher may read. The attachment is written
   * once, after all of them.
   */
  resume(
    conn: Connection,
    tree: ZnodeTree,
    lastSeenZxid: number,
    watches: WatchSet,
    replayPersistent: boolean,
  ): Resumed | ZkFailure {
    const paths =
      watches.data.length +
      watches.exist.length +
      watches.child.length +
      watches.persistent.length +
      watches.persistentRecursive.length;
    const most = this.#access.limits.maxSetWatchesPaths;
    if (paths > most) {
      return failure(
        "BADARGUMENTS",
        `setWatches names ${paths} paths (maxSetWatchesPaths); the limit is ${most}`,
      );
    }
    const full = this.#roomFor(conn, paths);
    if (full) return full;
    this.#restoring = true;
    try {
      return resumeWatches(tree, this.watches, conn.id, lastSeenZxid, watches, {
        replayPersistent,
        mayWatch: (path) => watchRefusal(tree, path, conn.authIds) === null,
        visible: (events) => visibleEvents(tree, conn.authIds, events),
      });
    } finally {
      this.#restoring = false;
      this.#saveWatches(conn.id);
    }
  }

  /**
   * Runs one request in the connection's order, its reply sent in turn. Past
   * maxOutstandingRequests unanswered, the request is not run: `refuse` answers it THROTTLEDOP,
   * still in turn, so replies keep request order (ZooKeeper stops reading the socket instead).
   */
  serve<T>(
    conn: Connection,
    startNow: boolean,
    run: () => Promise<T>,
    refuse: (f: ZkFailure) => T,
    send: (reply: T) => void,
  ): Promise<void> {
    const limit = this.#access.limits.maxOutstandingRequests;
    const throttled =
      conn.outstanding < limit
        ? null
        : failure(
            "THROTTLEDOP",
            `${limit} requests of this connection are unanswered (maxOutstandingRequests); wait for replies`,
          );
    conn.outstanding++;
    return inOrder(
      conn,
      startNow && !throttled,
      () => (throttled ? Promise.resolve(refuse(throttled)) : run()),
      (reply) => {
        conn.outstanding--;
        send(reply);
      },
    );
  }

  #restoreWatches(a: Attachment): void {
    if (!a.watches) return;
    this.#restoring = true;
    try {
      for (const line of a.watches.split("\n")) {
        const kind = kindLetters.find(([, letter]) => letter === line[0])?.[0];
        if (kind) this.watches.add(a.id, line.slice(1), kind);
      }
    } finally {
      this.#restoring = false;
    }
  }

  /** Writes a connection's watches into its socket's attachment after every change. */
  #saveWatches(id: string): void {
    if (this.#restoring || !this.#connections.has(id)) return;
    // Each watch takes two characters at least: past that many the budget is spent for sure.
    if (this.watches.countOf(id) > watchesBudget / 2) {
      const ws = this.socketOf(id);
      const a = ws?.deserializeAttachment() as Attachment | undefined;
      if (a && !a.watchesLost) this.#update(id, { watches: "", watchesLost: true });
      return;
    }
    const all = this.watches.watchesOf(id);
    const lines = kindLetters.flatMap(([kind, letter]) => all[kind].map((p) => `${letter}${p}`));
    const watches = lines.join("\n");
    this.#update(
      id,
      watches.length <= watchesBudget
        ? { watches, watchesLost: false }
        : { watches: "", watchesLost: true },
    );
  }

  #update(id: string, change: Partial<Attachment>): void {
    const ws = this.socketOf(id);
    if (!ws) return;
    try {
      ws.serializeAttachment({ ...(ws.deserializeAttachment() as Attachment), ...change });
    } catch {
      // The socket closed meanwhile: nothing left to keep.
    }
  }

  /**
   * Before handling a frame: a frame sent right behind `connect` waits for it instead of being
   * taken for a second connect; a connection without a session treats the frame as its connect.
   * Returns true when the frame is a request of an established session.
   */
  async established(conn: Connection, connect: () => Promise<void>): Promise<boolean> {
    if (conn.connecting) await conn.connecting;
    if (conn.sessionId !== undefined) return true;
    conn.connecting = connect();
    await conn.connecting;
    conn.connecting = undefined;
    return false;
  }

  /** Records the connection's session, in memory and in the attachment (it survives hibernation). */
  bind(ws: WebSocket, conn: Connection, sessionId: bigint): void {
    conn.sessionId = sessionId;
    ws.serializeAttachment({
      ...(ws.deserializeAttachment() as Attachment),
      sessionId: sessionId.toString(),
    });
  }

  /** A socket closed: drops its connection; returns the session it carried, if any. */
  forget(ws: WebSocket): bigint | undefined {
    let a: Attachment | null;
    try {
      a = ws.deserializeAttachment() as Attachment | null;
    } catch {
      return undefined; // a socket of an earlier incarnation of this object
    }
    if (a?.id === undefined) return undefined;
    this.#known.delete(ws);
    this.#connections.delete(a.id);
    this.watches.removeWatcher(a.id);
    return a.sessionId === undefined ? undefined : BigInt(a.sessionId);
  }

  /**
   * Pushes each event to the sockets whose watches it reaches and that may hear it: a delivery
   * through a persistent or recursive watch needs READ on the event's node.
   */
  deliver(
    events: readonly TreeEvent[],
    tree: ZnodeTree,
    send: (ws: WebSocket, event: TreeEvent) => void,
  ): void {
    const notifications = this.watches.triggerAll(events);
    if (notifications.length === 0) return;
    const batch = deletedAcls(events);
    for (const { watcher, event, oneShot } of notifications) {
      const conn = this.#connections.get(watcher);
      if (!oneShot && !(conn && mayHear(tree, conn.authIds, event, batch))) continue;
      const ws = this.socketOf(watcher);
      if (ws) send(ws, event);
    }
  }

  /** Ends the sockets of sessions that closed or expired (not those closing on request). */
  endSessions(
    closedSessions: readonly bigint[],
    notify: (ws: WebSocket, sessionId: bigint) => void,
  ): void {
    if (closedSessions.length === 0) return;
    const closed = new Set(closedSessions);
    for (const ws of this.sockets()) {
      const conn = this.connection(ws);
      if (conn.sessionId === undefined || !closed.has(conn.sessionId) || conn.closing) continue;
      notify(ws, conn.sessionId);
      this.watches.removeWatcher(conn.id);
      ws.close(4000, "session closed or expired");
    }
  }
}
