// The pure hashes and encodings in core agree with Node's implementations on random input.

import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64Encode } from "../../../src/core/bytes/base64.ts";
import { utf8Decode, utf8Encode } from "../../../src/core/bytes/utf8.ts";
import { hmacSha256 } from "../../../src/core/hash/hmac.ts";
import { sha1 } from "../../../src/core/hash/sha1.ts";
import { sha256 } from "../../../src/core/hash/sha256.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = fc.uint8Array({ maxLength: 300 });

describe("core hashes and encodings", () => {
  it("sha1 and sha256 match node:crypto", () => {
    fc.assert(
      fc.property(bytes, (m) => {
        expect(hex(sha1(m))).toBe(createHash("sha1").update(m).digest("hex"));
        expect(hex(sha256(m))).toBe(createHash("sha256").update(m).digest("hex"));
      }),
    );
  });

  it("hmacSha256 matches node:crypto, long keys included", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), bytes, (k, m) => {
        expect(hex(hmacSha256(k, m))).toBe(createHmac("sha256", k).update(m).digest("hex"));
      }),
    );
  });

  it("base64 and utf8 match Buffer and TextEncoder/TextDecoder", () => {
    fc.assert(
      fc.property(bytes, fc.string({ unit: "binary" }), (b, s) => {
        expect(base64Encode(b)).toBe(Buffer.from(b).toString("base64"));
        expect(hex(utf8Encode(s))).toBe(hex(new TextEncoder().encode(s)));
        expect(utf8Decode(b)).toBe(new TextDecoder().decode(b));
      }),
    );
  });

  it("utf8 of ASCII (the common case, taken a slice at a time) matches TextEncoder/TextDecoder", () => {
    const asciiChar = fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c));
    // Lengths well past a slice: a piece repeated up to 1,000 times.
    const ascii = fc
      .tuple(fc.string({ unit: asciiChar, minLength: 1, maxLength: 20 }), fc.nat(1000))
      .map(([piece, times]) => piece.repeat(times));
    fc.assert(
      fc.property(ascii, fc.integer({ min: 0, max: 9000 }), (s, at) => {
        const encoded = new TextEncoder().encode(s);
        expect(hex(utf8Encode(s))).toBe(hex(encoded));
        expect(utf8Decode(encoded)).toBe(s);
        // One byte past ASCII anywhere sends the whole input down the general path.
        const mixed = `${s.slice(0, at)}é${s.slice(at)}`;
        expect(hex(utf8Encode(mixed))).toBe(hex(new TextEncoder().encode(mixed)));
        expect(utf8Decode(new TextEncoder().encode(mixed))).toBe(mixed);
      }),
      { numRuns: 200 },
    );
  });
});
