// A fast 64-bit non-cryptographic fingerprint for tree digests: members compare digests to detect
// divergence, so it must be cheap on every write and identical everywhere, not secret.

/** Streams bytes and strings into two independent 32-bit murmur-style lanes. */
export class Fingerprint {
  #a = 0x9747b28c;
  #b = 0x2545f491;
  #length = 0;

  bytes(data: Uint8Array): this {
    this.int(data.length);
    // Each word goes through both lanes, which are kept in locals rather than fields (a node's data
    // is most of what a write fingerprints). `| 0` keeps the lanes 32-bit integers for the
    // compiler; every later use truncates to 32 bits anyway, so no value changes.
    let a = this.#a;
    let b = this.#b;
    for (let i = 0; i < data.length; i++) {
      const word = data[i] as number;
      a = Math.imul(a ^ word, 0xcc9e2d51);
      a = (((a << 15) | (a >>> 17)) + 0xe6546b64) | 0;
      b = Math.imul(b ^ word, 0x1b873593);
      b = (((b << 13) | (b >>> 19)) + 0x85ebca6b) | 0;
    }
    this.#a = a;
    this.#b = b;
    this.#length += data.length;
    return this;
  }

  text(value: string): this {
    this.int(value.length);
    // Over locals, as in bytes(): a path's characters are most of what a node fingerprints
    // besides its data.
    let a = this.#a;
    let b = this.#b;
    for (let i = 0; i < value.length; i++) {
      const word = value.charCodeAt(i);
      a = Math.imul(a ^ word, 0xcc9e2d51);
      a = (((a << 15) | (a >>> 17)) + 0xe6546b64) | 0;
      b = Math.imul(b ^ word, 0x1b873593);
      b = (((b << 13) | (b >>> 19)) + 0x85ebca6b) | 0;
    }
    this.#a = a;
    this.#b = b;
    this.#length += value.length;
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
    let a = this.#a;
    let b = this.#b;
    a = Math.imul(a ^ first, 0xcc9e2d51);
    a = (((a << 15) | (a >>> 17)) + 0xe6546b64) | 0;
    b = Math.imul(b ^ first, 0x1b873593);
    b = (((b << 13) | (b >>> 19)) + 0x85ebca6b) | 0;
    a = Math.imul(a ^ second, 0xcc9e2d51);
    a = (((a << 15) | (a >>> 17)) + 0xe6546b64) | 0;
    b = Math.imul(b ^ second, 0x1b873593);
    b = (((b << 13) | (b >>> 19)) + 0x85ebca6b) | 0;
    this.#a = a;
    this.#b = b;
    this.#length += 2;
  }
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
