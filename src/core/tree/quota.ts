// Quotas under /zookeeper/quota, in ZooKeeper's layout and text format: a quota on /app lives in
// /zookeeper/quota/app/zookeeper_limits; its usage in .../zookeeper_stats, kept current by apply.

import { utf8Decode, utf8Encode } from "../bytes/utf8.ts";
import { failure, type ZkFailure } from "../error-code.ts";
import { isWithin, selfAndAncestors } from "./path.ts";
import type { MutableTree, TreeReader } from "./tree-store.ts";

export const quotaRoot = "/zookeeper/quota";
export const limitNodeName = "zookeeper_limits";
export const statNodeName = "zookeeper_stats";

/** ZooKeeper's StatsTrack: count/bytes (soft) and the hard limits; -1 means unset. */
export interface QuotaNumbers {
  readonly count: number;
  readonly bytes: number;
  readonly countHardLimit: number;
  readonly byteHardLimit: number;
}

export function parseQuota(data: Uint8Array): QuotaNumbers {
  const values = new Map<string, number>();
  for (const pair of utf8Decode(data).split(/[,;]+/)) {
    const [key, value] = pair.split("=");
    if (!key) continue;
    const n = Number(value === undefined || value === "" ? "-1" : value);
    values.set(key.trim(), Number.isFinite(n) ? n : -1);
  }
  const get = (k: string) => values.get(k) ?? -1;
  return {
    count: get("count"),
    bytes: get("bytes"),
    countHardLimit: get("countHardLimit"),
    byteHardLimit: get("byteHardLimit"),
  };
}

/** The stats text ZooKeeper writes: "count=N,bytes=M". */
export function formatUsage(count: number, bytes: number): Uint8Array {
  return utf8Encode(`count=${count},bytes=${bytes}`);
}

export const limitPathOf = (root: string) => `${quotaRoot}${root}/${limitNodeName}`;
export const statPathOf = (root: string) => `${quotaRoot}${root}/${statNodeName}`;

/** The deepest path with a quota covering `path`, or null (nothing under /zookeeper is counted). */
export function quotaRootFor(tree: TreeReader, path: string): string | null {
  if (isWithin(path, "/zookeeper")) return null;
  // Most trees have no quotas at all: one read instead of one per ancestor on every write.
  if ((tree.getNode(quotaRoot)?.numChildren ?? 0) === 0) return null;
  for (const p of selfAndAncestors(path)) {
    if (p === "/") return null;
    if (tree.getNode(limitPathOf(p)) !== undefined) return p;
  }
  return null;
}

/**
 * QUOTAEXCEEDED when a hard limit would be passed by adding `countDiff` nodes and `bytesDiff`
 * bytes under `path`. Unlike ZooKeeper (which reads the applied tree and can overshoot while
 * writes are in flight), `tree` here includes pending transactions.
 */
export function checkQuota(
  tree: TreeReader,
  path: string,
  bytesDiff: number,
  countDiff: number,
): ZkFailure | null {
  const root = quotaRootFor(tree, path);
  if (root === null) return null;
  const limitNode = tree.getNode(limitPathOf(root));
  const statNode = tree.getNode(statPathOf(root));
  if (limitNode === undefined || statNode === undefined) return null;
  const limits = parseQuota(limitNode.data);
  const usage = parseQuota(statNode.data);
  if (
    countDiff > 0 &&
    limits.countHardLimit > -1 &&
    usage.count + countDiff > limits.countHardLimit
  ) {
    return failure(
      "QUOTAEXCEEDED",
      `Quota exceeded on ${root}: count would be ${usage.count + countDiff}, hard limit ${limits.countHardLimit}`,
      path,
    );
  }
  if (
    bytesDiff > 0 &&
    limits.byteHardLimit > -1 &&
    usage.bytes + bytesDiff > limits.byteHardLimit
  ) {
    return failure(
      "QUOTAEXCEEDED",
      `Quota exceeded on ${root}: bytes would be ${usage.bytes + bytesDiff}, hard limit ${limits.byteHardLimit}`,
      path,
    );
  }
  return null;
}

/** Adds to the usage of the quota covering `path`; like ZooKeeper, only the stats node's data changes. */
export function chargeQuota(
  tree: MutableTree,
  path: string,
  bytesDiff: number,
  countDiff: number,
): void {
  const root = quotaRootFor(tree, path);
  if (root === null) return;
  const statPath = statPathOf(root);
  const statNode = tree.getNode(statPath);
  if (statNode === undefined) return;
  const usage = parseQuota(statNode.data);
  tree.putNode(statPath, {
    ...statNode,
    data: formatUsage(usage.count + countDiff, usage.bytes + bytesDiff),
  });
}
