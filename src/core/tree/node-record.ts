// One znode as the tree stores it: ZooKeeper's persisted stat plus data, ACL and child count.

import type { Acl } from "./acl.ts";

/**
 * `ephemeralOwner` uses ZooKeeper's encoding (a signed 64-bit value): 0 for persistent nodes, the
 * owning session id for ephemerals, `containerOwner` for containers, `ttlOwner(ms)` for TTL nodes.
 */
export interface NodeRecord {
  readonly data: Uint8Array;
  readonly acl: readonly Acl[];
  readonly czxid: number;
  readonly mzxid: number;
  readonly pzxid: number;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly numChildren: number;
}

/** ZooKeeper's EphemeralType.CONTAINER_EPHEMERAL_OWNER (Long.MIN_VALUE). */
export const containerOwner = -(1n << 63n);
const ttlMarker = 0xffn << 56n;
/** The largest TTL ZooKeeper can encode in ephemeralOwner (40 bits of milliseconds). */
export const maxTtlMs = 0xffffffffff;

export function ttlOwner(ttlMs: number): bigint {
  return BigInt.asIntN(64, ttlMarker | BigInt(ttlMs));
}

export type NodeType = "persistent" | "ephemeral" | "container" | "ttl";

export function nodeType(owner: bigint): NodeType {
  if (owner === 0n) return "persistent";
  if (owner === containerOwner) return "container";
  if ((BigInt.asUintN(64, owner) & (0xffn << 56n)) === ttlMarker) return "ttl";
  return "ephemeral";
}

export function ttlOf(owner: bigint): number {
  return Number(BigInt.asUintN(64, owner) & 0xffffffffffn);
}

/** 32-bit signed increment, as Java's int arithmetic wraps (versions and cversion are ints). */
export function nextInt32(value: number): number {
  return (value + 1) | 0;
}

/** A fresh record for a node created at `zxid`. */
export function newRecord(
  data: Uint8Array,
  acl: readonly Acl[],
  ephemeralOwner: bigint,
  zxid: number,
  timeMs: number,
): NodeRecord {
  return {
    data,
    acl,
    czxid: zxid,
    mzxid: zxid,
    pzxid: zxid,
    ctime: timeMs,
    mtime: timeMs,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner,
    numChildren: 0,
  };
}
