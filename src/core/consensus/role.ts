// A member's role as a discriminated union: leader-only state exists only on the leader.

import type { NodeId } from "./entry.ts";
import type { Progress } from "./progress.ts";
import type { ReadOnlyQueue } from "./read-only.ts";

export interface FollowerRole {
  readonly kind: "follower";
}

export interface CandidateRole {
  /** A pre-candidate asks for votes at term + 1 without changing anyone's term. */
  readonly kind: "preCandidate" | "candidate";
  readonly votes: Map<NodeId, boolean>;
}

export interface LeaderRole {
  readonly kind: "leader";
  readonly progress: Map<NodeId, Progress>;
  readonly reads: ReadOnlyQueue;
  /** Reads that arrived before this leader committed an entry of its own term. */
  readonly waitingReads: Array<{ context: string; from: NodeId }>;
  /**
   * Reads wait until the commit index reaches this: a leader resumed after a restart may have
   * committed more than its persisted commit index says, up to its last entry at resumption.
   */
  readonly readFloor: number;
  /**
   * A resumed leader is unconfirmed until a quorum that remembers its terms (no member that lost
   * its storage) answers a heartbeat in its term: until then a newer term may exist that it has
   * not heard of, so it sends no Appends and commits nothing. Elected leaders start confirmed.
   */
  confirmed: boolean;
  readonly confirmations: Set<NodeId>;
  /** The member leadership is being handed to (abandoned after an election timeout). */
  transferee: NodeId | null;
  /** New entries or a new commit index not yet sent to followers (sent together, in flush). */
  broadcastPending: boolean;
}

export type Role = FollowerRole | CandidateRole | LeaderRole;

export type RoleKind = Role["kind"];
