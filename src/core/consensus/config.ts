// Settings of one consensus node, and the planted bugs the simulator uses to prove its checkers.

import type { Rng } from "../random.ts";
import type { NodeId } from "./entry.ts";

/** Known-bad variants of the algorithm. Only tests enable them. */
export type Mutant =
  /** Grant votes without checking that the candidate's log is at least as up to date. */
  | "voteWithoutLogCheck"
  /**
   * A leader woken from eviction lets a recovering follower count as caught up through a commit
   * index it has not yet re-learned (the commit index is not persisted on every advance).
   */
  | "unsettledRecovery"
  /** Commit an entry from an earlier term once a majority holds it (Raft paper, figure 8). */
  | "commitPreviousTerm"
  /** Leave term and vote out of the Ready, so they are not persisted before the vote goes out. */
  | "unpersistedVote"
  /** Install a snapshot even when it is older than what the node has committed. */
  | "staleSnapshot"
  /** A quiescent leader stays quiescent when it takes a proposal (no heartbeats, no retries). */
  | "proposalKeepsQuiescent"
  /**
   * A member woken from quiescence by a candidate grants that candidate's votes without the log
   * check ("everyone was caught up when we slept").
   */
  | "quiescentVoteWithoutLogCheck"
  /** Candidates ask learners for votes and count their answers as a voter's. */
  | "learnerVotes"
  /** A new leader proposes a membership change before it has committed an entry of its term. */
  | "configBeforeOwnTermCommit";

export interface ConsensusConfig {
  readonly id: NodeId;
  /**
   * The voters the ensemble started with, the same on every member (a member added later is not
   * among them). The configuration in force comes from the log and the snapshot once they hold
   * one (membership.ts); this is only what precedes them.
   */
  readonly voters: readonly NodeId[];
  /** Followers campaign after a random timeout in [electionTicks, 2 × electionTicks). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /**
   * Election jitter and the storage incarnation come from here. Seed it from real entropy in
   * production: a member restarted with the same stream would draw the same incarnation.
   */
  readonly random: Rng;
  /** Most entries in one Append. */
  readonly maxEntriesPerAppend: number;
  /** Most payload bytes in one Append (one entry is always allowed). */
  readonly maxBytesPerAppend: number;
  /** Appends in flight to one follower before the leader waits for acknowledgements. */
  readonly maxInflightAppends: number;
  /** Proposals refused while this many entries are uncommitted (the follower side is slow). */
  readonly maxUncommittedEntries: number;
  /** Ask the application to snapshot and compact once this many entries are applied past the snapshot. */
  readonly compactionThresholdEntries: number;
  /** The index the application's state machine already reflects at start (0 = from the snapshot). */
  readonly applied?: number;
  /**
   * The member starts on empty storage although the ensemble already ran: it may have voted in
   * terms it no longer remembers, so it neither votes nor campaigns until a leader has brought it
   * up to date, and then only in later terms (recorded durably as HardState.voteFloor).
   */
  readonly amnesiac?: boolean;
  readonly mutants?: ReadonlySet<Mutant>;
}

export const defaultTuning = {
  electionTicks: 10,
  heartbeatTicks: 2,
  maxEntriesPerAppend: 256,
  maxBytesPerAppend: 1024 * 1024,
  maxInflightAppends: 8,
  maxUncommittedEntries: 10_000,
  compactionThresholdEntries: 10_000,
} as const;
