// The knobs of the znode tree and session table, with ZooKeeper-like defaults.

import type { Membership } from "../consensus/membership.ts";

export interface TreeConfig {
  /** Largest data of one node, and of all data in one multi (ZooKeeper's jute.maxbuffer). */
  readonly maxDataBytes: number;
  /** Longest path, in UTF-16 code units. ZooKeeper bounds it only by the packet size. */
  readonly maxPathLength: number;
  readonly maxAclEntries: number;
  readonly maxMultiOps: number;
  /** Whether TTL nodes may be created (ZooKeeper's extendedTypesEnabled). */
  readonly ttlNodesEnabled: boolean;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** "super:<base64 sha1>" grants every permission to whoever authenticates as it. */
  readonly superDigest?: string | undefined;
  /** How many zxids of change history persistent watches can resume across. */
  readonly changeLogZxids: number;
  /** Bytes of data and names one read reply may carry (the member's maxReplyBytes limit). */
  readonly maxReplyBytes: number;
  /** Open sessions in the ensemble (maxSessions). */
  readonly maxSessions: number;
  /** Ephemeral nodes one session may own (maxEphemeralsPerSession). */
  readonly maxEphemeralsPerSession: number;
  /** Znodes in the whole tree (maxZnodes). */
  readonly maxZnodes: number;
  /** Bytes of data in the whole tree (maxTreeBytes). */
  readonly maxTreeBytes: number;
  /**
   * The members an ensemble's tree starts with, named in /zookeeper/config (config-node.ts);
   * the same on every member of one ensemble. Absent: the node starts empty.
   */
  readonly initialMembers?: Membership | undefined;
}

export const defaultTreeConfig: TreeConfig = {
  maxDataBytes: 1024 * 1024,
  maxPathLength: 4096,
  maxAclEntries: 64,
  maxMultiOps: 1000,
  ttlNodesEnabled: true,
  minSessionTimeoutMs: 4000,
  maxSessionTimeoutMs: 40000,
  changeLogZxids: 10000,
  maxReplyBytes: 1024 * 1024,
  maxSessions: 20_000,
  maxEphemeralsPerSession: 1_000,
  maxZnodes: 10_000_000,
  maxTreeBytes: 8 * 1024 ** 3,
};
