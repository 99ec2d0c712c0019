// Reads jute records with strict bounds: a length past the packet, a negative length other than
// null's -1, or a string/buffer over the packet limit is a MARSHALLINGERROR, never a crash.

export class JuteError extends Error {
  override readonly name = "JuteError";
}

export class JuteInput {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.#bytes.length - this.#at;
  }

  int(): number {
    this.#need(4);
    const v = this.#view.getInt32(this.#at);
    this.#at += 4;
    return v;
  }

  long(): bigint {
    this.#need(8);
    const v = this.#view.getBigInt64(this.#at);
    this.#at += 8;
    return v;
  }

  bool(): boolean {
    this.#need(1);
    const v = this.#view.getUint8(this.#at);
    this.#at += 1;
    return v !== 0;
  }

  buffer(): Uint8Array | null {
    const n = this.int();
    if (n === -1) return null;
    if (n < 0) throw new JuteError(`negative length ${n}`);
    this.#need(n);
    const v = this.#bytes.slice(this.#at, this.#at + n);
    this.#at += n;
    return v;
  }

  string(): string | null {
    const b = this.buffer();
    return b === null ? null : new TextDecoder().decode(b);
  }

  /** A string that must be present (paths): null is refused. */
  text(): string {
    const s = this.string();
    if (s === null) throw new JuteError("a required string is null");
    return s;
  }

  vector<T>(read: (input: this) => T): T[] | null {
    const n = this.int();
    if (n === -1) return null;
    if (n < 0) throw new JuteError(`negative count ${n}`);
    // Every element takes at least one byte: a count past the packet is corrupt.
    if (n > this.remaining)
      throw new JuteError(`count ${n} exceeds the ${this.remaining} bytes left`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }

  #need(n: number): void {
    if (this.#at + n > this.#bytes.length) {
      throw new JuteError(
        `record truncated: needs ${n} bytes at ${this.#at} of ${this.#bytes.length}`,
      );
    }
  }
}

/** Default jute.maxbuffer: the largest packet either side accepts. */
export const maxPacketBytes = 0xfffff;

/**
 * Splits a byte stream into frames (4-byte big-endian length + payload). Feed it chunks; it
 * returns the complete frames so far and keeps the rest. A length past the limit is an error, as
 * ZooKeeper's "Len error" / "Packet len is out of range".
 */
export class FrameReader {
  #pending = new Uint8Array(0);
  readonly #limit: number;

  constructor(limit = maxPacketBytes) {
    this.#limit = limit;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#pending.length + chunk.length);
    joined.set(this.#pending);
    joined.set(chunk, this.#pending.length);
    const frames: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 4) {
      const n = new DataView(joined.buffer, at, 4).getInt32(0);
      if (n < 0 || n > this.#limit)
        throw new JuteError(`packet length ${n} is out of range (limit ${this.#limit})`);
      if (joined.length - at - 4 < n) break;
      frames.push(joined.slice(at + 4, at + 4 + n));
      at += 4 + n;
    }
    this.#pending = joined.slice(at);
    return frames;
  }
}
