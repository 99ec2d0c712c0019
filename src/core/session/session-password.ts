// Session passwords: HMAC-SHA256 of the session id under a deployment secret, so any member can
// verify a reconnecting client and nobody without the secret can forge one (ZooKeeper seeds
// java.util.Random with the id, which anyone can reproduce).

import { utf8Encode } from "../bytes/utf8.ts";
import { hmacSha256 } from "../hash/hmac.ts";

export const sessionPasswordBytes = 16;

export function sessionPassword(secret: Uint8Array, sessionId: bigint): Uint8Array {
  const message = utf8Encode(`edgekeeper-session:${BigInt.asUintN(64, sessionId).toString(16)}`);
  return hmacSha256(secret, message).subarray(0, sessionPasswordBytes);
}

/** Compares in time independent of where the first difference is. */
export function passwordMatches(
  secret: Uint8Array,
  sessionId: bigint,
  offered: Uint8Array,
): boolean {
  const expected = sessionPassword(secret, sessionId);
  if (offered.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++)
    diff |= (expected[i] as number) ^ (offered[i] as number);
  return diff === 0;
}
