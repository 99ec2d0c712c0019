// ByteWriter lends its buffers to the next writers once finished: nested writers, a writer never
// finished and writes after finish() must still produce exactly the bytes written, each its own.

import { describe, expect, it } from "vitest";
import { ByteReader } from "../../../src/core/bytes/byte-reader.ts";
import { ByteWriter } from "../../../src/core/bytes/byte-writer.ts";

const encode = (n: number) =>
  new ByteWriter()
    .u8(n)
    .int(n * 1000)
    .text(`node-${n}`)
    .finish();

describe("ByteWriter", () => {
  it("gives each writer its own bytes while others open and finish inside it", () => {
    const outer = new ByteWriter().u8(1);
    const inner = [2, 3, 4].map(encode); // each borrows and returns a buffer while outer holds one
    const abandoned = new ByteWriter().u8(0xee).u8(0xee); // never finished
    outer.u8(5).nested((w) => {
      w.bytes(encode(6));
    });
    const bytes = outer.finish();
    expect(abandoned.length).toBe(2);
    expect([...bytes.subarray(0, 2)]).toEqual([1, 5]);
    const r = new ByteReader(bytes.subarray(2));
    const nested = new ByteReader(r.bytes());
    expect([...nested.bytes()]).toEqual([...encode(6)]);
    for (const [i, n] of [2, 3, 4].entries()) {
      const back = new ByteReader(inner[i] as Uint8Array);
      expect([back.u8(), back.int(), back.text()]).toEqual([n, n * 1000, `node-${n}`]);
    }
  });

  it("never writes into bytes it returned, whatever writes follow", () => {
    const first = encode(7);
    const copy = [...first];
    for (let i = 0; i < 40; i++) encode(i); // every spare lent and returned many times
    const w = new ByteWriter().u8(9);
    const finished = w.finish();
    w.u8(10).int(11); // after finish: a new buffer, not the returned bytes nor a spare
    for (let i = 0; i < 40; i++) encode(i);
    expect([...first]).toEqual(copy);
    expect([...finished]).toEqual([9]);
    expect([...w.finish()]).toEqual([9, 10, ...new ByteWriter().int(11).finish()]);
  });

  it("writes past a lent buffer's size and more than one buffer's worth", () => {
    const big = new Uint8Array(40_000).map((_, i) => i & 0xff);
    const w = new ByteWriter().u8(1).bytes(big);
    expect(w.finish().length).toBe(1 + 8 + big.length);
    const back = new ByteReader(new ByteWriter(50_000).bytes(big).finish());
    expect(back.bytes()).toEqual(big);
  });
});
