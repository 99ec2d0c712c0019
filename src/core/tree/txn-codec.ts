// The binary form of a transaction in the replicated log: compact, deterministic, and decoded
// identically by every member (no JSON between members).

import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { readAcl, writeAcl } from "./record-codec.ts";
import type { Txn, TxnOp } from "./txn.ts";

const codecVersion = 1;
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

export function encodeTxn(txn: Txn): Uint8Array {
  const w = new ByteWriter(256 + dataBytesOf(txn));
  writeVersionedTxn(w, txn);
  return w.finish();
}

/** What encodeTxn returns, written into `w` (a command holds its txn without another copy). */
export function writeVersionedTxn(w: ByteWriter, txn: Txn): void {
  w.u8(codecVersion);
  writeTxn(w, txn);
}

/** The node data a transaction carries: most of its encoded size. */
export function dataBytesOf(txn: Txn): number {
  switch (txn.type) {
    case "create":
    case "setData":
      return txn.data.length;
    case "multi":
      return txn.ops.reduce((sum, op) => sum + dataBytesOf(op), 0);
    default:
      return 0;
  }
}

export function decodeTxn(bytes: Uint8Array): Txn {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== codecVersion) throw new Error(`unknown txn codec version ${version}`);
  const txn = readTxn(r);
  if (!r.done) throw new Error("trailing bytes after txn");
  return txn;
}

function writeTxn(w: ByteWriter, txn: Txn): void {
  w.u8(tags[txn.type]);
  switch (txn.type) {
    case "create":
      w.text(txn.path).bytes(txn.data);
      writeAcl(w, txn.acl);
      w.i64(txn.ephemeralOwner).i32(txn.parentCversion).int(txn.timeMs);
      return;
    case "delete":
    case "check":
      w.text(txn.path);
      return;
    case "setData":
      w.text(txn.path).bytes(txn.data).i32(txn.version).int(txn.timeMs);
      return;
    case "setACL":
      w.text(txn.path);
      writeAcl(w, txn.acl);
      w.i32(txn.aversion);
      return;
    case "multi":
      w.int(txn.ops.length);
      for (const op of txn.ops) writeTxn(w, op);
      return;
    case "createSession":
      w.int(txn.timeoutMs);
      return;
    case "closeSession":
      w.i64(txn.sessionId).int(txn.ephemerals.length);
      for (const p of txn.ephemerals) w.text(p);
      return;
  }
}

function readTxn(r: ByteReader): Txn {
  const tag = r.u8();
  switch (tag) {
    case tags.create:
      return {
        type: "create",
        path: r.text(),
        data: r.bytes(),
        acl: readAcl(r),
        ephemeralOwner: r.i64(),
        parentCversion: r.i32(),
        timeMs: r.int(),
      };
    case tags.delete:
      return { type: "delete", path: r.text() };
    case tags.check:
      return { type: "check", path: r.text() };
    case tags.setData:
      return {
        type: "setData",
        path: r.text(),
        data: r.bytes(),
        version: r.i32(),
        timeMs: r.int(),
      };
    case tags.setACL:
      return { type: "setACL", path: r.text(), acl: readAcl(r), aversion: r.i32() };
    case tags.multi: {
      const n = r.int();
      const ops: TxnOp[] = [];
      for (let i = 0; i < n; i++) {
        const op = readTxn(r);
        if (op.type === "multi" || op.type === "createSession" || op.type === "closeSession") {
          throw new Error(`a multi cannot contain ${op.type}`);
        }
        ops.push(op);
      }
      return { type: "multi", ops };
    }
    case tags.createSession:
      return { type: "createSession", timeoutMs: r.int() };
    case tags.closeSession: {
      const sessionId = r.i64();
      const n = r.int();
      const ephemerals: string[] = [];
      for (let i = 0; i < n; i++) ephemerals.push(r.text());
      return { type: "closeSession", sessionId, ephemerals };
    }
    default:
      throw new Error(`unknown txn tag ${tag}`);
  }
}
