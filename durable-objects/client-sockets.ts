// The member's client connections: one WebSocket is one session. Requests are answered in the
// order they arrive (ZooKeeper's client-order guarantee), watch events are pushed with their
// zxid before any later reply, and a session's expiry closes its sockets. Sockets use the
// Hibernation API (ctx.acceptWebSocket), so an idle connection costs nothing to hold.

import type { AccessConfig } from "../src/access/access-config.ts";
import {
  authenticate,
  passwordTextMatches,
  scopeRefusal,
  sessionPasswordText,
} from "../src/access/gatekeeper.ts";
import { codeOf, type ErrorName, failure, type ZkFailure } from "../src/core/error-code.ts";
import type { WriteRequest } from "../src/core/tree/request.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import type { ReadOpResult } from "../src/core/tree/tree-reads.ts";
import type { ZnodeTree } from "../src/core/tree/znode-tree.ts";
import { encodeData } from "../src/protocol/data-encoding.ts";
import { multiOpsOf, writeOpOf } from "../src/protocol/multi-ops.ts";
import { fastRequestFrame } from "../src/protocol/request-frame-fast.ts";
import { resultJson } from "../src/protocol/result-json.ts";
import {
  type ConnectFrame,
  connectFrameSchema,
  type RequestFrame,
  requestFrameSchema,
  writeOps,
} from "../src/protocol/session-frames.ts";
import { statJson } from "../src/protocol/stat-json.ts";
import { notCaughtUp, type Replica, type WriteAnswer } from "./replica.ts";
import { type Connection, SocketSessions } from "./socket-sessions.ts";

type Reply = Record<string, unknown>;

export class ClientSockets {
  readonly #sessions: SocketSessions;
  readonly #access: AccessConfig;
  readonly #replica: () => Promise<Replica>;

  constructor(ctx: DurableObjectState, access: AccessConfig, replica: () => Promise<Replica>) {
    this.#sessions = new SocketSessions(ctx, "json", access);
    this.#access = access;
    this.#replica = replica;
  }

  get watches() {
    return this.#sessions.watches;
  }

  accept(request: Request): Response {
    return this.#sessions.accept(request);
  }

  owns(ws: WebSocket): boolean {
    return this.#sessions.owns(ws);
  }

  get connectionCount(): number {
    return this.#sessions.sockets().length;
  }

  /** The open client sockets. */
  sockets(): WebSocket[] {
    return this.#sessions.sockets();
  }

