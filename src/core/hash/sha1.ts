// SHA-1 (FIPS 180-4), needed only because ZooKeeper's digest ACL ids are base64(SHA1(user:pass)).

/** The 20-byte SHA-1 digest of `message`. */
export function sha1(message: Uint8Array): Uint8Array {
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Int32Array(80);
  for (const block of paddedBlocks(message)) {
    for (let t = 0; t < 16; t++) w[t] = block.getInt32(t * 4);
    for (let t = 16; t < 80; t++) {
      w[t] = rotl(
        (w[t - 3] as number) ^ (w[t - 8] as number) ^ (w[t - 14] as number) ^ (w[t - 16] as number),
        1,
      );
    }
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (rotl(a, 5) + f + e + k + (w[t] as number)) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = temp;
    }
    h[0] = ((h[0] as number) + a) | 0;
    h[1] = ((h[1] as number) + b) | 0;
    h[2] = ((h[2] as number) + c) | 0;
    h[3] = ((h[3] as number) + d) | 0;
    h[4] = ((h[4] as number) + e) | 0;
  }
  return wordsToBytes(h);
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** Splits a message into 64-byte big-endian blocks with the SHA-1/SHA-256 length padding. */
export function* paddedBlocks(message: Uint8Array): Generator<DataView> {
  const bitLength = message.length * 8;
  const total = Math.ceil((message.length + 9) / 64) * 64;
  const tail = new Uint8Array(total - Math.floor(message.length / 64) * 64);
  const wholeBlocks = Math.floor(message.length / 64);
  for (let i = 0; i < wholeBlocks; i++) {
    yield new DataView(message.buffer, message.byteOffset + i * 64, 64);
  }
  tail.set(message.subarray(wholeBlocks * 64));
  const rest = message.length - wholeBlocks * 64;
  tail[rest] = 0x80;
  const view = new DataView(tail.buffer);
  view.setUint32(tail.length - 8, Math.floor(bitLength / 0x100000000));
  view.setUint32(tail.length - 4, bitLength >>> 0);
  for (let offset = 0; offset < tail.length; offset += 64) {
    yield new DataView(tail.buffer, offset, 64);
  }
}

export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((word, i) => {
    view.setInt32(i * 4, word);
  });
  return out;
}
