// The tree digest's fingerprint must never change value: members compare digests, and a stored
// digest is a running sum of fingerprints taken by earlier builds.

import { describe, expect, it } from "vitest";
import { Fingerprint } from "../../../src/core/hash/fingerprint.ts";

const data = new Uint8Array(1024).map((_, i) => (i * 37 + 11) & 0xff);

describe("Fingerprint", () => {
  it("keeps the values the build before its fast byte loop computed", () => {
    // Taken with the per-byte #mix implementation the inlined loop replaced (2026-11-29).
    expect(new Fingerprint().int(1).text("/a/b").bytes(data).int(42).value()).toBe(
      16628122409175455446n,
    );
    expect(new Fingerprint().bytes(new Uint8Array()).value()).toBe(2791035012954182477n);
    // Taken before int, big and text kept the lanes in locals (2026-11-30): halves of large and
    // negative numbers, bigints, text beyond ASCII.
    expect(
      new Fingerprint()
        .int(0)
        .int(1796058543750)
        .int(2 ** 53 - 1)
        .text("/é/ü/☃")
        .big(0xfedcba9876543210n)
        .big(-5n)
        .int(-3)
        .text("")
        .value(),
    ).toBe(13964797925231160003n);
  });

  it("mixes bytes exactly as it mixes the same code units as text", () => {
    for (const length of [0, 1, 3, 4, 5, 255, 1024]) {
      const bytes = data.subarray(0, length);
      const text = String.fromCharCode(...bytes);
      expect(new Fingerprint().int(7).bytes(bytes).int(9).value()).toBe(
        new Fingerprint().int(7).text(text).int(9).value(),
      );
    }
  });
});
