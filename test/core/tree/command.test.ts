// Commands: a session's write carries a sequence number and is applied at most once, on the real
// tree and in the leader's pipeline alike.

import { describe, expect, it } from "vitest";
import { ByteWriter } from "../../../src/core/bytes/byte-writer.ts";
import { decodeCommand, encodeCommand } from "../../../src/core/tree/command.ts";
import { MemoryTreeStore } from "../../../src/core/tree/memory-tree-store.ts";
import { Pipeline } from "../../../src/core/tree/pipeline.ts";
import { decodeResult, encodeResult } from "../../../src/core/tree/result-codec.ts";
import type { Txn } from "../../../src/core/tree/txn.ts";
import { encodeTxn } from "../../../src/core/tree/txn-codec.ts";
import { ZnodeTree } from "../../../src/core/tree/znode-tree.ts";
import { enc, open } from "./harness.ts";

function withSession() {
  const tree = new ZnodeTree(new MemoryTreeStore());
  const created = tree.applyCommand({ txn: { type: "createSession", timeoutMs: 5000 } }, 1);
  if (created.duplicate || created.result.type !== "createSession") throw new Error("no session");
  return { tree, sessionId: created.result.sessionId };
}

const seqCreate = (path: string) => ({
  type: "create" as const,
  path,
  data: enc("x"),
  acl: open,
  ephemeralOwner: 0n,
  parentCversion: 1,
  timeMs: 5,
});

describe("commands", () => {
  it("round-trip through the log encoding, with and without an origin", () => {
    const txn: Txn = { type: "delete", path: "/a" };
    expect(decodeCommand(encodeCommand({ txn }))).toEqual({ txn });
    const origin = { sessionId: (1n << 55n) + 3n, seq: 42 };
    expect(decodeCommand(encodeCommand({ txn, origin }))).toEqual({ txn, origin });
  });

  it("hold the txn's bytes exactly as encodeTxn writes them, behind its length", () => {
    // The log's format is fixed: a command is (format, origin, length, encodeTxn(txn)), however
    // the writer gets there; a 3 KiB value and a multi cross the writer's growth steps.
    const big = new Uint8Array(3000).map((_, i) => i % 251);
    const txns: Txn[] = [
      { ...seqCreate("/big"), data: big },
      { type: "setData", path: "/big", data: big, version: 2, timeMs: 9 },
      { type: "multi", ops: [seqCreate("/m1"), { type: "check", path: "/m1" }, seqCreate("/m2")] },
    ];
    for (const txn of txns) {
      const origin = { sessionId: 7n, seq: 3 };
      const inner = encodeTxn(txn);
      const expected = new ByteWriter().u8(1).u8(1).i64(7n).int(3).bytes(inner).finish();
      expect(encodeCommand({ txn, origin })).toEqual(expected);
      expect(decodeCommand(encodeCommand({ txn, origin }))).toEqual({ txn, origin });
    }
  });

  it("apply a retried write once and answer the retry with the first result", () => {
    const { tree, sessionId } = withSession();
    const command = { txn: seqCreate("/q-0000000000"), origin: { sessionId, seq: 1 } };
    const first = tree.applyCommand(command, 2);
    expect(first.duplicate).toBe(false);
    const digest = tree.meta().digest;
    const again = tree.applyCommand(command, 3);
    expect(again).toMatchObject({ duplicate: true, zxid: 2 });
    expect(again.result).toEqual(first.duplicate ? null : first.result);
    expect(tree.store.getNode("/q-0000000000")?.czxid).toBe(2);
    // The duplicate changed nothing but the applied index.
    expect(tree.meta().digest).toBe(digest);
    expect(tree.lastZxid).toBe(3);
  });

  it("record the result in the session so every member can answer a retry the same way", () => {
    const { tree, sessionId } = withSession();
    tree.applyCommand({ txn: seqCreate("/n"), origin: { sessionId, seq: 7 } }, 2);
    const session = tree.store.getSession(sessionId);
    expect(session).toMatchObject({ lastSeq: 7, lastZxid: 2 });
    expect(decodeResult(session?.lastResult ?? new Uint8Array())).toMatchObject({
      type: "create",
      path: "/n",
    });
  });

  it("are recognized by the pipeline too, so a retry in flight is not prepared twice", () => {
    const { tree, sessionId } = withSession();
    const pipeline = new Pipeline(tree.store);
    pipeline.push(seqCreate("/p"), 2, { sessionId, seq: 1 });
    expect(pipeline.getSession(sessionId)).toMatchObject({ lastSeq: 1, lastZxid: 2 });
    pipeline.push(seqCreate("/p"), 3, { sessionId, seq: 1 });
    expect(pipeline.getNode("/")?.numChildren).toBe(2);
  });

  it("encode every result type exactly", () => {
    const stat = {
      czxid: 1,
      mzxid: 2,
      ctime: 3,
      mtime: 4,
      version: -1,
      cversion: 5,
      aversion: 6,
      ephemeralOwner: -(1n << 63n),
      dataLength: 7,
      numChildren: 8,
      pzxid: 9,
    };
    const results = [
      { type: "create" as const, path: "/x", stat },
      { type: "setData" as const, stat },
      {
        type: "multi" as const,
        results: [
          { type: "delete" as const },
          { type: "check" as const },
          { type: "setACL" as const, stat },
        ],
      },
      { type: "createSession" as const, sessionId: 123n, timeoutMs: 4000 },
      { type: "closeSession" as const, sessionId: 123n },
    ];
    for (const r of results) expect(decodeResult(encodeResult(r))).toEqual(r);
  });
});
