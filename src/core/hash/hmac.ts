// HMAC-SHA256 (RFC 2104): keyed hashing for secrets that every member must derive identically.

import { sha256 } from "./sha256.ts";

const blockBytes = 64;

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k = new Uint8Array(blockBytes);
  k.set(key.length > blockBytes ? sha256(key) : key);
  const inner = new Uint8Array(blockBytes + message.length);
  const outer = new Uint8Array(blockBytes + 32);
  for (let i = 0; i < blockBytes; i++) {
    inner[i] = (k[i] as number) ^ 0x36;
    outer[i] = (k[i] as number) ^ 0x5c;
  }
  inner.set(message, blockBytes);
  outer.set(sha256(inner), blockBytes);
  return sha256(outer);
}
