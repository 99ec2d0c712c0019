// The records Raft replicates and persists: log entries, the hard state, and snapshots.

/** Members are numbered 0..n-1, matching the Durable Object names `<ensemble>/<i>`. */
export type NodeId = number;

/**
 * One log entry. `noop` entries are appended by a new leader at the start of its term (so it can
 * commit, and serve reads); `normal` entries carry an application payload; `config` entries carry
 * a new configuration (membership.ts), in force on every member from the moment it is appended.
 */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly kind: "normal" | "noop" | "config";
  readonly data: Uint8Array;
}

/**
 * What must survive a crash besides the log: Raft's currentTerm and votedFor, plus `voteFloor`:
 * the member votes only in terms above it. It is 0 normally, and `recovering` after the member
 * lost its storage (it may have voted in terms it no longer remembers) until a
 * leader has caught it up, when it becomes that leader's term. `incarnation` is a random
 * number drawn when the storage is new: it lets a leader tell this storage's acknowledgements
 * from those of a wiped predecessor still in flight. `lead` is the leader this member knew in
 * `term` (itself when it won the term): a member woken from eviction resumes following — or
 * leading — without an election, which is what lets an idle ensemble sleep.
 */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  /**
   * A lower bound on the commit index, written only along with the other fields: Raft needs no
   * durable commit index (a restarted member relearns it from the leader), and writing it on
   * every advance would cost each applying Ready a durable write of its own — the one a leader's
   * answers would wait for. A restarted member starts from the larger of this and its state
   * machine's index.
   */
  readonly commit: number;
  readonly voteFloor: number;
  readonly incarnation: number;
  readonly lead: NodeId | null;
}

export const recovering = Number.MAX_SAFE_INTEGER;

export interface SnapshotMeta {
  /** The last log index the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** The configuration in force at `index` (learners absent: none). */
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
}

/** The application's state as of `meta.index`, as opaque bytes. */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export const emptyHardState: HardState = {
  term: 0,
  vote: null,
  commit: 0,
  voteFloor: 0,
  incarnation: 0,
  lead: null,
};

/** Equal in what must be written: a moved commit index alone never asks for a write. */
export function sameHardState(a: HardState, b: HardState): boolean {
  return (
    a.term === b.term &&
    a.vote === b.vote &&
    a.voteFloor === b.voteFloor &&
    a.incarnation === b.incarnation &&
    a.lead === b.lead
  );
}

export function entryBytes(e: Entry): number {
  return e.data.byteLength + 24;
}
