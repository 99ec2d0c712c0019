// The one home of edgekeeper's access rules. HTTP routes, the JSON session protocol and the
// ZooKeeper wire all call these for authentication (tokens, digest, super, ip), session
// passwords, scopes, and authorization of watch registration, watch delivery, replays, long
// polls and snapshots — so a rule cannot differ between protocols.

import { base64Encode } from "../core/bytes/base64.ts";
import { failure, type ZkFailure } from "../core/error-code.ts";
import { hmacSha256 } from "../core/hash/hmac.ts";
import { type Acl, type AuthId, checkPermission, Perm, permits } from "../core/tree/acl.ts";
import { authenticate as proveCredential } from "../core/tree/auth.ts";
import { parseIp } from "../core/tree/ip-address.ts";
import { validatePath } from "../core/tree/path.ts";
import type { TreeEvent } from "../core/tree/tree-event.ts";
import type { ZnodeTree } from "../core/tree/znode-tree.ts";
import { decodeData } from "../protocol/data-encoding.ts";
import type { AccessConfig, Scope } from "./access-config.ts";

/** Who is calling, as the Worker established it from the bearer token. */
export interface Principal {
  /** The token's name; "" when auth is off. Sessions belong to the principal that made them. */
  readonly name: string;
  readonly scope: Scope;
  /** The ensembles it may reach; absent: every one. */
  readonly ensembles?: readonly string[];
}

/** Headers the Worker sets on what it forwards to a member; a client's own are dropped first. */
export const forwardedHeaders = {
  principal: "x-edgekeeper-principal",
  scope: "x-edgekeeper-scope",
  clientIp: "x-edgekeeper-client-ip",
} as const;

const scopeRank: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

export function scopeAllows(have: Scope, need: Scope): boolean {
  return scopeRank[have] >= scopeRank[need];
}

/** The scope a route needs: admin pages need admin, changes to the tree write, the rest read. */
export function requiredScope(method: string, pathname: string): Scope {
  if (pathname.startsWith("/v1/admin/") || pathname === "/metrics") return "admin";
  // Creating, listing and deleting ensembles is the operator's.
  if (pathname === "/v1/ensembles" || pathname.startsWith("/v1/ensembles/")) return "admin";
  if (method === "GET" || method === "HEAD") return "read";
  if (pathname === "/v1/multi-read" || pathname === "/v1/sync") return "read";
  // Sessions are a reader's too: watches and ephemerals-free locks of a reader need one.
  if (pathname === "/v1/sessions" || pathname.startsWith("/v1/sessions/")) return "read";
  return "write";
}

/**
 * The bearer token's principal. The token comes from `Authorization: Bearer`, or — only on a
 * WebSocket upgrade, which browsers cannot give headers — from `?access_token=`.
 */
export function identify(config: AccessConfig, request: Request): Principal | ZkFailure {
  if (!config.authOn) return { name: "", scope: "admin" };
  const header = request.headers.get("authorization") ?? "";
  const upgrade = request.headers.get("upgrade")?.toLowerCase() === "websocket";
  const fromQuery = upgrade ? (new URL(request.url).searchParams.get("access_token") ?? "") : "";
  const offered = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : fromQuery;
  if (offered === "") {
    return failure(
      "AUTHFAILED",
      upgrade
        ? "Missing bearer token (Authorization: Bearer <token>, or ?access_token= on a WebSocket upgrade)"
        : "Missing bearer token (Authorization: Bearer <token>)",
    );
  }
  // Every token is compared, so the time taken does not say which one nearly matched.
  let found: Principal | undefined;
  for (const t of config.tokens) {
    if (sameText(t.secret, offered) && !found)
      found = t.ensembles
        ? { name: t.name, scope: t.scope, ensembles: t.ensembles }
        : { name: t.name, scope: t.scope };
  }
  return found ?? failure("AUTHFAILED", "Invalid bearer token");
}

