// ZooKeeper access control lists: the five permissions, the world/auth/digest/ip schemes, the
// create-time expansion of `auth`, and the check every operation runs against a node's list.

import { failure, type ZkFailure } from "../error-code.ts";
import { ipMatches, parseIpPattern } from "./ip-address.ts";

export const Perm = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

/** An identity a session has proven (scheme `digest`, `ip`, or the `super` marker). */
export interface AuthId {
  readonly scheme: string;
  readonly id: string;
}

export interface Acl {
  readonly perms: number;
  readonly scheme: string;
  readonly id: string;
}

export const openAcl: readonly Acl[] = [{ perms: Perm.ALL, scheme: "world", id: "anyone" }];
export const readOnlyAcl: readonly Acl[] = [{ perms: Perm.READ, scheme: "world", id: "anyone" }];
export const creatorAllAcl: readonly Acl[] = [{ perms: Perm.ALL, scheme: "auth", id: "" }];

/**
 * Validates an ACL list for create/setACL and expands `auth` entries into the caller's
 * authenticated ids, as ZooKeeper's PrepRequestProcessor.fixupACL does (duplicates removed).
 */
export function fixupAcl(
  path: string,
  acl: readonly Acl[],
  authIds: readonly AuthId[],
): Acl[] | ZkFailure {
  const invalid = (why: string) => failure("INVALIDACL", `Invalid ACL for ${path}: ${why}`, path);
  const unique = dedupe(acl);
  if (unique.length === 0) return invalid("the list is empty");
  const out: Acl[] = [];
  for (const entry of unique) {
    if (!Number.isInteger(entry.perms) || entry.perms < 0 || entry.perms > Perm.ALL) {
      return invalid(`perms ${entry.perms} is not a combination of READ|WRITE|CREATE|DELETE|ADMIN`);
    }
    if (entry.scheme === "world") {
      if (entry.id !== "anyone") return invalid(`world id must be "anyone", not "${entry.id}"`);
      out.push(entry);
    } else if (entry.scheme === "auth") {
      const proven = authIds.filter((a) => a.scheme === "digest");
      if (proven.length === 0)
        return invalid("scheme auth needs an authenticated (digest) session");
      for (const a of proven) out.push({ perms: entry.perms, scheme: a.scheme, id: a.id });
    } else if (entry.scheme === "digest") {
      if (!/^[^:]+:[^:]+$/.test(entry.id)) return invalid(`digest id must be user:base64hash`);
      out.push(entry);
    } else if (entry.scheme === "ip") {
      if (parseIpPattern(entry.id) === null)
        return invalid(`"${entry.id}" is not an ip address or addr/bits`);
      out.push(entry);
    } else {
      return invalid(`unknown scheme "${entry.scheme}"`);
    }
  }
  return dedupe(out);
}

/** True when `authIds` grant any bit of `perm` on a node with `acl` (ZooKeeperServer.checkACL). */
export function permits(acl: readonly Acl[], perm: number, authIds: readonly AuthId[]): boolean {
  if (acl.length === 0) return true;
  if (authIds.some((a) => a.scheme === "super")) return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    if (entry.scheme === "world" && entry.id === "anyone") return true;
    for (const a of authIds) {
      if (a.scheme !== entry.scheme) continue;
      if (entry.scheme === "digest" && a.id === entry.id) return true;
      if (entry.scheme === "ip" && ipMatches(entry.id, a.id)) return true;
    }
  }
  return false;
}

/** The NOAUTH failure for `path`, or null when allowed. */
export function checkPermission(
  acl: readonly Acl[],
  perm: number,
  authIds: readonly AuthId[],
  path: string,
): ZkFailure | null {
  return permits(acl, perm, authIds)
    ? null
    : failure("NOAUTH", `Not authorized for ${permNames(perm)} on ${path}`, path);
}

/** What getACL shows a caller without ADMIN: digest hashes replaced by "x", as ZooKeeper does. */
export function maskDigests(acl: readonly Acl[]): Acl[] {
  return acl.map((a) => (a.scheme === "digest" ? { ...a, id: a.id.replace(/:.*/s, ":x") } : a));
}

export function permNames(perm: number): string {
  const names = (Object.keys(Perm) as Array<keyof typeof Perm>).filter(
    (name) => name !== "ALL" && (perm & Perm[name]) !== 0,
  );
  return names.join("|") || "no permission";
}

function dedupe(acl: readonly Acl[]): Acl[] {
  const seen = new Set<string>();
  const out: Acl[] = [];
  for (const a of acl) {
    const key = `${a.perms}\u0000${a.scheme}\u0000${a.id}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(a);
    }
  }
  return out;
}
