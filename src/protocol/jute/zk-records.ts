// ZooKeeper's wire records (zookeeper.jute) that a server reads and writes: the handshake,
// request/reply headers, Stat and ACLs, every request of the opcode checklist, multi framing,
// and watch notifications. Field order is the .jute declaration order.

import { JuteError, type JuteInput, type JuteOutput } from "./jute-input-output.ts";

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

export const Xid = { notification: -1, ping: -2, auth: -4, setWatches: -8 } as const;

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  /** Absent from clients older than 3.9's record (they send one byte less). */
  readOnly: boolean;
}

export function readConnectRequest(r: JuteInput): ConnectRequest {
  const protocolVersion = r.int();
  const lastZxidSeen = r.long();
  const timeOut = r.int();
  const sessionId = r.long();
  const passwd = r.buffer() ?? new Uint8Array();
  const readOnly = r.remaining > 0 ? r.bool() : false;
  return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly };
}

export function writeConnectRequest(w: JuteOutput, c: ConnectRequest): void {
  w.int(c.protocolVersion)
    .long(c.lastZxidSeen)
    .int(c.timeOut)
    .long(c.sessionId)
    .buffer(c.passwd)
    .bool(c.readOnly);
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  readOnly: boolean;
}

export function writeConnectResponse(w: JuteOutput, c: ConnectResponse): void {
  w.int(c.protocolVersion).int(c.timeOut).long(c.sessionId).buffer(c.passwd).bool(c.readOnly);
}

export function readConnectResponse(r: JuteInput): ConnectResponse {
  return {
    protocolVersion: r.int(),
    timeOut: r.int(),
    sessionId: r.long(),
    passwd: r.buffer() ?? new Uint8Array(),
    readOnly: r.remaining > 0 ? r.bool() : false,
  };
}

export interface RequestHeader {
  xid: number;
  type: number;
}

export const readRequestHeader = (r: JuteInput): RequestHeader => ({ xid: r.int(), type: r.int() });
export const writeRequestHeader = (w: JuteOutput, h: RequestHeader) => w.int(h.xid).int(h.type);

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export const writeReplyHeader = (w: JuteOutput, h: ReplyHeader) =>
  w.int(h.xid).long(h.zxid).int(h.err);
export const readReplyHeader = (r: JuteInput): ReplyHeader => ({
  xid: r.int(),
  zxid: r.long(),
  err: r.int(),
});

/** Stat in wire order (pzxid last): 68 bytes. */
export interface WireStat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export function writeStat(w: JuteOutput, s: WireStat): void {
  w.long(s.czxid)
    .long(s.mzxid)
    .long(s.ctime)
    .long(s.mtime)
    .int(s.version)
    .int(s.cversion)
    .int(s.aversion);
  w.long(s.ephemeralOwner).int(s.dataLength).int(s.numChildren).long(s.pzxid);
}

export function readStat(r: JuteInput): WireStat {
  return {
    czxid: r.long(),
    mzxid: r.long(),
    ctime: r.long(),
    mtime: r.long(),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.long(),
    dataLength: r.int(),
    numChildren: r.int(),
    pzxid: r.long(),
  };
}

export interface WireAcl {
  perms: number;
  scheme: string;
  id: string;
}

export const writeAcl = (w: JuteOutput, a: WireAcl) => w.int(a.perms).string(a.scheme).string(a.id);
export const readAcl = (r: JuteInput): WireAcl => ({
  perms: r.int(),
  scheme: r.text(),
  id: r.text(),
});

/** A decoded request body, by opcode. */
export type ZkRequest =
  | {
      type: "create";
      op: number;
      path: string;
      data: Uint8Array;
      acl: WireAcl[];
      flags: number;
      ttl?: bigint;
    }
  | { type: "delete"; path: string; version: number }
  | {
      type: "exists" | "getData" | "getChildren" | "getChildren2";
      op: number;
      path: string;
      watch: boolean;
    }
  | { type: "setData"; path: string; data: Uint8Array; version: number }
  | { type: "getACL" | "sync" | "getAllChildrenNumber"; path: string }
  | { type: "getEphemerals"; prefixPath: string }
  | { type: "setACL"; path: string; acl: WireAcl[]; version: number }
  | { type: "check"; path: string; version: number }
  | { type: "multi"; ops: ZkRequest[] }
  | { type: "multiRead"; ops: ZkRequest[] }
  | { type: "addWatch"; path: string; mode: number }
  | { type: "removeWatches" | "checkWatches"; path: string; watcherType: number }
  | {
      type: "setWatches";
      relativeZxid: bigint;
      data: string[];
      exist: string[];
      child: string[];
      persistent: string[];
      persistentRecursive: string[];
    }
  | { type: "auth"; authType: number; scheme: string; auth: Uint8Array }
  | { type: "ping" | "closeSession" | "whoAmI" };

const strings = (r: JuteInput) => r.vector((x) => x.text()) ?? [];

