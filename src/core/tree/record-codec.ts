// Binary encodings of node records, ACLs and sessions, shared by snapshots and the txn codec.

import type { ByteReader } from "../bytes/byte-reader.ts";
import type { ByteWriter } from "../bytes/byte-writer.ts";
import type { SessionRecord } from "../session/session-record.ts";
import type { Acl } from "./acl.ts";
import type { NodeRecord } from "./node-record.ts";

export function writeAcl(w: ByteWriter, acl: readonly Acl[]): void {
  w.int(acl.length);
  for (const a of acl) w.i32(a.perms).text(a.scheme).text(a.id);
}

export function readAcl(r: ByteReader): Acl[] {
  const n = r.int();
  const out: Acl[] = [];
  for (let i = 0; i < n; i++) out.push({ perms: r.i32(), scheme: r.text(), id: r.text() });
  return out;
}

export function writeNode(w: ByteWriter, node: NodeRecord): void {
  w.bytes(node.data);
  writeAcl(w, node.acl);
  w.int(node.czxid).int(node.mzxid).int(node.pzxid).int(node.ctime).int(node.mtime);
  w.i32(node.version).i32(node.cversion).i32(node.aversion);
  w.i64(node.ephemeralOwner).int(node.numChildren);
}

export function readNode(r: ByteReader): NodeRecord {
  const data = r.bytes();
  const acl = readAcl(r);
  return {
    data,
    acl,
    czxid: r.int(),
    mzxid: r.int(),
    pzxid: r.int(),
    ctime: r.int(),
    mtime: r.int(),
    version: r.i32(),
    cversion: r.i32(),
    aversion: r.i32(),
    ephemeralOwner: r.i64(),
    numChildren: r.int(),
  };
}

export function writeSession(w: ByteWriter, s: SessionRecord): void {
  w.i64(s.id)
    .int(s.timeoutMs)
    .int(s.createdZxid)
    .int(s.lastSeq)
    .int(s.lastZxid)
    .bytes(s.lastResult);
}

export function readSession(r: ByteReader): SessionRecord {
  return {
    id: r.i64(),
    timeoutMs: r.int(),
    createdZxid: r.int(),
    lastSeq: r.int(),
    lastZxid: r.int(),
    lastResult: r.bytes(),
  };
}
