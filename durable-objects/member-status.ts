// The admin read-out of one member: consensus position, log and snapshot, tree totals, faults.

import { sameMembership } from "../src/core/consensus/membership.ts";
import type { CostCounts } from "./cost-counters.ts";
import type { CpuReading } from "./cpu-meter.ts";
import type { LinkFaults } from "./fault-switch.ts";
import type { ForwardCounts } from "./forward-batches.ts";
import type { Replica, ReplicaCounters } from "./replica.ts";
import type { TransferRecord } from "./snapshot-transfers.ts";
import type { TrafficReading } from "./traffic-meter.ts";

export interface MemberStatus {
  readonly id: number;
  readonly role: string;
  readonly term: number;
  readonly leader: number | null;
  /** The configuration in force at this member: the newest in its log (consensus.md). */
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  /** Whether that configuration is committed (a change made, not only proposed). */
  readonly membershipCommitted: boolean;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /** The applied index the tree's rows in SQLite hold; a restart applies the log after it. */
  readonly flushedIndex: number;
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
  /**
   * False after a restart left this member behind what it may have served (its commit index is
   * written lazily), until one read point has caught it up: clients wait for that.
   */
  readonly caughtUp: boolean;
  /** Consensus needs no ticks: nothing is in flight and the member books no tick alarm. */
  readonly quiescent: boolean;
  /** The alarm the member has booked (epoch ms), or null: nothing is due. */
  readonly alarmAtMs: number | null;
  readonly counters: ReplicaCounters;
  /** Writes this member forwarded to a leader, and the RPCs they went in (forward-batches.ts). */
  readonly forwards: ForwardCounts;
  /** Time per step of the write path since the member woke (cpu-meter.ts; local runs only). */
  readonly cpu: CpuReading;
  /** What Cloudflare bills, counted since the member's storage was created (see cost.md). */
  readonly costs: CostCounts;
  readonly faults: LinkFaults;
  /** When this member last heard from each peer, by member id (epoch ms; absent: not since it woke). */
  readonly heardFromMs: Readonly<Record<number, number>>;
  /** Client operations served here over the last minutes (the dashboard's chart). */
  readonly traffic: TrafficReading;
  /** The location hint the member was created with (null: none, near the first request). */
  readonly region: string | null;
}

export interface MemberShell {
  readonly heardFromMs: Readonly<Record<number, number>>;
  readonly region: string | null;
  readonly faults: LinkFaults;
  readonly connections: number;
  readonly watches: number;
  readonly storageBytes: number;
  readonly costs: CostCounts;
  readonly alarmAtMs: number | null;
  readonly forwards: ForwardCounts;
}

export function statusOf(replica: Replica, shell: MemberShell): MemberStatus {
  const s = replica.consensusStatus();
  const meta = replica.tree.meta();
  const membership = replica.membership();
  return {
    id: replica.id,
    role: s.role,
    term: s.term,
    leader: s.leader,
    voters: s.voters,
    learners: s.learners,
    membershipCommitted: sameMembership(membership.current, membership.committed),
    commitIndex: s.commit,
    appliedIndex: meta.lastZxid,
    flushedIndex: replica.flushedIndex,
    lastIndex: s.lastIndex,
    snapshotIndex: replica.raftStorage.firstIndex() - 1,
    logEntries: replica.raftStorage.entryCount(),
    storageBytes: shell.storageBytes,
    snapshotSent: replica.snapshots.lastSent,
    snapshotReceived: replica.snapshots.lastReceived,
    digest: meta.digest.toString(),
    nodeCount: meta.nodeCount,
    dataBytes: meta.dataBytes,
    sessions: replica.sessionCount,
    connections: shell.connections,
    watches: shell.watches,
    pipelined: replica.pipelined,
    caughtUp: replica.caughtUp,
    quiescent: s.quiescent,
    alarmAtMs: shell.alarmAtMs,
    counters: replica.counters,
    forwards: shell.forwards,
    cpu: replica.meter.reading(),
    costs: structuredClone(shell.costs),
    faults: shell.faults,
    heardFromMs: shell.heardFromMs,
    traffic: replica.traffic.reading(),
    region: shell.region,
  };
}
