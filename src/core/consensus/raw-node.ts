// The facade a host drives: feed it ticks, messages and proposals; take a Ready; do its IO in the
// order the Ready contract demands; call advance().

import type { ConsensusConfig } from "./config.ts";
import { type HardState, type NodeId, type SnapshotMeta, sameHardState } from "./entry.ts";
import { flushLeader, transferLeadership } from "./leader.ts";
import type { Membership, MembershipChange } from "./membership.ts";
import type { Message } from "./message.ts";
import type { ProgressState } from "./progress.ts";
import { type MembershipChangeResult, type ProposeResult, Raft } from "./raft.ts";
import { invariant, RaftLog } from "./raft-log.ts";
import type { Ready, SoftState } from "./ready.ts";
import type { HardStateStorage, LogStorage } from "./storage.ts";

export interface Status {
  readonly id: NodeId;
  readonly role: SoftState["role"];
  readonly term: number;
  readonly leader: NodeId | null;
  readonly vote: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  /** Timers stopped: the member needs no ticks until a message or request arrives. */
  readonly quiescent: boolean;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly progress: ReadonlyArray<{
    id: NodeId;
    match: number;
    next: number;
    state: ProgressState;
  }>;
}

export class RawNode {
  private readonly raft: Raft;
  private persistedHard: HardState;
  private lastSoft: SoftState;
  private outstanding: Ready | null = null;

  private readonly config: ConsensusConfig;
  private readonly logStorage: LogStorage;

  constructor(config: ConsensusConfig, logStorage: LogStorage, hardStateStorage: HardStateStorage) {
    this.config = config;
    this.logStorage = logStorage;
    const hard = hardStateStorage.load();
    const log = new RaftLog(logStorage, hard.commit, config.applied ?? 0, {
      voters: config.voters,
      learners: [],
    });
    this.raft = new Raft(config, log, hard);
    this.persistedHard = hard;
    this.lastSoft = this.softState();
  }

  tick(): void {
    this.idle();
    this.raft.tick();
  }

  step(message: Message): void {
    this.idle();
    invariant(
      message.to === this.config.id,
      `message for ${message.to} stepped into ${this.config.id}`,
    );
    this.raft.step(message);
  }

  propose(data: Uint8Array): ProposeResult {
    this.idle();
    return this.raft.propose(data);
  }

  /** Proposes one membership change (see Raft.proposeMembership for when it is refused). */
  proposeMembership(change: MembershipChange): MembershipChangeResult {
    this.idle();
    return this.raft.proposeMembership(change);
  }

  /** The configuration in force: the newest in this member's log, committed or not. */
  membership(): Membership {
    return this.raft.membership();
  }

  /** The configuration in force at `index` (for a snapshot taken there). */
  membershipAt(index: number): Membership {
    return this.raft.log.membershipAt(index);
  }

  /** The newest configuration this member knows to be committed. */
  committedMembership(): Membership {
    return this.raft.log.membershipAt(this.raft.log.committed);
  }

  /** Requests a linearizable read point for `context`; it arrives as a ReadState. */
  readIndex(context: string): boolean {
    this.idle();
    return this.raft.readIndex(context);
  }

  transferLeadership(to: NodeId): boolean {
    this.idle();
    return transferLeadership(this.raft, to);
  }

  /** Campaigns now instead of waiting for the election timeout. */
  campaign(): void {
    this.idle();
    this.raft.campaign(false);
  }

  /**
   * True while the member needs no ticks: its host books no timer for consensus until a message
   * arrives or it makes a request (propose, readIndex, campaign, transfer).
   */
  isQuiescent(): boolean {
    return this.raft.quiescent;
  }

  hasReady(): boolean {
    const r = this.raft;
    const leader = r.leaderRole();
    return (
      r.messages.length > 0 ||
      r.readStates.length > 0 ||
      r.log.unstableEntries().length > 0 ||
      r.log.pendingSnapshot() !== null ||
      r.log.committed > r.log.applied ||
      this.hardStateToSave() !== null ||
      !sameSoft(this.softState(), this.lastSoft) ||
      (leader !== null && (leader.broadcastPending || leader.reads.hasUnsent()))
    );
  }

