// The ZooKeeper wire codec: exact bytes for the handshake and Stat, round trips of every request
// record and of multi framing, strict refusal of malformed input, and frame splitting.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FrameReader,
  JuteError,
  JuteInput,
  JuteOutput,
} from "../../../src/protocol/jute/jute-input-output.ts";
import {
  OpCode,
  readConnectRequest,
  readConnectResponse,
  readReplyHeader,
  readRequest,
  readStat,
  writeConnectRequest,
  writeConnectResponse,
  writeMultiResults,
  writeReplyHeader,
  writeStat,
} from "../../../src/protocol/jute/zk-records.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("jute", () => {
  it("encodes a ConnectRequest byte for byte (45 bytes + length prefix)", () => {
    const w = new JuteOutput();
    writeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen: 0x10n,
      timeOut: 30000,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: false,
    });
    expect(hex(w.frame())).toBe(
      `0000002d` +
        `00000000` +
        `0000000000000010` +
        `00007530` +
        `0000000000000000` +
        `00000010${"00".repeat(16)}` +
        `00`,
    );
    const back = readConnectRequest(new JuteInput(w.finish()));
    expect(back).toMatchObject({ lastZxidSeen: 0x10n, timeOut: 30000, readOnly: false });
  });

  it("accepts an old client's ConnectRequest without the readOnly byte", () => {
    const w = new JuteOutput()
      .int(0)
      .long(0)
      .int(4000)
      .long(0xfedcba9876543210n)
      .buffer(new Uint8Array(16));
    expect(readConnectRequest(new JuteInput(w.finish()))).toMatchObject({
      readOnly: false,
      sessionId: BigInt.asIntN(64, 0xfedcba9876543210n),
    });
  });

  it("keeps 64-bit session ids and zxids exact, and Stat is 68 bytes in wire order", () => {
    const w = new JuteOutput();
    writeConnectResponse(w, {
      protocolVersion: 0,
      timeOut: 4000,
      sessionId: 0x7fffffffffffffffn,
      passwd: new Uint8Array(16),
      readOnly: false,
    });
    expect(readConnectResponse(new JuteInput(w.finish())).sessionId).toBe(0x7fffffffffffffffn);
    const stat = {
      czxid: 1n,
      mzxid: 2n,
      ctime: 3n,
      mtime: 4n,
      version: 5,
      cversion: 6,
      aversion: 7,
      ephemeralOwner: -(1n << 63n),
      dataLength: 8,
      numChildren: 9,
      pzxid: 10n,
    };
    const s = new JuteOutput();
    writeStat(s, stat);
    expect(s.finish().length).toBe(68);
    expect(hex(s.finish()).slice(-16)).toBe("000000000000000a");
    expect(readStat(new JuteInput(s.finish()))).toEqual(stat);
    const h = new JuteOutput();
    writeReplyHeader(h, { xid: -1, zxid: (1n << 40n) + 5n, err: 0 });
    expect(readReplyHeader(new JuteInput(h.finish()))).toEqual({
      xid: -1,
      zxid: (1n << 40n) + 5n,
      err: 0,
    });
  });

  it("reads every request record", () => {
    const acl = (w: JuteOutput) =>
      w.vector([{ perms: 31, scheme: "world", id: "anyone" }], (o, a) =>
        o.int(a.perms).string(a.scheme).string(a.id),
      );
    const cases: Array<[number, (w: JuteOutput) => void, object]> = [
      [
        OpCode.create,
        (w) => acl(w.string("/a").buffer(new Uint8Array([1, 2]))).int(3),
        { type: "create", path: "/a", flags: 3, data: new Uint8Array([1, 2]) },
      ],
      [
        OpCode.createTTL,
        (w) => acl(w.string("/t").buffer(null)).int(5).long(60000),
        { type: "create", ttl: 60000n, flags: 5 },
      ],
      [OpCode.delete, (w) => w.string("/a").int(-1), { type: "delete", path: "/a", version: -1 }],
      [OpCode.exists, (w) => w.string("/a").bool(true), { type: "exists", watch: true }],
      [OpCode.getData, (w) => w.string("/a").bool(false), { type: "getData", watch: false }],
      [
        OpCode.setData,
        (w) =>
          w
            .string("/a")
            .buffer(new Uint8Array([9]))
            .int(4),
        { type: "setData", version: 4 },
      ],
      [OpCode.getChildren2, (w) => w.string("/").bool(true), { type: "getChildren2", path: "/" }],
      [
        OpCode.setACL,
        (w) => acl(w.string("/a")).int(0),
        { type: "setACL", acl: [{ perms: 31, scheme: "world", id: "anyone" }] },
      ],
      [OpCode.sync, (w) => w.string("/"), { type: "sync" }],
      [
        OpCode.getEphemerals,
        (w) => w.string("/app"),
        { type: "getEphemerals", prefixPath: "/app" },
      ],
      [OpCode.getAllChildrenNumber, (w) => w.string("/"), { type: "getAllChildrenNumber" }],
      [OpCode.addWatch, (w) => w.string("/w").int(1), { type: "addWatch", mode: 1 }],
      [
        OpCode.removeWatches,
        (w) => w.string("/w").int(3),
        { type: "removeWatches", watcherType: 3 },
      ],
      [
        OpCode.setWatches2,
        (w) =>
          w
            .long(7)
            .vector(["/d"], (o, s) => o.string(s))
            .vector([], () => {})
            .vector(["/c"], (o, s) => o.string(s))
            .vector(["/p"], (o, s) => o.string(s))
            .vector([], () => {}),
        { type: "setWatches", relativeZxid: 7n, data: ["/d"], child: ["/c"], persistent: ["/p"] },
      ],
      [
        OpCode.auth,
        (w) => w.int(0).string("digest").buffer(new TextEncoder().encode("u:p")),
        { type: "auth", scheme: "digest" },
      ],
    ];
    for (const [op, write, expected] of cases) {
      const w = new JuteOutput();
      write(w);
      expect(readRequest(op, new JuteInput(w.finish())), `op ${op}`).toMatchObject(expected);
    }
  });

  it("reads multi framing and refuses ops that do not belong in it", () => {
    const w = new JuteOutput();
    w.int(OpCode.create)
      .bool(false)
      .int(-1)
      .string("/m")
      .buffer(null)
      .vector([], () => {})
      .int(0);
    w.int(OpCode.check).bool(false).int(-1).string("/m").int(0);
    w.int(-1).bool(true).int(-1);
    expect(readRequest(OpCode.multi, new JuteInput(w.finish()))).toMatchObject({
      type: "multi",
      ops: [{ type: "create" }, { type: "check" }],
    });
    const bad = new JuteOutput()
      .int(OpCode.sync)
      .bool(false)
      .int(-1)
      .string("/")
      .int(-1)
      .bool(true)
      .int(-1);
    expect(() => readRequest(OpCode.multi, new JuteInput(bad.finish()))).toThrow(JuteError);
  });

  it("writes multi results with ZooKeeper's error encoding and terminator", () => {
    const w = new JuteOutput();
    writeMultiResults(w, [
      { type: "error", err: 0 },
      { type: "error", err: -101 },
      { type: "error", err: -2 },
    ]);
    const r = new JuteInput(w.finish());
    const read = () => ({ type: r.int(), done: r.bool(), err: r.int() });
    expect(read()).toEqual({ type: -1, done: false, err: 0 });
    expect(r.int()).toBe(0);
    expect(read()).toEqual({ type: -1, done: false, err: -101 });
    expect(r.int()).toBe(-101);
    read();
    r.int();
    expect(read()).toEqual({ type: -1, done: true, err: -1 });
    expect(r.remaining).toBe(0);
  });

  it("refuses malformed records with JuteError and never crashes otherwise", () => {
    expect(() =>
      readRequest(OpCode.getData, new JuteInput(new Uint8Array([0, 0, 0, 9, 47]))),
    ).toThrow(JuteError);
    expect(() =>
      readRequest(OpCode.getData, new JuteInput(new Uint8Array([0xff, 0xff, 0xff, 0xfe]))),
    ).toThrow(/negative/);
    expect(() => readRequest(999, new JuteInput(new Uint8Array()))).toThrow(/unknown opcode/);
    fc.assert(
      fc.property(
        fc.integer({ min: -12, max: 110 }),
        fc.uint8Array({ maxLength: 200 }),
        (op, bytes) => {
          try {
            readRequest(op, new JuteInput(bytes));
          } catch (e) {
            expect(e).toBeInstanceOf(JuteError);
          }
        },
      ),
      { seed: 7, numRuns: 2000 },
    );
  });

  it("splits a byte stream into frames across chunk boundaries and refuses oversized lengths", () => {
    const a = new JuteOutput().int(1).int(2).frame();
    const b = new JuteOutput().string("hello").frame();
    const stream = new Uint8Array([...a, ...b]);
    const reader = new FrameReader();
    const frames = [
      ...reader.push(stream.subarray(0, 3)),
      ...reader.push(stream.subarray(3, 15)),
      ...reader.push(stream.subarray(15)),
    ];
    expect(frames.map(hex)).toEqual([hex(a.subarray(4)), hex(b.subarray(4))]);
    expect(() => new FrameReader().push(new Uint8Array([0x00, 0x10, 0x00, 0x00]))).toThrow(
      /out of range/,
    );
  });
});
