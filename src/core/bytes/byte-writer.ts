// A growable big-endian binary writer: the one encoding behind log entries and snapshots, so the
// same value always produces the same bytes.

import { utf8Encode } from "./utf8.ts";

/**
 * Buffers of writers that finished, lent to the next ones: a write encodes its command, result
 * and stats through several writers, and allocating a buffer (and its view) for each was ≈ 2 % of
 * the members' thread under sets. Writers nest but never interleave on one buffer: each holds
 * its own until finish() hands it back (one never finished is simply collected).
 */
const spareBytes = 16 * 1024;
const sparesMax = 8;
const spares: Array<{ buffer: Uint8Array; view: DataView }> = [];
const finishedView = new DataView(new ArrayBuffer(0));

export class ByteWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  /** `capacity`: the bytes expected, so a large value is not copied through doubling buffers. */
  constructor(capacity = 256) {
    if (capacity <= spareBytes) {
      const spare = spares.pop() ?? fresh(spareBytes);
      this.#buffer = spare.buffer;
      this.#view = spare.view;
    } else {
      this.#buffer = new Uint8Array(capacity);
      this.#view = new DataView(this.#buffer.buffer);
    }
  }

  get length(): number {
    return this.#length;
  }

  u8(value: number): this {
    this.#reserve(1);
    this.#view.setUint8(this.#length, value);
    this.#length += 1;
    return this;
  }

  i32(value: number): this {
    this.#reserve(4);
    this.#view.setInt32(this.#length, value);
    this.#length += 4;
    return this;
  }

  /** A safe integer (zxids, times, sizes); float64 holds every one exactly. */
  int(value: number): this {
    if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value);
    this.#length += 8;
    return this;
  }

  i64(value: bigint): this {
    this.#reserve(8);
    this.#view.setBigInt64(this.#length, BigInt.asIntN(64, value));
    this.#length += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.int(value.length);
    this.#reserve(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  text(value: string): this {
    return this.bytes(utf8Encode(value));
  }

  /** The same bytes as `bytes(inner)` where `write` would have written `inner`, without the copy. */
  nested(write: (w: this) => void): this {
    this.#reserve(8);
    const at = this.#length;
    this.#length += 8;
    write(this);
    this.#view.setFloat64(at, this.#length - at - 8);
    return this;
  }

  /** A copy of the bytes written; the writer's buffer goes back to the spares. */
  finish(): Uint8Array {
    const bytes = this.#buffer.slice(0, this.#length);
    if (this.#buffer.length === spareBytes && spares.length < sparesMax)
      spares.push({ buffer: this.#buffer, view: this.#view });
    // Any later write starts a new buffer (the copy is exactly full), never the lent one.
    this.#buffer = bytes;
    this.#view = finishedView;
    return bytes;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
    this.#view = new DataView(next.buffer);
  }
}

function fresh(size: number): { buffer: Uint8Array; view: DataView } {
  const buffer = new Uint8Array(size);
  return { buffer, view: new DataView(buffer.buffer) };
}
