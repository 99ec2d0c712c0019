// A client session as the replicated state holds it, and how its id and timeout are chosen.

import type { TreeConfig } from "../tree/tree-config.ts";

export interface SessionRecord {
  /** 64-bit id (56 significant bits); kept as a bigint so no layer can round it. */
  readonly id: bigint;
  readonly timeoutMs: number;
  /** The zxid of the createSession transaction. */
  readonly createdZxid: number;
  /**
   * The session's last applied write: its sequence number, zxid and encoded result. A retried
   * write (same sequence number, say after a leader change) is answered from here instead of
   * being applied twice. 0 / empty before the first.
   */
  readonly lastSeq: number;
  readonly lastZxid: number;
  readonly lastResult: Uint8Array;
}

const mask56 = (1n << 56n) - 1n;

/**
 * The session id created at `zxid`: a bijective 56-bit mix of the zxid, so ids are unique
 * without coordination, look unrelated to each other, and exercise the full 64-bit path (most
 * exceed 2^53). The top byte stays 0 so no id collides with the container or TTL markers.
 */
export function sessionIdFor(zxid: number): bigint {
  let x = BigInt(zxid) & mask56;
  x = ((x ^ (x >> 29n)) * 0xbf58476d1ce4e5bn) & mask56;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111bn) & mask56;
  x = x ^ (x >> 31n);
  return x;
}

/** Clamps a requested timeout into [min, max], as ZooKeeper's processConnectRequest does. */
export function negotiateTimeout(requestedMs: number, config: TreeConfig): number {
  const requested = Number.isFinite(requestedMs) ? Math.trunc(requestedMs) : 0;
  return Math.min(config.maxSessionTimeoutMs, Math.max(config.minSessionTimeoutMs, requested));
}
