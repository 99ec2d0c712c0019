// Who is calling an HTTP route: the session (proven by its password, and owned by the caller's
// token), its write sequence number, the identities for ACL checks, and which member serves it.
// Every rule comes from the gatekeeper, which the socket protocols call too.

import {
  baseIdentities,
  clientAddress,
  digestIdentities,
  passwordTextMatches,
} from "../access/gatekeeper.ts";
import { failure, type ZkFailure } from "../core/error-code.ts";
import type { AuthId } from "../core/tree/acl.ts";
import type { Env } from "../env.ts";
import { gateMember, memberIds } from "./member-ids.ts";
import { nearestMemberOf } from "./nearest-member.ts";
import type { Ctx } from "./respond.ts";

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

/** The member an HTTP session's requests go to (without one: the lowest voter). */
export function memberFor(env: Env, sessionId?: bigint): number {
  if (sessionId === undefined) return gateMember(env);
  const ids = memberIds(env);
  return ids[Number(sessionId % BigInt(ids.length))] ?? gateMember(env);
}

/** The caller of this request; `headers` replaces the request's own (a path-named session). */
export function callerOf(c: Ctx, headers: Headers = c.req.raw.headers): Caller | ZkFailure {
  const access = c.get("access");
  const digests = digestIdentities(access, headers.get("x-auth-digest"));
  if ("name" in digests) return digests;
  const authIds = [...baseIdentities(clientAddress(access, headers)), ...digests];
  const sessionHeader = headers.get("x-session-id");
  // Without a session any member serves: the nearest, when the edge says which that is.
  if (sessionHeader === null) return { authIds, member: nearestMemberOf(c) ?? memberFor(c.env) };
  const sessionId = parseSessionId(sessionHeader);
  if (sessionId === null)
    return failure("BADARGUMENTS", `X-Session-Id "${sessionHeader}" is not a 64-bit id`);
  const password = headers.get("x-session-password") ?? "";
  if (!passwordTextMatches(access, sessionId, c.get("principal").name, password)) {
    return failure("AUTHFAILED", `Wrong password for session 0x${sessionId.toString(16)}`);
  }
  const seqHeader = headers.get("x-session-seq");
  const seq = seqHeader === null ? undefined : Number(seqHeader);
  if (
    seq !== undefined &&
    !(/^\d+$/.test(seqHeader ?? "") && Number.isSafeInteger(seq) && seq > 0)
  ) {
    return failure("BADARGUMENTS", "X-Session-Seq must be a positive integer");
  }
  return seq === undefined
    ? { sessionId, authIds, member: memberFor(c.env, sessionId) }
    : { sessionId, seq, authIds, member: memberFor(c.env, sessionId) };
}
