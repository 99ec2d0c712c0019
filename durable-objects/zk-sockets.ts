// ZooKeeper's binary protocol over WebSocket (one jute frame per binary message, without the
// length prefix): the same sessions, tree and watches as the JSON protocol, so unmodified
// ZooKeeper clients work through a local TCP bridge. Replies go out strictly in request order;
// notifications (xid -1) carry their zxid and precede the replies that reveal the change.

import type { AccessConfig } from "../src/access/access-config.ts";
import {
  authenticate,
  passwordMatches,
  scopeRefusal,
  sessionPassword,
} from "../src/access/gatekeeper.ts";
import { codeOf, ErrorCode, type ErrorName, type ZkFailure } from "../src/core/error-code.ts";
import type { WatcherType } from "../src/core/session/watch-table.ts";
import type { Acl } from "../src/core/tree/acl.ts";
import type { OpResult } from "../src/core/tree/apply.ts";
import type { WriteOp, WriteRequest } from "../src/core/tree/request.ts";
import type { Stat } from "../src/core/tree/stat.ts";
import { eventTypeCode, type TreeEvent } from "../src/core/tree/tree-event.ts";
import type { ZnodeTree } from "../src/core/tree/znode-tree.ts";
import { JuteError, JuteInput, JuteOutput } from "../src/protocol/jute/jute-input-output.ts";
import {
  type MultiResult,
  OpCode,
  readConnectRequest,
  readRequest,
  readRequestHeader,
  UnknownOpError,
  type WireStat,
  writeAcl,
  writeConnectResponse,
  writeMultiResults,
  writeReplyHeader,
  writeStat,
  writeWatcherEvent,
  Xid,
  type ZkRequest,
} from "../src/protocol/jute/zk-records.ts";
import type { Replica, WriteAnswer } from "./replica.ts";
import { type Connection, SocketSessions } from "./socket-sessions.ts";

const SyncConnected = 3;
/** ZooKeeper's jute.maxbuffer default: a larger packet ends the connection. */
const jutePacketBytes = 0xfffff;
const watcherTypes: Record<number, WatcherType> = {
  1: "children",
  2: "data",
  3: "any",
  4: "persistent",
  5: "persistentRecursive",
};

export class ZkSockets {
  readonly #sessions: SocketSessions;
  readonly #access: AccessConfig;
  readonly #replica: () => Promise<Replica>;