/** Reads the record that follows a RequestHeader of opcode `op`. */
export function readRequest(op: number, r: JuteInput): ZkRequest {
  switch (op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const path = r.text();
      const data = r.buffer() ?? new Uint8Array();
      const acl = r.vector(readAcl) ?? [];
      const flags = r.int();
      return op === OpCode.createTTL
        ? { type: "create", op, path, data, acl, flags, ttl: r.long() }
        : { type: "create", op, path, data, acl, flags };
    }
    case OpCode.delete:
      return { type: "delete", path: r.text(), version: r.int() };
    case OpCode.exists:
      return { type: "exists", op, path: r.text(), watch: r.bool() };
    case OpCode.getData:
      return { type: "getData", op, path: r.text(), watch: r.bool() };
    case OpCode.getChildren:
      return { type: "getChildren", op, path: r.text(), watch: r.bool() };
    case OpCode.getChildren2:
      return { type: "getChildren2", op, path: r.text(), watch: r.bool() };
    case OpCode.setData:
      return {
        type: "setData",
        path: r.text(),
        data: r.buffer() ?? new Uint8Array(),
        version: r.int(),
      };
    case OpCode.getACL:
      return { type: "getACL", path: r.text() };
    case OpCode.sync:
      return { type: "sync", path: r.text() };
    case OpCode.getAllChildrenNumber:
      return { type: "getAllChildrenNumber", path: r.text() };
    case OpCode.getEphemerals:
      return { type: "getEphemerals", prefixPath: r.string() ?? "/" };
    case OpCode.setACL:
      return { type: "setACL", path: r.text(), acl: r.vector(readAcl) ?? [], version: r.int() };
    case OpCode.check:
      return { type: "check", path: r.text(), version: r.int() };
    case OpCode.multi:
    case OpCode.multiRead:
      return {
        type: op === OpCode.multi ? "multi" : "multiRead",
        ops: readMultiOps(r, op === OpCode.multiRead),
      };
    case OpCode.addWatch:
      return { type: "addWatch", path: r.text(), mode: r.int() };
    case OpCode.removeWatches:
    case OpCode.checkWatches:
      return {
        type: op === OpCode.removeWatches ? "removeWatches" : "checkWatches",
        path: r.text(),
        watcherType: r.int(),
      };
    case OpCode.setWatches:
    case OpCode.setWatches2: {
      const relativeZxid = r.long();
      const data = strings(r);
      const exist = strings(r);
      const child = strings(r);
      const two = op === OpCode.setWatches2;
      return {
        type: "setWatches",
        relativeZxid,
        data,
        exist,
        child,
        persistent: two ? strings(r) : [],
        persistentRecursive: two ? strings(r) : [],
      };
    }
    case OpCode.auth:
      return {
        type: "auth",
        authType: r.int(),
        scheme: r.text(),
        auth: r.buffer() ?? new Uint8Array(),
      };
    case OpCode.ping:
      return { type: "ping" };
    case OpCode.closeSession:
      return { type: "closeSession" };
    case OpCode.whoAmI:
      return { type: "whoAmI" };
    default:
      throw new UnknownOpError(op);
  }
}

export class UnknownOpError extends JuteError {
  readonly op: number;
  constructor(op: number) {
    super(`unknown opcode ${op}`);
    this.op = op;
  }
}

/** Multi framing: MultiHeader{type, done, err} + op, …, ended by MultiHeader{-1, true, -1}. */
function readMultiOps(r: JuteInput, readOnly: boolean): ZkRequest[] {
  const ops: ZkRequest[] = [];
  for (;;) {
    const type = r.int();
    const done = r.bool();
    r.int();
    if (done) return ops;
    if (ops.length >= 1000) throw new JuteError("a multi may hold at most 1000 ops");
    const allowed: readonly number[] = readOnly
      ? [OpCode.getChildren, OpCode.getData]
      : [
          OpCode.create,
          OpCode.create2,
          OpCode.createContainer,
          OpCode.createTTL,
          OpCode.delete,
          OpCode.setData,
          OpCode.check,
        ];
    if (!allowed.includes(type))
      throw new JuteError(`opcode ${type} is not allowed in a ${readOnly ? "multiRead" : "multi"}`);
    ops.push(readRequest(type, r));
  }
}

/** One sub-result of a multi reply. */
export type MultiResult =
  | { type: "create"; op: number; path: string; stat?: WireStat }
  | { type: "delete" | "check" }
  | { type: "setData"; stat: WireStat }
  | { type: "getData"; data: Uint8Array; stat: WireStat }
  | { type: "getChildren"; children: string[] }
  | { type: "error"; err: number };

export function writeMultiResults(w: JuteOutput, results: readonly MultiResult[]): void {
  for (const result of results) {
    switch (result.type) {
      case "create":
        w.int(result.op === OpCode.create ? OpCode.create : OpCode.create2)
          .bool(false)
          .int(0)
          .string(result.path);
        if (result.op !== OpCode.create && result.stat) writeStat(w, result.stat);
        break;
      case "delete":
        w.int(OpCode.delete).bool(false).int(0);
        break;
      case "check":
        w.int(OpCode.check).bool(false).int(0);
        break;
      case "setData":
        w.int(OpCode.setData).bool(false).int(0);
        writeStat(w, result.stat);
        break;
      case "getData":
        w.int(OpCode.getData).bool(false).int(0).buffer(result.data);
        writeStat(w, result.stat);
        break;
      case "getChildren":
        w.int(OpCode.getChildren)
          .bool(false)
          .int(0)
          .vector(result.children, (o, c) => o.string(c));
        break;
      case "error":
        w.int(OpCode.error).bool(false).int(result.err).int(result.err);
        break;
    }
  }
  w.int(-1).bool(true).int(-1);
}

/** WatcherEvent{type, state, path}, sent with ReplyHeader{xid: -1, zxid: the event's zxid}. */
export const writeWatcherEvent = (
  w: JuteOutput,
  e: { type: number; state: number; path: string },
) => w.int(e.type).int(e.state).string(e.path);