  async message(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const conn = this.#sessions.connection(ws);
    let frame: unknown;
    try {
      if (typeof raw !== "string") throw new Error("binary frame");
      frame = JSON.parse(raw);
    } catch {
      return send(ws, errorReply(undefined, failure("MARSHALLINGERROR", "Frames are JSON text")));
    }
    const replica = await this.#replica();
    if (!(await replica.current())) {
      const id = (frame as { id?: unknown })?.id;
      send(ws, errorReply(typeof id === "number" ? id : undefined, notCaughtUp()));
      return ws.close(4007, "member restarted and cannot reach a leader to catch up");
    }
    if (!(await this.#sessions.established(conn, () => this.#connect(ws, conn, frame, replica))))
      return;
    const fast = fastRequestFrame(frame);
    const parsed = fast
      ? { success: true as const, data: fast }
      : requestFrameSchema.safeParse(frame);
    if (!parsed.success) {
      const id =
        typeof (frame as { id?: unknown })?.id === "number"
          ? (frame as { id: number }).id
          : undefined;
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
      return send(
        ws,
        errorReply(
          id,
          failure("BADARGUMENTS", `Invalid frame${where}: ${issue?.message ?? "rejected"}`),
        ),
      );
    }
    const request = parsed.data;
    await this.#sessions.serve(
      conn,
      writeOps.has(request.op) && replica.isLeader,
      () => this.#handle(conn, request, replica),
      (refused) => errorReply(request.id, refused),
      (r) => send(ws, r),
    );
    if (request.op === "close") ws.close(1000, "session closed");
  }

  /** The connections' shared bookkeeping: liveness, closes, attachments. */
  get sessions(): SocketSessions {
    return this.#sessions;
  }

  /** After each applied batch: push watch events, and end the sockets of closed sessions. */
  onApplied(
    tree: ZnodeTree,
    events: readonly TreeEvent[],
    closedSessions: readonly bigint[],
  ): void {
    this.#sessions.deliver(events, tree, (ws, e) =>
      send(ws, { type: "event", event: e.type, path: e.path, zxid: e.zxid }),
    );
    this.#sessions.endSessions(closedSessions, (ws, id) =>
      send(ws, { type: "session", state: "closed", sessionId: id.toString() }),
    );
  }

  async #connect(ws: WebSocket, conn: Connection, frame: unknown, replica: Replica): Promise<void> {
    const parsed = connectFrameSchema.safeParse(frame);
    if (!parsed.success) {
      send(
        ws,
        errorReply(
          undefined,
          failure("BADARGUMENTS", 'The first frame must be {"op":"connect",…}'),
        ),
      );
      return;
    }
    const f: ConnectFrame = parsed.data;
    let sessionId: bigint;
    let timeoutMs: number;
    if (f.sessionId === undefined) {
      const created = await replica.submit(
        { op: "createSession", timeoutMs: f.timeoutMs ?? 30_000 },
        { authIds: [] },
      );
      if (!created.ok || created.result.type !== "createSession") {
        send(
          ws,
          errorReply(
            undefined,
            created.ok ? failure("SYSTEMERROR", "no session") : created.failure,
          ),
        );
        return;
      }
      sessionId = created.result.sessionId;
      timeoutMs = created.result.timeoutMs;
    } else {
      sessionId = BigInt(f.sessionId);
      if (!passwordTextMatches(this.#access, sessionId, conn.owner, f.password ?? "")) {
        send(ws, errorReply(undefined, failure("AUTHFAILED", "Wrong session password")));
        ws.close(4001, "authentication failed");
        return;
      }
      // As ZooKeeper does: a client that has seen a newer zxid than this member must go elsewhere.
      if ((f.lastZxid ?? 0) > replica.tree.lastZxid) {
        send(
          ws,
          errorReply(
            undefined,
            failure(
              "CONNECTIONLOSS",
              `This member is at zxid ${replica.tree.lastZxid}, behind the client's ${f.lastZxid}; try another member`,
            ),
          ),
        );
        ws.close(4002, "member behind client");
        return;
      }
      const session = replica.tree.store.getSession(sessionId);
      if (!session) {
        send(ws, { type: "session", state: "expired", sessionId: sessionId.toString() });
        ws.close(4000, "session expired");
        return;
      }
      timeoutMs = session.timeoutMs;
    }
    this.#sessions.bind(ws, conn, sessionId);
    replica.report([{ sessionId, kind: "attached", atMs: Date.now() }]);
    send(ws, {
      type: "connected",
      sessionId: sessionId.toString(),
      password: sessionPasswordText(this.#access, sessionId, conn.owner),
      timeoutMs,
      zxid: replica.tree.lastZxid,
    });
  }

  async #handle(conn: Connection, r: RequestFrame, replica: Replica): Promise<Reply> {
    const tree = replica.tree;
    const sessionId = conn.sessionId;
    const zxid = () => tree.lastZxid;
    switch (r.op) {
      case "ping":
        return { type: "reply", id: r.id, zxid: zxid() };
      case "close": {
        if (sessionId === undefined) return { type: "reply", id: r.id, zxid: zxid() };
        conn.closing = true;
        return answerWrite(
          r.id,
          await replica.submit({ op: "closeSession", sessionId }, { authIds: conn.authIds }),
        );
      }
      case "auth": {
        const ids = authenticate(this.#access, r.scheme, r.credential);
        if ("name" in ids) return errorReply(r.id, ids);
        this.#sessions.addAuth(conn, ids);
        return { type: "reply", id: r.id, zxid: zxid() };
      }
      case "create":
      case "delete":
      case "setData":
      case "setACL":
      case "multi": {
        const denied = scopeRefusal(conn.scope, "write", r.op);
        if (denied) return errorReply(r.id, denied);
        const request = writeRequestOf(r);
        if ("name" in request) return errorReply(r.id, request);
        const context = {
          authIds: conn.authIds,
          sessionId,
          ...(r.seq === undefined ? {} : { seq: r.seq }),
        };
        return answerWrite(r.id, await replica.submit(request, context));
      }
      case "sync":
        return (await replica.syncPoint())
          ? { type: "reply", id: r.id, zxid: zxid() }
          : errorReply(r.id, failure("CONNECTIONLOSS", "No quorum confirmed a read point in time"));
      case "getData":
      case "exists":
      case "getChildren": {
        const read =
          r.op === "getChildren"
            ? {
                op: r.op,
                path: r.path,
                ...(r.limit === undefined ? {} : { limit: r.limit }),
                ...(r.after === undefined ? {} : { after: r.after }),
              }
            : { op: r.op, path: r.path };
        const answer = replica.read(read, conn.authIds);
        // ZooKeeper sets an exists watch even on a missing node; getData/getChildren only on success.
        if (r.watch) {
          const missing = !answer.ok && answer.failure.name === "NONODE";
          if (answer.ok || (r.op === "exists" && missing)) {
            const kind = r.op === "getChildren" ? "child" : "data";
            const refused = this.#sessions.watch(conn, tree, r.path, kind);
            if (refused) return errorReply(r.id, refused, answer.zxid);
          }
        }
        if (!answer.ok) return errorReply(r.id, answer.failure, answer.zxid);
        return { type: "reply", id: r.id, zxid: answer.zxid, ...readValueJson(answer.value) };
      }
      case "getAllChildrenNumber":
      case "getACL": {
        const answer = replica.read({ op: r.op, path: r.path }, conn.authIds);
        if (!answer.ok) return errorReply(r.id, answer.failure, answer.zxid);
        return { type: "reply", id: r.id, zxid: answer.zxid, ...readValueJson(answer.value) };
      }
      case "getEphemerals":
        return {
          type: "reply",
          id: r.id,
          zxid: zxid(),
          paths: sessionId === undefined ? [] : tree.reads.getEphemerals(sessionId, r.prefix),
        };
      case "addWatch": {
        const refused = this.#sessions.watch(conn, tree, r.path, r.mode);
        return refused ? errorReply(r.id, refused) : { type: "reply", id: r.id, zxid: zxid() };
      }
      case "multiRead": {
        const results = replica.multiRead(r.ops, conn.authIds);
        if ("name" in results) return errorReply(r.id, results);
        return { type: "reply", id: r.id, zxid: zxid(), results: results.map(multiReadJson) };
      }
      case "removeWatches":
        return this.watches.remove(conn.id, r.path, r.type)
          ? { type: "reply", id: r.id, zxid: zxid() }
          : errorReply(r.id, failure("NOWATCHER", `No ${r.type} watch on ${r.path}`, r.path));
      case "setWatches": {
        const resumed = this.#sessions.resume(conn, tree, r.lastZxid, r, r.replay);
        if ("name" in resumed) return errorReply(r.id, resumed);
        const ws = this.#sessions.socketOf(conn.id);
        // Synthetic and replayed events come before the reply, as ZooKeeper sends them.
        for (const e of resumed.events)
          if (ws) send(ws, { type: "event", event: e.type, path: e.path, zxid: e.zxid });
        return {
          type: "reply",
          id: r.id,
          zxid: zxid(),
          compacted: resumed.compacted.map((c) => ({
            path: c.path,
            error: { name: c.failure.name, message: c.failure.message },
          })),
        };
      }
    }
  }
}

