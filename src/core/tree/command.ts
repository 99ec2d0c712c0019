// A log entry's payload: a transaction plus, for a session's write, the (session, sequence number)
// that makes a retry recognizable. applyCommand applies it at most once per sequence number.

import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { type Applied, applyTxn, type TxnResult } from "./apply.ts";
import { decodeResult, encodeResult } from "./result-codec.ts";
import type { MutableTree } from "./tree-store.ts";
import type { Txn } from "./txn.ts";
import { dataBytesOf, decodeTxn, writeVersionedTxn } from "./txn-codec.ts";

export interface Origin {
  readonly sessionId: bigint;
  /** Increases with every write the session sends (ZooKeeper's xid plays this part). */
  readonly seq: number;
}

export interface Command {
  readonly txn: Txn;
  readonly origin?: Origin | undefined;
}

const format = 1;

export function encodeCommand(command: Command): Uint8Array {
  const w = new ByteWriter(256 + dataBytesOf(command.txn)).u8(format);
  if (command.origin) w.u8(1).i64(command.origin.sessionId).int(command.origin.seq);
  else w.u8(0);
  w.nested((inner) => writeVersionedTxn(inner, command.txn));
  return w.finish();
}

export function decodeCommand(bytes: Uint8Array): Command {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== format) throw new Error(`unknown command format ${version}`);
  const origin = r.u8() === 1 ? { sessionId: r.i64(), seq: r.int() } : undefined;
  const txn = decodeTxn(r.view());
  if (!r.done) throw new Error("trailing bytes after command");
  return origin ? { txn, origin } : { txn };
}

const noResult = new Uint8Array();

export type CommandOutcome =
  | (Applied & { readonly duplicate: false })
  /** Already applied under this sequence number: nothing changed; the first result when known. */
  | {
      readonly duplicate: true;
      readonly result: TxnResult | null;
      readonly zxid: number;
      readonly events: readonly [];
    };

/**
 * Applies a command unless its session already applied that sequence number. `keepResult` false
 * leaves the session's last result empty ("gone"): the leader's pipeline never answers a retry
 * from it (the applied tree does), and encoding each result there again cost a buffer per write.
 */
export function applyCommand(
  tree: MutableTree,
  command: Command,
  zxid: number,
  keepResult = true,
): CommandOutcome {
  const origin = command.origin;
  const session = origin ? tree.getSession(origin.sessionId) : undefined;
  if (origin && session && origin.seq <= session.lastSeq) {
    const known = origin.seq === session.lastSeq && session.lastResult.length > 0;
    return {
      duplicate: true,
      result: known ? decodeResult(session.lastResult) : null,
      zxid: session.lastZxid,
      events: [],
    };
  }
  const applied = applyTxn(tree, command.txn, zxid);
  const after = origin ? tree.getSession(origin.sessionId) : undefined;
  if (origin && after) {
    tree.putSession({
      ...after,
      lastSeq: origin.seq,
      lastZxid: zxid,
      lastResult: keepResult ? encodeResult(applied.result) : noResult,
    });
  }
  return { ...applied, duplicate: false };
}
