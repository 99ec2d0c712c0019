// A fast 64-bit non-cryptographic fingerprint for tree digests: members compare digests to detect
// divergence, so it must be cheap on every write and identical everywhere, not secret.

/**
 * How bytes and text become words. 1 mixed a word per byte or code unit; 2 (the current) packs
 * four bytes or two code units into each word: a quarter of the steps for a node's data. A
 * stored digest and a snapshot say which they were taken with; version 1 checks old backups.
 */
export type FingerprintVersion = 1 | 2;

/** Streams bytes and strings into two independent 32-bit murmur-style lanes. */
export class Fingerprint {
  #a = 0x9747b28c;
  #b = 0x2545f491;
  #length = 0;
  readonly #version: FingerprintVersion;

  constructor(version: FingerprintVersion = 2) {
    this.#version = version;
  }

  bytes(data: Uint8Array): this {
    this.int(data.length);
    // The lanes in locals rather than fields while the loop runs (a node's data is most of what a
    // write fingerprints); laneA and laneB are small enough for the compiler to inline.
    let a = this.#a;
    let b = this.#b;
    const n = data.length;
    let i = 0;
    if (this.#version === 2) {
      for (const whole = n & ~3; i < whole; i += 4) {
        const word =
          (data[i] as number) |
          ((data[i + 1] as number) << 8) |
          ((data[i + 2] as number) << 16) |
          ((data[i + 3] as number) << 24);
        a = laneA(a, word);
        b = laneB(b, word);
      }
      // The last one to three bytes as one word: the length, mixed first, tells them apart.
      if (i < n) {
        let word = 0;
        for (let shift = 0; i < n; i++, shift += 8) word |= (data[i] as number) << shift;
        a = laneA(a, word);
        b = laneB(b, word);
      }
    } else {
      for (; i < n; i++) {
        const word = data[i] as number;
        a = laneA(a, word);
        b = laneB(b, word);
      }
    }
    this.#a = a;
    this.#b = b;
    this.#length += n;
    return this;
  }

  /** Code units, as bytes() takes bytes: a path's characters are most of the rest of a node. */
  text(value: string): this {
    this.int(value.length);
    let a = this.#a;
    let b = this.#b;
    const n = value.length;
    let i = 0;
    if (this.#version === 2) {
      for (const whole = n & ~1; i < whole; i += 2) {
        const word = value.charCodeAt(i) | (value.charCodeAt(i + 1) << 16);
        a = laneA(a, word);
        b = laneB(b, word);
      }
      if (i < n) {
        const word = value.charCodeAt(i);
        a = laneA(a, word);
        b = laneB(b, word);
      }
    } else {
      for (; i < n; i++) {
        const word = value.charCodeAt(i);
        a = laneA(a, word);
        b = laneB(b, word);
      }
    }
    this.#a = a;
    this.#b = b;
    this.#length += n;
    return this;
  }

  /** Any safe integer (zxids, times), mixed as two 32-bit halves. */
  int(value: number): this {
    this.#mix2(value >>> 0, Math.floor(value / 0x100000000) >>> 0);
    return this;
  }

  big(value: bigint): this {
    const unsigned = BigInt.asUintN(64, value);
    this.#mix2(Number(unsigned & 0xffffffffn), Number(unsigned >> 32n));
    return this;
  }

  /** The final 64-bit value, as an unsigned bigint. */
  value(): bigint {
    const a = finalize(this.#a ^ this.#length);
    const b = finalize(this.#b ^ Math.imul(this.#length, 0x27d4eb2f));
    return (BigInt(a >>> 0) << 32n) | BigInt(b >>> 0);
  }

  /** Two words in turn through both lanes (every int and bigint is two). */
  #mix2(first: number, second: number): void {
    this.#a = laneA(laneA(this.#a, first), second);
    this.#b = laneB(laneB(this.#b, first), second);
    this.#length += 2;
  }
}

/** One word into lane a. `| 0` keeps it a 32-bit integer for the compiler; no value changes. */
function laneA(a: number, word: number): number {
  const m = Math.imul(a ^ word, 0xcc9e2d51);
  return (((m << 15) | (m >>> 17)) + 0xe6546b64) | 0;
}

/** One word into lane b. */
function laneB(b: number, word: number): number {
  const m = Math.imul(b ^ word, 0x1b873593);
  return (((m << 13) | (m >>> 19)) + 0x85ebca6b) | 0;
}

function finalize(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}