function writeRequestOf(
  r: Extract<RequestFrame, { op: "create" | "delete" | "setData" | "setACL" | "multi" }>,
): WriteRequest | ZkFailure {
  if (r.op === "setACL") return { op: "setACL", path: r.path, acl: r.acl, version: r.version };
  if (r.op !== "multi") return writeOpOf(r);
  const ops = multiOpsOf(r.ops);
  return "name" in ops ? ops : { op: "multi", ops };
}

function answerWrite(id: number, answer: WriteAnswer): Reply {
  if (answer.ok) {
    // The result's own "type" (create, setData, …) travels as "result"; "type" names the frame.
    const { type: result, ...fields } = resultJson(answer.result);
    return { type: "reply", id, zxid: answer.zxid, result, ...fields };
  }
  const reply = errorReply(id, answer.failure);
  if (answer.opErrors)
    reply.results = answer.opErrors.map((name: ErrorName) => ({
      error: { code: codeOf(name), name },
    }));
  return reply;
}

function multiReadJson(r: ReadOpResult): Reply {
  if (r.op === "getData") return { op: r.op, ...encodeData(r.data), stat: statJson(r.stat) };
  if (r.op === "getChildren") return { op: r.op, children: r.children };
  return {
    op: "error",
    error: { code: codeOf(r.failure.name), name: r.failure.name, message: r.failure.message },
  };
}

function readValueJson(value: object): Reply {
  const out: Reply = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "stat") out.stat = statJson(v as Parameters<typeof statJson>[0]);
    else if (k === "data") Object.assign(out, encodeData(v as Uint8Array));
    else out[k] = v;
  }
  return out;
}

function errorReply(id: number | undefined, f: ZkFailure, zxid?: number): Reply {
  return {
    type: "reply",
    ...(id === undefined ? {} : { id }),
    ...(zxid === undefined ? {} : { zxid }),
    error: {
      code: codeOf(f.name),
      name: f.name,
      message: f.message,
      ...(f.path === undefined ? {} : { path: f.path }),
    },
  };
}

function send(ws: WebSocket, frame: Reply): void {
  try {
    ws.send(frameText(frame));
  } catch {
    // The client went away; its close handler cleans up.
  }
}

/**
 * A frame as JSON, bigints (session ids in results) as decimal strings. A replacer takes
 * JSON.stringify off V8's fast path for every frame, so only a frame that holds a bigint —
 * stringify throws on it — pays for one.
 */
function frameText(frame: Reply): string {
  try {
    return JSON.stringify(frame);
  } catch {
    return JSON.stringify(frame, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  }
}
