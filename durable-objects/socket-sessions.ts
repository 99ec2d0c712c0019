// The bookkeeping both client protocols share: accepting a hibernatable socket tagged with its
// protocol, one connection record per socket (rebuilt from the socket's attachment after the
// object wakes), the connection's watches, pushing events, and ending the sockets of closed
// sessions.

import { WatchTable } from "../src/core/session/watch-table.ts";
import type { AuthId } from "../src/core/tree/acl.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import type { Ordered } from "./reply-order.ts";

export interface Connection extends Ordered {
  readonly id: string;
  sessionId?: bigint;
  authIds: AuthId[];
  /** The connect in progress, if any: frames sent right behind it wait for it. */
  connecting?: Promise<void> | undefined;
  /** Set by the client's own close: it gets its reply before the socket ends. */
  closing?: boolean;
}

interface Attachment {
  readonly id: string;
  readonly ip: string;
  readonly sessionId?: string;
}

export class SocketSessions {
  readonly #ctx: DurableObjectState;
  readonly #tag: string;
  readonly #connections = new Map<string, Connection>();
  readonly watches = new WatchTable<string>();

  constructor(ctx: DurableObjectState, tag: string) {
    this.#ctx = ctx;
    this.#tag = tag;
  }

  /** Accepts an upgrade with the Hibernation API; the socket is tagged with a fresh id. */
  accept(request: Request): Response {
    const pair = new WebSocketPair();
    const id = `${this.#tag}:${crypto.randomUUID()}`;
    this.#ctx.acceptWebSocket(pair[1], [id, this.#tag]);
    const attachment: Attachment = {
      id,
      ip: request.headers.get("cf-connecting-ip") ?? "127.0.0.1",
    };
    pair[1].serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  owns(ws: WebSocket): boolean {
    return this.#ctx.getTags(ws).includes(this.#tag);
  }

  sockets(): WebSocket[] {
    return this.#ctx.getWebSockets(this.#tag);
  }

  socketOf(connection: string): WebSocket | undefined {
    return this.#ctx.getWebSockets(connection)[0];
  }

  connection(ws: WebSocket): Connection {
    const a = ws.deserializeAttachment() as Attachment;
    let conn = this.#connections.get(a.id);
    if (!conn) {
      conn = {
        id: a.id,
        authIds: [{ scheme: "ip", id: a.ip }],
        tail: Promise.resolve(),
        ...(a.sessionId === undefined ? {} : { sessionId: BigInt(a.sessionId) }),
      };
      this.#connections.set(a.id, conn);
    }
    return conn;
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

  forget(ws: WebSocket): void {
    const id = (ws.deserializeAttachment() as Attachment | null)?.id;
    if (id === undefined) return;
    this.watches.removeWatcher(id);
    this.#connections.delete(id);
  }

  /** Pushes each event to the sockets whose watches it reaches. */
  deliver(events: readonly TreeEvent[], send: (ws: WebSocket, event: TreeEvent) => void): void {
    for (const { watcher, event } of this.watches.triggerAll(events)) {
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