  ready(): Ready {
    this.idle();
    const r = this.raft;
    const leader = r.leaderRole();
    if (leader) flushLeader(r, leader);
    const soft = this.softState();
    const committed = r.log.nextCommitted();
    const snapshot = r.log.pendingSnapshot();
    const appliedAfter = committed.at(-1)?.index ?? snapshot?.meta.index ?? r.log.applied;
    const ready: Ready = {
      softState: sameSoft(soft, this.lastSoft) ? null : soft,
      hardState: this.hardStateToSave(),
      snapshot,
      entries: r.log.unstableEntries(),
      messages: r.messages,
      committed,
      readStates: r.readStates,
      compactTo: this.compaction(appliedAfter, committed.at(-1)?.term ?? snapshot?.meta.term ?? 0),
    };
    r.messages = [];
    r.readStates = [];
    this.outstanding = ready;
    return ready;
  }

  /** Acknowledges that the outstanding Ready was handled as its contract demands. */
  advance(): void {
    const ready = this.outstanding;
    invariant(ready !== null, "advance() without an outstanding Ready");
    const log = this.raft.log;
    log.stableTo(ready.entries.at(-1)?.index ?? 0, ready.snapshot !== null);
    if (ready.snapshot) log.applied = ready.snapshot.meta.index;
    const last = ready.committed.at(-1);
    if (last) log.appliedTo(last.index);
    if (ready.hardState) this.persistedHard = ready.hardState;
    if (ready.softState) this.lastSoft = ready.softState;
    this.outstanding = null;
  }

  status(): Status {
    const r = this.raft;
    const leader = r.leaderRole();
    return {
      id: r.id,
      role: r.role.kind,
      term: r.term,
      leader: r.lead,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      quiescent: r.quiescent,
      voters: r.voters,
      learners: r.learners,
      firstIndex: r.log.firstIndex(),
      lastIndex: r.log.lastIndex(),
      progress: leader
        ? [...leader.progress].map(([id, p]) => ({
            id,
            match: p.match,
            next: p.next,
            state: p.state,
          }))
        : [],
    };
  }

  /** The term of the entry at `index` in this node's log (persisted or not), for checkers. */
  logTerm(index: number): number | undefined {
    return this.raft.log.term(index);
  }

  commitIndex(): number {
    return this.raft.log.committed;
  }

  private idle(): void {
    invariant(this.outstanding === null, "the outstanding Ready must be advanced first");
  }

  /**
   * What the next Ready must persist. A moved commit index alone is written only once the member
   * sleeps: the write would hold every answer of a busy member's Ready behind it, while a member
   * evicted after going idle — the common restart — wakes knowing its commit index exactly.
   */
  private hardStateToSave(): HardState | null {
    const hard = this.hardState();
    if (!sameHardState(hard, this.persistedHard)) return hard;
    if (this.raft.quiescent && hard.commit !== this.persistedHard.commit) return hard;
    return null;
  }

  private hardState(): HardState {
    const r = this.raft;
    if (r.has("unpersistedVote")) {
      const { term, vote } = this.persistedHard;
      return {
        term,
        vote,
        commit: r.log.committed,
        voteFloor: r.voteFloor,
        incarnation: r.incarnation,
        lead: this.persistedHard.lead,
      };
    }
    return {
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      voteFloor: r.voteFloor,
      incarnation: r.incarnation,
      lead: r.lead,
    };
  }

  /** Role, leader and term right now (a Ready reports them only when they change). */
  softState(): SoftState {
    return { role: this.raft.role.kind, leader: this.raft.lead, term: this.raft.term };
  }

  private compaction(appliedAfter: number, term: number): SnapshotMeta | null {
    const held = appliedAfter - this.logStorage.firstIndex() + 1;
    if (held < this.config.compactionThresholdEntries || this.raft.log.pendingSnapshot())
      return null;
    const { voters, learners } = this.raft.log.membershipAt(appliedAfter);
    return { index: appliedAfter, term, voters, ...(learners.length > 0 ? { learners } : {}) };
  }
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leader === b.leader && a.term === b.term;
}