  constructor(ctx: DurableObjectState, access: AccessConfig, replica: () => Promise<Replica>) {
    this.#sessions = new SocketSessions(ctx, "zk", access);
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

  async message(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const conn = this.#sessions.connection(ws);
    if (typeof raw === "string") {
      // A four-letter word probe, as monitoring tools send them.
      ws.send(await this.#fourLetter(raw.trim()));
      return;
    }
    const bytes = new Uint8Array(raw);
    if (bytes.length > jutePacketBytes) return ws.close(4003, "packet over jute.maxbuffer");
    const replica = await this.#replica();
    // A ZooKeeper server that cannot serve drops the connection; the client tries again.
    if (!(await replica.current()))
      return ws.close(4007, "member restarted and cannot reach a leader to catch up");
    if (!(await this.#sessions.established(conn, () => this.#connect(ws, conn, bytes, replica))))
      return;
    let header: { xid: number; type: number };
    let request: ZkRequest;
    const input = new JuteInput(bytes);
    try {
      header = readRequestHeader(input);
      request = readRequest(header.type, input);
    } catch (e) {
      // A malformed packet ends the connection, as a ZooKeeper server does.
      const code =
        e instanceof UnknownOpError ? ErrorCode.UNIMPLEMENTED : ErrorCode.MARSHALLINGERROR;
      ws.send(reply(-1, replica.tree.lastZxid, code));
      ws.close(4004, e instanceof JuteError ? e.message : "malformed packet");
      return;
    }
    const isWrite = ["create", "delete", "setData", "setACL", "multi", "check"].includes(
      request.type,
    );
    await this.#sessions.serve(
      conn,
      isWrite && replica.isLeader,
      () => this.#handle(ws, conn, header, request, replica),
      (refused) => reply(header.xid, replica.tree.lastZxid, codeOf(refused.name)),
      (b) => sendBytes(ws, b),
    );
    if (request.type === "closeSession") ws.close(1000, "session closed");
  }

  /** The connections' shared bookkeeping: liveness, closes, attachments. */
  get sessions(): SocketSessions {
    return this.#sessions;
  }

  onApplied(
    tree: ZnodeTree,
    events: readonly TreeEvent[],
    closedSessions: readonly bigint[],
  ): void {
    this.#sessions.deliver(events, tree, (ws, e) => sendBytes(ws, notification(e)));
    // A ZooKeeper client learns of expiry when its connection ends.
    this.#sessions.endSessions(closedSessions, () => {});
  }

  get connectionCount(): number {
    return this.#sessions.sockets().length;
  }

  async #connect(
    ws: WebSocket,
    conn: Connection,
    bytes: Uint8Array,
    replica: Replica,
  ): Promise<void> {
    let request: ReturnType<typeof readConnectRequest>;
    try {
      request = readConnectRequest(new JuteInput(bytes));
    } catch {
      ws.close(4004, "malformed ConnectRequest");
      return;
    }
    const expired = () => {
      // ZooKeeper answers an expired or invalid session with a timeout of 0, then closes.
      const out = new JuteOutput();
      writeConnectResponse(out, {
        protocolVersion: 0,
        timeOut: 0,
        sessionId: 0n,
        passwd: new Uint8Array(16),
        readOnly: false,
      });
      ws.send(out.finish());
      ws.close(4000, "session expired");
    };
    let sessionId = request.sessionId;
    let timeOut: number;
    if (sessionId === 0n) {
      const created = await replica.submit(
        { op: "createSession", timeoutMs: request.timeOut },
        { authIds: [] },
      );
      if (!created.ok || created.result.type !== "createSession")
        return ws.close(4005, "could not create a session");
      sessionId = created.result.sessionId;
      timeOut = created.result.timeoutMs;
    } else {
      if (request.lastZxidSeen > BigInt(replica.tree.lastZxid)) {
        // The client has seen newer state than this member: it must try another server.
        ws.close(4002, "client is ahead of this member");
        return;
      }
      const session = replica.tree.store.getSession(sessionId);
      if (!session || !passwordMatches(this.#access, sessionId, conn.owner, request.passwd))
        return expired();
      timeOut = session.timeoutMs;
    }
    this.#sessions.bind(ws, conn, sessionId);
    replica.report([{ sessionId, kind: "attached", atMs: Date.now() }]);
    const out = new JuteOutput();
    writeConnectResponse(out, {
      protocolVersion: 0,
      timeOut,
      sessionId,
      passwd: sessionPassword(this.#access, sessionId, conn.owner),
      readOnly: false,
    });
    ws.send(out.finish());
  }

  async #handle(
    ws: WebSocket,
    conn: Connection,
    header: { xid: number; type: number },
    r: ZkRequest,
    replica: Replica,
  ): Promise<Uint8Array> {
    const tree = replica.tree;
    const zxid = () => tree.lastZxid;
    const ok = (body?: (w: JuteOutput) => void) => reply(header.xid, zxid(), 0, body);
    const err = (f: ZkFailure | ErrorName) =>
      reply(header.xid, zxid(), codeOf(typeof f === "string" ? f : f.name));
    const sessionId = conn.sessionId;
    switch (r.type) {
      case "ping":
        return reply(Xid.ping, zxid(), 0);
      case "auth": {
        const ids = authenticate(this.#access, r.scheme, new TextDecoder().decode(r.auth));
        if ("name" in ids) return reply(Xid.auth, zxid(), codeOf("AUTHFAILED"));
        this.#sessions.addAuth(conn, ids);
        return reply(Xid.auth, zxid(), 0);
      }
      case "closeSession": {
        // Answered before the socket ends: the session's own close is not an expiry.
        conn.closing = true;
        if (sessionId !== undefined)
          await replica.submit({ op: "closeSession", sessionId }, { authIds: conn.authIds });
        return ok();
      }
      case "whoAmI":
        return ok((w) => w.vector(conn.authIds, (o, a) => o.string(a.scheme).string(a.id)));
      case "create":
      case "delete":
      case "setData":
      case "setACL":
      case "check":
      case "multi": {
        const denied = scopeRefusal(conn.scope, "write", r.type);
        if (denied) return err(denied);
        const request = writeRequestOf(r);
        const answer = await replica.submit(request, { authIds: conn.authIds, sessionId });
        return this.#writeReply(header.xid, r, answer, zxid);
      }
      case "sync":
        return (await replica.syncPoint()) ? ok((w) => w.string(r.path)) : err("CONNECTIONLOSS");
      case "exists":
      case "getData":
      case "getChildren":
      case "getChildren2": {
        const read = replica.read(
          { op: r.type === "getChildren2" ? "getChildren" : r.type, path: r.path },
          conn.authIds,
        );
        if (r.watch) {
          const missing = !read.ok && read.failure.name === "NONODE";
          if (read.ok || (r.type === "exists" && missing)) {
            const kind = r.type === "getChildren" || r.type === "getChildren2" ? "child" : "data";
            const refused = this.#sessions.watch(conn, tree, r.path, kind);
            if (refused) return err(refused);
          }
        }
        if (!read.ok) return err(read.failure);
        const v = read.value as { stat: Stat; data?: Uint8Array; children?: readonly string[] };
        if (r.type === "exists") return ok((w) => writeStat(w, wire(v.stat)));
        if (r.type === "getData")
          return ok((w) => writeStat(w.buffer(v.data ?? new Uint8Array()), wire(v.stat)));
        if (r.type === "getChildren")
          return ok((w) => w.vector(v.children ?? [], (o, c) => o.string(c)));
        return ok((w) =>
          writeStat(
            w.vector(v.children ?? [], (o, c) => o.string(c)),
            wire(v.stat),
          ),
        );
      }
      case "getACL": {
        const read = replica.read({ op: "getACL", path: r.path }, conn.authIds);
        if (!read.ok) return err(read.failure);
        const v = read.value as { acl: Acl[]; stat: Stat };
        return ok((w) =>
          writeStat(
            w.vector(v.acl, (o, a) => writeAcl(o, a)),
            wire(v.stat),
          ),
        );
      }
      case "getAllChildrenNumber": {
        const read = replica.read({ op: "getAllChildrenNumber", path: r.path }, conn.authIds);
        if (!read.ok) return err(read.failure);
        return ok((w) => w.int((read.value as { count: number }).count));
      }
      case "getEphemerals":
        return ok((w) =>
          w.vector(
            sessionId === undefined ? [] : tree.reads.getEphemerals(sessionId, r.prefixPath),
            (o, p) => o.string(p),
          ),
        );
      case "multiRead": {
        const results = replica.multiRead(
          r.ops.map((op) => ({
            op: op.type === "getData" ? "getData" : "getChildren",
            path: (op as { path: string }).path,
          })),
          conn.authIds,
        );
        if ("name" in results) return err(results);
        return ok((w) =>
          writeMultiResults(
            w,
            results.map(
              (x): MultiResult =>
                x.op === "getData"
                  ? { type: "getData", data: x.data, stat: wire(x.stat) }
                  : x.op === "getChildren"
                    ? { type: "getChildren", children: [...x.children] }
                    : { type: "error", err: codeOf(x.failure.name) },
            ),
          ),
        );
      }
      case "addWatch": {
        const kind = r.mode === 1 ? "persistentRecursive" : "persistent";
        const refused = this.#sessions.watch(conn, tree, r.path, kind);
        if (refused) return err(refused);
        // ZooKeeper answers addWatch with an ErrorResponse body (err 0), and its Java client
        // reads one: an empty body ends the client's connection.
        return ok((w) => w.int(0));
      }
      case "removeWatches":
      case "checkWatches": {
        const type = watcherTypes[r.watcherType] ?? "any";
        const present =
          r.type === "removeWatches"
            ? this.watches.remove(conn.id, r.path, type)
            : this.watches.contains(conn.id, r.path, type);
        return present ? ok() : err("NOWATCHER");
      }
      case "setWatches": {
        // ZooKeeper re-arms one-shot watches only; edgekeeper's replay is a JSON-protocol extra.
        const lastSeen = Math.min(Number(r.relativeZxid), tree.lastZxid);
        const resumed = this.#sessions.resume(conn, tree, lastSeen, r, false);
        if ("name" in resumed) return reply(Xid.setWatches, zxid(), codeOf(resumed.name));
        for (const e of resumed.events) sendBytes(ws, notification(e));
        return reply(Xid.setWatches, zxid(), 0);
      }
    }
  }

  #writeReply(xid: number, r: ZkRequest, answer: WriteAnswer, zxid: () => number): Uint8Array {
    if (!answer.ok) {
      const opErrors = answer.opErrors;
      if (r.type === "multi" && opErrors) {
        // ZooKeeper's multi failure: header OK, every sub-result an ErrorResult.
        const results = opErrors.map((name): MultiResult => ({ type: "error", err: codeOf(name) }));
        return reply(xid, zxid(), 0, (w) => writeMultiResults(w, results));
      }
      return reply(xid, zxid(), codeOf(answer.failure.name));
    }
    const z = answer.zxid;
    const result = answer.result;
    switch (result.type) {
      case "create":
        return reply(xid, z, 0, (w) => {
          w.string(result.path);
          if (r.type === "create" && r.op !== OpCode.create) writeStat(w, wire(result.stat));
        });
      case "setData":
      case "setACL":
        return reply(xid, z, 0, (w) => writeStat(w, wire(result.stat)));
      case "multi":
        return reply(xid, z, 0, (w) =>
          writeMultiResults(
            w,
            result.results.map((x: OpResult, i): MultiResult => {
              const op = r.type === "multi" ? r.ops[i] : undefined;
              if (x.type === "create")
                return {
                  type: "create",
                  op: op?.type === "create" ? op.op : OpCode.create,
                  path: x.path,
                  stat: wire(x.stat),
                };
              if (x.type === "setData") return { type: "setData", stat: wire(x.stat) };
              return { type: x.type === "delete" ? "delete" : "check" };
            }),
          ),
        );
      default:
        return reply(xid, z, 0);
    }
  }

  async #fourLetter(word: string): Promise<string> {
    const replica = await this.#replica();
    const s = replica.consensusStatus();
    if (word === "ruok") return "imok";
    if (word === "srvr" || word === "stat") {
      return `Zookeeper version: edgekeeper\nMode: ${s.role}\nZxid: 0x${replica.tree.lastZxid.toString(16)}\nNode count: ${replica.tree.meta().nodeCount}\n`;
    }
    if (word === "mntr") {
      const m = replica.tree.meta();
      return `zk_version\tedgekeeper\nzk_server_state\t${s.role}\nzk_znode_count\t${m.nodeCount}\nzk_approximate_data_size\t${m.dataBytes}\nzk_last_zxid\t${m.lastZxid}\n`;
    }
    return `${word} is not executed because it is not in the whitelist.\n`;
  }
}

function writeRequestOf(
  r: Extract<ZkRequest, { type: "create" | "delete" | "setData" | "setACL" | "check" | "multi" }>,
): WriteRequest {
  const op = (x: ZkRequest): WriteOp => {
    switch (x.type) {
      case "create":
        return {
          op: "create",
          path: x.path,
          data: x.data,
          acl: x.acl,
          mode: x.op === OpCode.createContainer ? 4 : x.flags,
          ...(x.ttl === undefined ? {} : { ttlMs: Number(x.ttl) }),
        };
      case "delete":
        return { op: "delete", path: x.path, version: x.version };
      case "setData":
        return { op: "setData", path: x.path, data: x.data, version: x.version };
      case "setACL":
        return { op: "setACL", path: x.path, acl: x.acl, version: x.version };
      case "check":
        return { op: "check", path: x.path, version: x.version };
      default:
        throw new JuteError(`${x.type} cannot be part of a write`);
    }
  };
  return r.type === "multi" ? { op: "multi", ops: r.ops.map(op) } : op(r);
}

function wire(s: Stat): WireStat {
  return {
    czxid: BigInt(s.czxid),
    mzxid: BigInt(s.mzxid),
    ctime: BigInt(s.ctime),
    mtime: BigInt(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: s.ephemeralOwner,
    dataLength: s.dataLength,
    numChildren: s.numChildren,
    pzxid: BigInt(s.pzxid),
  };
}

function reply(xid: number, zxid: number, err: number, body?: (w: JuteOutput) => void): Uint8Array {
  const w = new JuteOutput();
  writeReplyHeader(w, { xid, zxid: BigInt(zxid), err });
  if (err === 0 && body) body(w);
  return w.finish();
}

function notification(e: TreeEvent): Uint8Array {
  const w = new JuteOutput();
  writeReplyHeader(w, { xid: Xid.notification, zxid: BigInt(e.zxid), err: 0 });
  writeWatcherEvent(w, { type: eventTypeCode[e.type], state: SyncConnected, path: e.path });
  return w.finish();
}

function sendBytes(ws: WebSocket, bytes: Uint8Array): void {
  try {
    ws.send(bytes);
  } catch {
    // The client went away.
  }
}
