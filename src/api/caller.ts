// Who is calling: the session (proven by its password), its write sequence number, the identities
// for ACL checks, and which member serves it.

import { failure, type ZkFailure } from "../core/error-code.ts";
import { passwordMatches } from "../core/session/session-password.ts";
import type { AuthId } from "../core/tree/acl.ts";
import { authenticate } from "../core/tree/auth.ts";
import { type Env, sessionSecret } from "../env.ts";

export interface Caller {
  readonly sessionId?: bigint;
  readonly seq?: number;
  readonly authIds: AuthId[];
  /** The member that serves this caller: a session always lands on the same one. */
  readonly member: number;
}

export function parseSessionId(text: string): bigint | null {
  const t = text.trim();
  if (!/^(0x[0-9a-fA-F]{1,16}|\d{1,20})$/.test(t)) return null;
  const id = BigInt(t);
  return id > 0n && id < 1n << 64n ? id : null;
}

export function memberFor(env: Env, sessionId?: bigint): number {
  const size = Number(env.ENSEMBLE_SIZE);
  return sessionId === undefined ? 0 : Number(sessionId % BigInt(size));
}

export function callerOf(headers: Headers, env: Env): Caller | ZkFailure {
  const authIds: AuthId[] = [{ scheme: "ip", id: headers.get("cf-connecting-ip") ?? "127.0.0.1" }];
  const digest = headers.get("x-auth-digest");
  if (digest !== null) {
    for (const credential of digest.split(",")) {
      const ids = authenticate("digest", credential.trim(), { superDigest: env.SUPER_DIGEST });
      if ("name" in ids) return ids;
      authIds.push(...ids);
    }
  }
  const sessionHeader = headers.get("x-session-id");
  if (sessionHeader === null) return { authIds, member: memberFor(env) };
  const sessionId = parseSessionId(sessionHeader);
  if (sessionId === null)
    return failure("BADARGUMENTS", `X-Session-Id "${sessionHeader}" is not a 64-bit id`);
  const password = headers.get("x-session-password") ?? "";
  let offered: Uint8Array;
  try {
    offered = Uint8Array.from(atob(password), (ch) => ch.charCodeAt(0));
  } catch {
    return failure("AUTHFAILED", "X-Session-Password is not base64");
  }
  if (!passwordMatches(sessionSecret(env), sessionId, offered)) {
    return failure("AUTHFAILED", `Wrong password for session 0x${sessionId.toString(16)}`);
  }
  const seqHeader = headers.get("x-session-seq");
  const seq = seqHeader === null ? undefined : Number(seqHeader);
  if (seq !== undefined && !(Number.isSafeInteger(seq) && seq > 0)) {
    return failure("BADARGUMENTS", "X-Session-Seq must be a positive integer");
  }
  return seq === undefined
    ? { sessionId, authIds, member: memberFor(env, sessionId) }
    : { sessionId, seq, authIds, member: memberFor(env, sessionId) };
}
