// Binary form of a transaction's result, kept with the session so a retried write can be
// answered exactly as the first attempt was.

import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import type { OpResult, TxnResult } from "./apply.ts";
import type { Stat } from "./stat.ts";

const tags = {
  create: 1,
  delete: 2,
  setData: 3,
  setACL: 4,
  check: 5,
  multi: 6,
  createSession: 7,
  closeSession: 8,
} as const;

export function encodeResult(result: TxnResult): Uint8Array {
  const w = new ByteWriter();
  writeResult(w, result);
  return w.finish();
}

export function decodeResult(bytes: Uint8Array): TxnResult {
  return readResult(new ByteReader(bytes));
}

function writeStat(w: ByteWriter, s: Stat): void {
  w.int(s.czxid)
    .int(s.mzxid)
    .int(s.ctime)
    .int(s.mtime)
    .i32(s.version)
    .i32(s.cversion)
    .i32(s.aversion);
  w.i64(s.ephemeralOwner).int(s.dataLength).int(s.numChildren).int(s.pzxid);
}

function readStat(r: ByteReader): Stat {
  return {
    czxid: r.int(),
    mzxid: r.int(),
    ctime: r.int(),
    mtime: r.int(),
    version: r.i32(),
    cversion: r.i32(),
    aversion: r.i32(),
    ephemeralOwner: r.i64(),
    dataLength: r.int(),
    numChildren: r.int(),
    pzxid: r.int(),
  };
}

function writeResult(w: ByteWriter, result: TxnResult): void {
  w.u8(tags[result.type]);
  switch (result.type) {
    case "create":
      w.text(result.path);
      writeStat(w, result.stat);
      return;
    case "setData":
    case "setACL":
      writeStat(w, result.stat);
      return;
    case "multi":
      w.int(result.results.length);
      for (const r of result.results) writeResult(w, r);
      return;
    case "createSession":
      w.i64(result.sessionId).int(result.timeoutMs);
      return;
    case "closeSession":
      w.i64(result.sessionId);
      return;
    case "delete":
    case "check":
      return;
  }
}

function readResult(r: ByteReader): TxnResult {
  const tag = r.u8();
  switch (tag) {
    case tags.create:
      return { type: "create", path: r.text(), stat: readStat(r) };
    case tags.setData:
      return { type: "setData", stat: readStat(r) };
    case tags.setACL:
      return { type: "setACL", stat: readStat(r) };
    case tags.delete:
      return { type: "delete" };
    case tags.check:
      return { type: "check" };
    case tags.multi: {
      const n = r.int();
      const results: OpResult[] = [];
      for (let i = 0; i < n; i++) results.push(readResult(r) as OpResult);
      return { type: "multi", results };
    }
    case tags.createSession:
      return { type: "createSession", sessionId: r.i64(), timeoutMs: r.int() };
    case tags.closeSession:
      return { type: "closeSession", sessionId: r.i64() };
    default:
      throw new Error(`unknown result tag ${tag}`);
  }
}