/**
 * The refusal for a caller whose token is limited to other ensembles than `ensemble`, the one the
 * request is for. Managing ensembles (/v1/ensembles) needs a token that reaches every one.
 */
export function ensembleRefusal(
  principal: Principal,
  ensemble: string,
  pathname: string,
): ZkFailure | null {
  const allowed = principal.ensembles;
  // Who the token is may be asked anywhere: that is how a client learns where it may go.
  if (allowed === undefined || pathname === "/v1/whoami") return null;
  if (pathname === "/v1/ensembles" || pathname.startsWith("/v1/ensembles/"))
    return failure("NOAUTH", "Managing ensembles needs a token that is not limited to ensembles");
  if (allowed.includes(ensemble)) return null;
  return failure(
    "NOAUTH",
    `This token is limited to ensemble${allowed.length === 1 ? "" : "s"} ${allowed.join(", ")}`,
  );
}

/** The refusal for a caller whose token's scope is short of `need`. */
export function scopeRefusal(have: Scope, need: Scope, what: string): ZkFailure | null {
  if (scopeAllows(have, need)) return null;
  return failure("NOAUTH", `This token has scope ${have}; ${what} needs scope ${need}`);
}

/**
 * The client's address, from where this deployment can trust it (CLIENT_IP_SOURCE), or
 * undefined: then the caller has no `ip` identity and matches no `ip` ACL.
 */
export function clientAddress(config: AccessConfig, headers: Headers): string | undefined {
  if (config.clientIpSource === "loopback") return "127.0.0.1";
  if (config.clientIpSource === "none") return undefined;
  const claimed = headers.get("cf-connecting-ip")?.trim();
  return claimed && parseIp(claimed) !== null ? claimed : undefined;
}

/** The identities every caller starts with: its address, when known. */
export function baseIdentities(ip: string | undefined): AuthId[] {
  return ip === undefined ? [] : [{ scheme: "ip", id: ip }];
}

/** ZooKeeper's addauth, the same for every protocol: digest, and super via SUPER_DIGEST. */
export function authenticate(
  config: AccessConfig,
  scheme: string,
  credential: string,
): AuthId[] | ZkFailure {
  return proveCredential(scheme, credential, { superDigest: config.superDigest });
}

/** Identities from an `X-Auth-Digest: user:password[, …]` header (the HTTP API's addauth). */
export function digestIdentities(
  config: AccessConfig,
  header: string | null,
): AuthId[] | ZkFailure {
  const ids: AuthId[] = [];
  if (header === null) return ids;
  for (const credential of header.split(",")) {
    const proven = authenticate(config, "digest", credential.trim());
    if ("name" in proven) return proven;
    ids.push(...proven);
  }
  return ids;
}

export const sessionPasswordBytes = 16;

/**
 * A session's password: HMAC-SHA256 of its id and owner under the session key. Nobody without
 * the key can compute one, and a session cannot be resumed under another token.
 */
export function sessionPassword(
  config: AccessConfig,
  sessionId: bigint,
  owner: string,
  key: Uint8Array = config.sessionKeys[0] as Uint8Array,
): Uint8Array {
  const id = BigInt.asUintN(64, sessionId).toString(16);
  const message = new TextEncoder().encode(`edgekeeper-session:${id}:${owner}`);
  return hmacSha256(key, message).subarray(0, sessionPasswordBytes);
}

/** A session's password as the JSON protocols carry it: base64. */
export function sessionPasswordText(
  config: AccessConfig,
  sessionId: bigint,
  owner: string,
): string {
  return base64Encode(sessionPassword(config, sessionId, owner));
}

/** Checks a base64 password (HTTP header, JSON connect frame); malformed text matches nothing. */
export function passwordTextMatches(
  config: AccessConfig,
  sessionId: bigint,
  owner: string,
  text: string,
): boolean {
  const offered = decodeData(text, "base64");
  return !("name" in offered) && passwordMatches(config, sessionId, owner, offered);
}

