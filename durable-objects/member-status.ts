// The admin read-out of one member: consensus position, log and snapshot, tree totals, faults.

import type { LinkFaults } from "./fault-switch.ts";
import type { Replica, ReplicaCounters } from "./replica.ts";
import type { TransferRecord } from "./snapshot-transfers.ts";

export interface MemberStatus {
  readonly id: number;
  readonly role: string;
  readonly term: number;
  readonly leader: number | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly logEntries: number;
  /** The member's SQLite database: tree, log and snapshot copies. */
  readonly storageBytes: number;
  /** The latest snapshot this member streamed to a lagging peer, or received from the leader. */
  readonly snapshotSent: TransferRecord | null;
  readonly snapshotReceived: TransferRecord | null;
  /** The tree digest as a decimal string (a 64-bit value). */
  readonly digest: string;
  readonly nodeCount: number;
  readonly dataBytes: number;
  readonly sessions: number;
  readonly connections: number;
  readonly watches: number;
  readonly pipelined: number;
  readonly counters: ReplicaCounters;
  readonly faults: LinkFaults;
}

export function statusOf(
  replica: Replica,
  faults: LinkFaults,
  clients: { connections: number; watches: number },
  storageBytes: number,
): MemberStatus {
  const s = replica.node.status();
  const meta = replica.tree.meta();
  return {
    id: replica.id,
    role: s.role,
    term: s.term,
    leader: s.leader,
    commitIndex: s.commit,
    appliedIndex: meta.lastZxid,
    lastIndex: s.lastIndex,
    snapshotIndex: replica.raftStorage.firstIndex() - 1,
    logEntries: replica.raftStorage.entryCount(),
    storageBytes,
    snapshotSent: replica.snapshots.lastSent,
    snapshotReceived: replica.snapshots.lastReceived,
    digest: meta.digest.toString(),
    nodeCount: meta.nodeCount,
    dataBytes: meta.dataBytes,
    sessions: replica.tree.store.sessionsAfter(undefined, 1_000_000).length,
    connections: clients.connections,
    watches: clients.watches,
    pipelined: replica.pipeline.size,
    counters: { ...replica.counters },
    faults,
  };
}
