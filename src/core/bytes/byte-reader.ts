// The reader for ByteWriter's encoding; every read is bounds-checked so corrupt bytes throw
// instead of producing a plausible value.

import { utf8Decode } from "./utf8.ts";

/** A read ran past the end of the bytes (more may be on their way: a stream split mid-record). */
export class TruncatedBytes extends Error {
  override name = "TruncatedBytes";
}

export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.#offset >= this.#bytes.length;
  }

  /** How many bytes have been read. */
  get offset(): number {
    return this.#offset;
  }

  u8(): number {
    this.#need(1);
    const v = this.#view.getUint8(this.#offset);
    this.#offset += 1;
    return v;
  }

  i32(): number {
    this.#need(4);
    const v = this.#view.getInt32(this.#offset);
    this.#offset += 4;
    return v;
  }

  int(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.#offset);
    this.#offset += 8;
    if (!Number.isSafeInteger(v)) throw new Error(`corrupt integer at ${this.#offset - 8}`);
    return v;
  }

  i64(): bigint {
    this.#need(8);
    const v = this.#view.getBigInt64(this.#offset);
    this.#offset += 8;
    return v;
  }

  /** A copy: what a decoder keeps (node data) must not pin or share the buffer it came from. */
  bytes(): Uint8Array {
    return this.view().slice();
  }

  /** The same bytes without a copy, for what is decoded at once and dropped (a nested record). */
  view(): Uint8Array {
    const length = this.int();
    this.#need(length);
    const v = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return v;
  }

  text(): string {
    return utf8Decode(this.view());
  }

  #need(n: number): void {
    if (n < 0) throw new Error(`corrupt length ${n} at ${this.#offset}`);
    if (this.#offset + n > this.#bytes.length) {
      throw new TruncatedBytes(
        `truncated: need ${n} bytes at ${this.#offset} of ${this.#bytes.length}`,
      );
    }
  }
}
