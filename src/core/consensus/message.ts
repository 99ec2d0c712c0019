// The messages members exchange. Every message carries the sender's term; the consensus core
// reacts to terms before it looks at the type.

import type { Entry, NodeId, Snapshot } from "./entry.ts";

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Asks whether the sender could win an election at `term` without anyone changing term. */
export interface PreVote extends Envelope {
  readonly type: "preVote";
  readonly lastIndex: number;
  readonly lastTerm: number;
}

export interface Vote extends Envelope {
  readonly type: "vote";
  readonly lastIndex: number;
  readonly lastTerm: number;
  /** Set when the current leader asked the sender to take over: voters skip their lease check. */
  readonly transfer: boolean;
}

export interface VoteResponse extends Envelope {
  readonly type: "preVoteResponse" | "voteResponse";
  readonly reject: boolean;
}

export interface Append extends Envelope {
  readonly type: "append";
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  /**
   * `commit` covers every entry committed so far. A leader woken from eviction knows only a
   * lower bound until a quorum has answered it (HardState.commit lags): a recovering follower
   * may count itself caught up only through a settled commit index.
   */
  readonly settled: boolean;
}

/**
 * Acknowledges an Append or a snapshot. On success `index` is the follower's last matching index.
 * On rejection `index` is the rejected prevIndex, and `hintIndex`/`hintTerm` let the leader skip a
 * whole conflicting term at once.
 */
export interface AppendResponse extends Envelope {
  readonly type: "appendResponse";
  readonly incarnation: number;
  readonly reject: boolean;
  readonly index: number;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

/** Keeps followers quiet, carries the commit index, and confirms leadership for ReadIndex. */
export interface Heartbeat extends Envelope {
  readonly type: "heartbeat";
  readonly commit: number;
  readonly context: string | null;
}

export interface HeartbeatResponse extends Envelope {
  readonly type: "heartbeatResponse";
  readonly incarnation: number;
  readonly context: string | null;
  /** The sender lost its storage and may not remember the latest term (see Raft.isRecovering). */
  readonly recovering: boolean;
}

/**
 * The leader has nothing in flight: a follower whose log ends at `index`/`logTerm` takes `commit`
 * and stops its election timer, and does not answer. Any other message wakes it again.
 */
export interface Quiesce extends Envelope {
  readonly type: "quiesce";
  readonly index: number;
  readonly logTerm: number;
  readonly commit: number;
}

export interface InstallSnapshot extends Envelope {
  readonly type: "snapshot";
  readonly snapshot: Snapshot;
}

/** Tells the transfer target to campaign at once. */
export interface TimeoutNow extends Envelope {
  readonly type: "timeoutNow";
}

/** A follower forwarding a linearizable read to the leader. */
export interface ReadIndexRequest extends Envelope {
  readonly type: "readIndex";
  readonly context: string;
}

export interface ReadIndexResponse extends Envelope {
  readonly type: "readIndexResponse";
  readonly index: number;
  readonly context: string;
}

/**
 * From a member that lost its storage (sent until the end of the term that caught it up): forget
 * what its earlier incarnation acknowledged, and accept answers only from this one.
 */
export interface Recovering extends Envelope {
  readonly type: "recovering";
  readonly incarnation: number;
  /** The sender's commit index: it takes commits only from Appends, so the leader sends one. */
  readonly commit: number;
  /**
   * A leader has proven this incarnation caught up. Until then the leader answers with an Append
   * even when the commit indices agree (the sender may have its commit from a snapshot).
   */
  readonly caughtUp: boolean;
}

export type Message =
  | PreVote
  | Vote
  | VoteResponse
  | Append
  | AppendResponse
  | Heartbeat
  | HeartbeatResponse
  | Quiesce
  | InstallSnapshot
  | TimeoutNow
  | ReadIndexRequest
  | ReadIndexResponse
  | Recovering;

export type MessageType = Message["type"];

/** Distributes Omit over the union so each variant keeps its own fields. */
export type Outgoing = Message extends infer M
  ? M extends Message
    ? Omit<M, "from" | "term">
    : never
  : never;