/** Checks a password against the current key, then the previous one (rotation's grace). */
export function passwordMatches(
  config: AccessConfig,
  sessionId: bigint,
  owner: string,
  offered: Uint8Array,
): boolean {
  let match = false;
  for (const key of config.sessionKeys) {
    const expected = sessionPassword(config, sessionId, owner, key);
    if (offered.length !== expected.length) continue;
    let diff = 0;
    for (let i = 0; i < expected.length; i++)
      diff |= (expected[i] as number) ^ (offered[i] as number);
    if (diff === 0) match = true;
  }
  return match;
}

/**
 * Whether a watch may be set on `path` (getData/exists/getChildren watch, addWatch, setWatches):
 * the path must be valid, and an existing node readable — ZooKeeper 3.9.2 checks READ at addWatch.
 */
export function watchRefusal(
  tree: ZnodeTree,
  path: string,
  authIds: readonly AuthId[],
): ZkFailure | null {
  const bad = validatePath(path);
  if (bad) return bad;
  const node = tree.store.getNode(path);
  return node ? checkPermission(node.acl, Perm.READ, authIds, path) : null;
}

/**
 * Events a watcher may hear: an event reached through a persistent or recursive watch needs READ
 * on the event's node — its ACL now, or the ACL it had when deleted (CVE-2024-23944's rule,
 * applied to every persistent delivery). A one-shot watch's own event was checked when it was set.
 * `batch` lends the ACLs of nodes deleted among the same events.
 */
export function mayHear(
  tree: ZnodeTree,
  authIds: readonly AuthId[],
  event: TreeEvent,
  batch: ReadonlyMap<string, readonly Acl[]> = new Map(),
): boolean {
  const acl = aclOfEvent(tree, event, batch);
  return acl !== undefined && permits(acl, Perm.READ, authIds);
}

/** Path → ACL of every node these events deleted (the last deletion wins). */
export function deletedAcls(events: readonly TreeEvent[]): Map<string, readonly Acl[]> {
  const acls = new Map<string, readonly Acl[]>();
  for (const e of events) if (e.type === "NodeDeleted" && e.acl) acls.set(e.path, e.acl);
  return acls;
}

/** The events of `events` a caller with `authIds` may hear (long polls and replays). */
export function visibleEvents(
  tree: ZnodeTree,
  authIds: readonly AuthId[],
  events: readonly TreeEvent[],
): TreeEvent[] {
  const batch = deletedAcls(events);
  return events.filter((e) => mayHear(tree, authIds, e, batch));
}

function aclOfEvent(
  tree: ZnodeTree,
  event: TreeEvent,
  batch: ReadonlyMap<string, readonly Acl[]>,
): readonly Acl[] | undefined {
  if (event.type === "NodeDeleted" && event.acl) return event.acl;
  return tree.store.getNode(event.path)?.acl ?? batch.get(event.path);
}

/**
 * A snapshot holds the whole tree, so it needs what ZooKeeper's snapshot command needs: an
 * authenticated caller (digest or super) granted every permission on `/`.
 */
export function snapshotRefusal(tree: ZnodeTree, authIds: readonly AuthId[]): ZkFailure | null {
  const authenticated = authIds.some((a) => a.scheme === "digest" || a.scheme === "super");
  if (!authenticated) {
    return failure(
      "NOAUTH",
      "A snapshot needs an authenticated caller (X-Auth-Digest) with ALL on /",
      "/",
    );
  }
  const root = tree.store.getNode("/");
  const bits = [Perm.READ, Perm.WRITE, Perm.CREATE, Perm.DELETE, Perm.ADMIN];
  if (root && bits.every((bit) => permits(root.acl, bit, authIds))) return null;
  return failure("NOAUTH", "A snapshot needs ALL on /", "/");
}

/** Compares in time that does not depend on where the strings first differ. */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
