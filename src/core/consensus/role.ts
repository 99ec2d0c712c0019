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
  /** The member leadership is being handed to (abandoned after an election timeout). */
  transferee: NodeId | null;
  /** New entries or a new commit index not yet sent to followers (sent together, in flush). */
  broadcastPending: boolean;
}

export type Role = FollowerRole | CandidateRole | LeaderRole;

export type RoleKind = Role["kind"];
