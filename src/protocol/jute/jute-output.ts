// ZooKeeper's jute binary encoding (BinaryOutputArchive): big-endian ints and longs, 1-byte
// booleans, length-prefixed buffers and UTF-8 strings (-1 for null), counted vectors.

export class JuteOutput {
  #bytes = new Uint8Array(256);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  int(v: number): this {
    this.#reserve(4).setInt32(this.#length, v);
    this.#length += 4;
    return this;
  }

  /** A signed 64-bit value; bigint so no id or zxid loses precision. */
  long(v: bigint | number): this {
    this.#reserve(8).setBigInt64(this.#length, BigInt.asIntN(64, BigInt(v)));
    this.#length += 8;
    return this;
  }

  bool(v: boolean): this {
    this.#reserve(1).setUint8(this.#length, v ? 1 : 0);
    this.#length += 1;
    return this;
  }

  buffer(v: Uint8Array | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    this.#reserve(v.length);
    this.#bytes.set(v, this.#length);
    this.#length += v.length;
    return this;
  }

  string(v: string | null): this {
    return this.buffer(v === null ? null : new TextEncoder().encode(v));
  }

  vector<T>(items: readonly T[] | null, write: (out: this, item: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  /** The payload with its 4-byte length prefix (one frame on a ZooKeeper connection). */
  frame(): Uint8Array {
    const out = new Uint8Array(this.#length + 4);
    new DataView(out.buffer).setInt32(0, this.#length);
    out.set(this.#bytes.subarray(0, this.#length), 4);
    return out;
  }

  #reserve(n: number): DataView {
    if (this.#length + n > this.#bytes.length) {
      let size = this.#bytes.length * 2;
      while (size < this.#length + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = next;
      this.#view = new DataView(next.buffer);
    }
    return this.#view;
  }
}
