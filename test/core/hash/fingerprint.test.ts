// The tree digest's fingerprint must never change value within a version: members compare
// digests, a stored digest is a running sum of fingerprints taken by earlier builds, and a
// backup's header holds one (version 1 is still what checks a format-1 backup).

import { describe, expect, it } from "vitest";
import { Fingerprint } from "../../../src/core/hash/fingerprint.ts";

const data = new Uint8Array(1024).map((_, i) => (i * 37 + 11) & 0xff);

/** Large and negative numbers, bigints, text beyond ASCII and of odd length, empty text. */
const mixed = (f: Fingerprint) =>
  f
    .int(0)
    .int(1796058543750)
    .int(2 ** 53 - 1)
    .text("/é/ü/☃")
    .big(0xfedcba9876543210n)
    .big(-5n)
    .int(-3)
    .text("")
    .value();

describe("Fingerprint version 1", () => {
  it("keeps the values the build before its fast byte loop computed", () => {
    // Taken with the per-byte #mix implementation the inlined loop replaced (2026-11-29).
    expect(new Fingerprint(1).int(1).text("/a/b").bytes(data).int(42).value()).toBe(
      16628122409175455446n,
    );
    expect(new Fingerprint(1).bytes(new Uint8Array()).value()).toBe(2791035012954182477n);
    // Taken before int, big and text kept the lanes in locals (2026-11-30).
    expect(mixed(new Fingerprint(1))).toBe(13964797925231160003n);
  });

  it("mixes bytes exactly as it mixes the same code units as text", () => {
    for (const length of [0, 1, 3, 4, 5, 255, 1024]) {
      const bytes = data.subarray(0, length);
      const text = String.fromCharCode(...bytes);
      expect(new Fingerprint(1).int(7).bytes(bytes).int(9).value()).toBe(
        new Fingerprint(1).int(7).text(text).int(9).value(),
      );
    }
  });
});

describe("Fingerprint version 2", () => {
  it("keeps the values it was introduced with (2026-11-30)", () => {
    expect(new Fingerprint().int(1).text("/a/b").bytes(data).int(42).value()).toBe(
      1419116172157783614n,
    );
    expect(new Fingerprint(2).bytes(new Uint8Array()).value()).toBe(2791035012954182477n);
    expect(mixed(new Fingerprint())).toBe(16505539070397689557n);
    expect(new Fingerprint().bytes(data.subarray(0, 7)).text("abc").value()).toBe(
      17203207119989658864n,
    );
  });

  it("differs from version 1 wherever a word packs more than one byte or code unit", () => {
    expect(new Fingerprint(2).bytes(data.subarray(0, 2)).value()).not.toBe(
      new Fingerprint(1).bytes(data.subarray(0, 2)).value(),
    );
    expect(new Fingerprint(2).text("ab").value()).not.toBe(new Fingerprint(1).text("ab").value());
    // One byte or code unit is one word in both.
    expect(new Fingerprint(2).bytes(data.subarray(0, 1)).value()).toBe(
      new Fingerprint(1).bytes(data.subarray(0, 1)).value(),
    );
  });

  it("changes with every byte of the data, its length and every code unit of text", () => {
    const values = new Set<bigint>();
    let taken = 0;
    for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1023, 1024]) {
      const bytes = data.slice(0, length);
      values.add(new Fingerprint().bytes(bytes).value());
      taken++;
      // A trailing zero byte is not the same data: the length tells them apart.
      values.add(new Fingerprint().bytes(new Uint8Array([...bytes, 0])).value());
      taken++;
      for (let i = 0; i < length; i += length > 16 ? 97 : 1) {
        for (const bit of [0x01, 0x80]) {
          const changed = bytes.slice();
          changed[i] = (changed[i] as number) ^ bit;
          values.add(new Fingerprint().bytes(changed).value());
          taken++;
        }
      }
    }
    for (const text of ["/a", "/b", "/ab", "/ba", "/a\u0000", "/☃", "/☃a", "/a☃", "a/"]) {
      values.add(new Fingerprint().text(text).value());
      taken++;
    }
    expect(values.size).toBe(taken);
  });
});
