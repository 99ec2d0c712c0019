// Stat, the eleven fields ZooKeeper reports for a node (in wire order, pzxid last).

import { type NodeRecord, nodeType } from "./node-record.ts";

export interface Stat {
  readonly czxid: number;
  readonly mzxid: number;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
  readonly pzxid: number;
}

/**
 * The Stat a client sees, with ZooKeeper's two translations (DataNode.copyStat): the stored
 * cversion counts creates, the reported one counts changes (creates + deletes = 2 × creates −
 * children still present); and containers and TTL nodes report ephemeralOwner 0.
 */
export function statOf(node: NodeRecord): Stat {
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: (node.cversion * 2 - node.numChildren) | 0,
    aversion: node.aversion,
    ephemeralOwner: nodeType(node.ephemeralOwner) === "ephemeral" ? node.ephemeralOwner : 0n,
    dataLength: node.data.length,
    numChildren: node.numChildren,
    pzxid: node.pzxid,
  };
}
