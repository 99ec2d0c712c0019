// The Raft state machine: terms, elections (with PreVote and CheckQuorum leases), and the
// follower's side of replication. The leader's side lives in leader.ts.

import type { ConsensusConfig, Mutant } from "./config.ts";
import { type Entry, type HardState, type NodeId, recovering, type Snapshot } from "./entry.ts";
import {
  absorbWhileQuiescent,
  becomeLeader,
  followMembership,
  handleReadIndex,
  maybeCommit,
  quorumHealthy,
  resumeLeadership,
  stepLeader,
  tickLeader,
  wakeLeader,
} from "./leader.ts";
import {
  changeMembership,
  encodeMembership,
  isMember,
  isVoter,
  type Membership,
  type MembershipChange,
  majorityOf,
} from "./membership.ts";
import type { Message, Outgoing } from "./message.ts";
import type { RaftLog } from "./raft-log.ts";
import type { ReadState } from "./ready.ts";
import type { LeaderRole, Role } from "./role.ts";

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | {
      readonly ok: false;
      readonly reason: "notLeader" | "transferring" | "overloaded";
      readonly leader: NodeId | null;
    };

export type MembershipChangeResult =
  | ProposeResult
  | {
      readonly ok: false;
      /**
       * `unsettled`: this leader has not yet committed an entry of its own term, or the last
       * change is not committed (retry shortly); `removesLeader`: hand leadership over first;
       * `behind`: the learner to promote has not caught up; `unhealthy`: too few voters would be
       * up and whole afterwards to elect or commit; `invalid`: see `message`.
       */
      readonly reason: "unsettled" | "removesLeader" | "behind" | "unhealthy" | "invalid";
      readonly leader: NodeId | null;
      readonly message: string;
    };

export class Raft {
  readonly id: NodeId;
  /** The configuration in force (the newest in the log), and what follows from it. */
  voters: readonly NodeId[] = [];
  learners: readonly NodeId[] = [];
  quorum = 1;
  private membershipVersion = -1;
  term: number;
  vote: NodeId | null;
  lead: NodeId | null = null;
  role: Role = { kind: "follower" };
  electionElapsed = 0;
  heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Outgoing messages and read results, drained by each Ready. */
  messages: Message[] = [];
  readStates: ReadState[] = [];
  /** Votes are granted only in terms above this (see HardState.voteFloor). */
  voteFloor: number;
  /**
   * Timers stopped because nothing is in flight: a quiescent leader sends no heartbeats and a
   * quiescent follower runs no election timer. Any message or request wakes the member.
   */
  quiescent = false;
  /** Who last woke this member from quiescence, until a leader is heard; read only by a mutant. */
  private wokenBy: NodeId | null = null;
  readonly incarnation: number;

  readonly config: ConsensusConfig;
  readonly log: RaftLog;

  constructor(config: ConsensusConfig, log: RaftLog, hard: HardState) {
    this.config = config;
    this.log = log;
    this.id = config.id;
    this.syncMembership();
    this.term = hard.term;
    this.vote = hard.vote;
    this.voteFloor = config.amnesiac ? recovering : hard.voteFloor;
    this.incarnation = hard.incarnation || config.random.int(1, 2 ** 31 - 1);
    this.resetTimers();
    // Woken from eviction: follow (or lead) the term's known leader, asleep until something
    // happens. Both are safe: a term has one leader, and the log it led with is durable.
    if (hard.lead !== null && this.voters.includes(hard.lead) && this.voteFloor !== recovering) {
      if (hard.lead === this.id) {
        if (this.promotable()) resumeLeadership(this);
      } else {
        this.lead = hard.lead;
        this.quiescent = true;
      }
    }
    // Not a member (yet, or any more): nothing to time until a leader makes contact.
    if (!isMember(this.membership(), this.id)) this.quiescent = true;
  }

  membership(): Membership {
    return this.log.membership();
  }

  /**
   * Takes up the configuration the log now ends with: who counts, who is sent to. A member that
   * is no longer a voter gives up a candidacy; a leader tracks exactly the new members.
   */
  syncMembership(): void {
    if (this.log.membershipVersion === this.membershipVersion) return;
    this.membershipVersion = this.log.membershipVersion;
    const m = this.log.membership();
    this.voters = m.voters;
    this.learners = m.learners;
    this.quorum = majorityOf(m.voters.length);
    this.peerIds = [...m.voters, ...m.learners].filter((v) => v !== this.id);
    this.voterPeerIds = m.voters.filter((v) => v !== this.id);
    if (this.role.kind === "preCandidate" || this.role.kind === "candidate") {
      if (!isVoter(m, this.id)) this.becomeFollower(this.term, null);
    }
    const role = this.leaderRole();
    if (role) followMembership(this, role);
  }

  has(mutant: Mutant): boolean {
    return this.config.mutants?.has(mutant) ?? false;
  }

  send(message: Outgoing, term = this.term): void {
    this.messages.push({ ...message, from: this.id, term } as Message);
  }

  /** Every other member, voter or learner; kept with the configuration, read on every flush. */
  peerIds: readonly NodeId[] = [];
  /** The other voters: whom an election asks. */
  voterPeerIds: readonly NodeId[] = [];

  peers(): readonly NodeId[] {
    return this.peerIds;
  }

  /**
   * A member may campaign if it is a voter, unless it lost its storage and has not been caught up
   * since. (A leader never sends a member the entry that removes it, so a removed member never
   * holds a log newer than the voters' because of its own removal.)
   */
  promotable(): boolean {
    return this.voteFloor !== recovering && this.voters.includes(this.id);
  }

  leaderRole(): LeaderRole | null {
    return this.role.kind === "leader" ? this.role : null;
  }

  // ---- role changes -------------------------------------------------------------------------

  private resetTimers(): void {
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    const base = this.config.electionTicks;
    this.randomizedElectionTimeout = base + this.config.random.int(0, base - 1);
  }

  private resetTerm(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.resetTimers();
  }

  becomeFollower(term: number, lead: NodeId | null): void {
    this.resetTerm(term);
    this.role = { kind: "follower" };
    this.lead = lead;
  }

  private becomePreCandidate(): void {
    // Changes neither term nor vote: a pre-election must not disturb anyone.
    this.role = { kind: "preCandidate", votes: new Map() };
    this.lead = null;
  }

  private becomeCandidate(): void {
    this.resetTerm(this.term + 1);
    this.vote = this.id;
    this.role = { kind: "candidate", votes: new Map() };
  }

  /** Only the leader code calls this, to start its term with fresh timers. */
  resetForLeadership(): void {
    this.resetTerm(this.term);
    this.lead = this.id;
  }

  // ---- timers -------------------------------------------------------------------------------

  tick(): void {
    if (this.quiescent) return;
    if (this.role.kind === "leader") {
      tickLeader(this, this.role);
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed < this.randomizedElectionTimeout) return;
    if (this.promotable()) {
      this.electionElapsed = 0;
      this.campaign(false);
    } else if (!this.voters.includes(this.id)) {
      // A learner (or a member not yet added) cannot campaign: it sleeps after an election
      // timeout without a word from a leader, which wakes it with its next message.
      this.electionElapsed = 0;
      this.quiescent = true;
    }
  }

  /** Starts an election: a pre-vote first, unless a leader handed over (`transfer`). */
  campaign(transfer: boolean): void {
    if (this.role.kind === "leader" || !this.promotable()) return;
    this.quiescent = false;
    if (transfer) this.startElection("candidate", true);
    else this.startElection("preCandidate", false);
  }

  private startElection(kind: "preCandidate" | "candidate", transfer: boolean): void {
    if (kind === "preCandidate") this.becomePreCandidate();
    else this.becomeCandidate();
    const term = kind === "preCandidate" ? this.term + 1 : this.term;
    if (this.recordVote(this.id, true) === "won") return;
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    const asked = this.has("learnerVotes") ? this.peers() : this.voterPeerIds;
    for (const to of asked) {
      if (kind === "preCandidate") this.send({ type: "preVote", to, lastIndex, lastTerm }, term);
      else this.send({ type: "vote", to, lastIndex, lastTerm, transfer }, term);
    }
  }

  /** Counts a vote; moves on to the next phase when the outcome is decided. */
  private recordVote(from: NodeId, granted: boolean): "won" | "lost" | "pending" {
    if (this.role.kind !== "preCandidate" && this.role.kind !== "candidate") return "pending";
    const { votes } = this.role;
    // Only the voters of the configuration in force count (a learner may answer all the same).
    if (!this.voters.includes(from) && !this.has("learnerVotes")) return "pending";
    if (!votes.has(from)) votes.set(from, granted);
    let yes = 0;
    for (const v of votes.values()) if (v) yes++;
    const no = votes.size - yes;
    if (yes >= this.quorum) {
      if (this.role.kind === "preCandidate") this.startElection("candidate", false);
      else becomeLeader(this);
      return "won";
    }
    if (no >= this.quorum) {
      this.becomeFollower(this.term, null);
      return "lost";
    }
    return "pending";
  }

  // ---- messages -----------------------------------------------------------------------------

  /**
   * CheckQuorum lease: while a member hears from a leader, a disruptive candidate is ignored. A
   * quiescent follower has heard nothing for an unknown time, so it holds no lease: a member
   * that needs a leader and cannot reach the old one can be elected at once.
   */
  private inLease(): boolean {
    if (this.lead === null) return false;
    if (this.lead === this.id) return true;
    return !this.quiescent && this.electionElapsed < this.config.electionTicks;
  }

  /**
   * Restarts the timers; a waking leader tells its followers it is alive (`announce`). A
   * follower woken by anything but its leader's Append, heartbeat or snapshot has still not
   * heard from the leader: its lease stays expired (`leaseExpired`), so a candidate that needs
   * it now is not kept waiting.
   */
  wake(announce: boolean, leaseExpired = false): void {
    if (!this.quiescent) return;
    this.quiescent = false;
    const role = this.leaderRole();
    // A leader's election clock is its CheckQuorum round, which starts afresh.
    this.electionElapsed = leaseExpired && !role ? this.config.electionTicks : 0;
    this.heartbeatElapsed = 0;
    if (role) wakeLeader(this, role, announce);
  }

  step(m: Message): void {
    const wasQuiescent = this.quiescent;
    const inLease = this.inLease();
    const role = this.leaderRole();
    if (wasQuiescent && role && m.term === this.term && absorbWhileQuiescent(this, role, m)) return;
    // Only the leader's own leader messages renew the lease: a vote request from the member
    // this one followed means that member no longer leads.
    if (m.type !== "quiesce") this.wake(true, !(leaderMessage(m) && m.from === this.lead));
    if (wasQuiescent && !this.quiescent) this.wokenBy = m.from;
    if (leaderMessage(m)) this.wokenBy = null;
    if (m.term > this.term) {
      if (m.type === "preVote" || m.type === "vote") {
        const force = m.type === "vote" && m.transfer;
        if (!force && inLease) return;
      }
      if (m.type === "preVote" || (m.type === "preVoteResponse" && !m.reject)) {
        // A pre-vote at a higher term changes nobody's term; a granted one echoes the asked term.
      } else if (leaderMessage(m)) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if (m.type === "append" || m.type === "heartbeat" || m.type === "quiesce") {
        // A stale leader: tell it the current term so it steps down (it may not otherwise learn
        // it, since the lease makes us ignore its votes).
        this.send({
          type: "appendResponse",
          incarnation: this.incarnation,
          to: m.from,
          reject: false,
          index: 0,
          hintIndex: 0,
          hintTerm: 0,
        });
      } else if (m.type === "preVote") {
        this.send({ type: "preVoteResponse", to: m.from, reject: true });
      }
      return;
    }

    if (m.type === "preVote" || m.type === "vote") {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role.kind) {
      case "leader":
        stepLeader(this, this.role, m);
        return;
      case "preCandidate":
      case "candidate":
        this.stepCandidate(m);
        return;
      case "follower":
        this.stepFollower(m);
        return;
    }
  }

  private handleVoteRequest(m: Extract<Message, { type: "preVote" | "vote" }>): void {
    const responseType = m.type === "preVote" ? "preVoteResponse" : "voteResponse";
    const canVote =
      this.vote === m.from ||
      (this.vote === null && this.lead === null) ||
      (m.type === "preVote" && m.term > this.term);
    const upToDate =
      this.has("voteWithoutLogCheck") ||
      (this.wokenBy === m.from && this.has("quiescentVoteWithoutLogCheck")) ||
      this.log.isUpToDate(m.lastIndex, m.lastTerm);
    if (canVote && upToDate && m.term > this.voteFloor) {
      this.send({ type: responseType, to: m.from, reject: false }, m.term);
      if (m.type === "vote") {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: responseType, to: m.from, reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case "append":
      case "heartbeat":
      case "quiesce":
      case "snapshot":
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case "preVoteResponse":
      case "voteResponse":
        if ((m.type === "preVoteResponse") === (this.role.kind === "preCandidate")) {
          this.recordVote(m.from, !m.reject);
        }
        return;
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    // Once caught up, this incarnation is known to the leader: a quiesce needs no reminder.
    const reminds = m.type !== "quiesce" || this.voteFloor === recovering;
    if (leaderMessage(m) && reminds && this.isRecovering()) {
      this.send({
        type: "recovering",
        to: m.from,
        incarnation: this.incarnation,
        commit: this.log.committed,
        caughtUp: this.voteFloor !== recovering,
      });
    }
    switch (m.type) {
      case "append":
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case "heartbeat":
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case "quiesce":
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleQuiesce(m);
        return;
      case "snapshot":
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m.from, m.snapshot);
        return;
      case "timeoutNow":
        this.campaign(true);
        return;
      case "readIndexResponse":
        this.readStates.push({ index: m.index, context: m.context });
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Extract<Message, { type: "append" }>): void {
    if (m.prevIndex < this.log.committed) {
      // Overtaken (by a snapshot, say), and perhaps the proof of recovery all the same.
      this.maybeCaughtUp(m, this.log.committed);
      this.send({
        type: "appendResponse",
        incarnation: this.incarnation,
        to: m.from,
        reject: false,
        index: this.log.committed,
        hintIndex: 0,
        hintTerm: 0,
      });
      return;
    }
    const lastNew = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
    this.syncMembership();
    if (lastNew !== null) {
      this.maybeCaughtUp(m, lastNew);
      this.send({
        type: "appendResponse",
        incarnation: this.incarnation,
        to: m.from,
        reject: false,
        index: lastNew,
        hintIndex: 0,
        hintTerm: 0,
      });
      return;
    }
    const hint = this.log.findConflictByTerm(
      Math.min(m.prevIndex, this.log.lastIndex()),
      m.prevTerm,
    );
    this.send({
      type: "appendResponse",
      incarnation: this.incarnation,
      to: m.from,
      reject: true,
      index: m.prevIndex,
      hintIndex: hint.index,
      hintTerm: hint.term,
    });
  }

  private handleHeartbeat(m: Extract<Message, { type: "heartbeat" }>): void {
    // While recovering, the leader may still credit us with entries we lost: take a commit index
    // only from Appends, which prove the entries below it match.
    if (!this.isRecovering()) this.log.commitTo(m.commit);
    this.send({
      type: "heartbeatResponse",
      incarnation: this.incarnation,
      to: m.from,
      context: m.context,
      recovering: this.isRecovering(),
    });
  }

  /**
   * Sleeps only when this log ends where the leader's does. In the same term a follower never
   * lacks what the leader counted as acknowledged (a wiped one says `recovering` instead), so a
   * quiesce that does not match is an old one, overtaken by entries since: ignored.
   */
  private handleQuiesce(m: Extract<Message, { type: "quiesce" }>): void {
    const caughtUp =
      this.voteFloor !== recovering &&
      this.log.lastIndex() === m.index &&
      this.log.term(m.index) === m.logTerm;
    if (!caughtUp) return;
    this.log.commitTo(m.commit);
    this.quiescent = true;
  }

  private handleSnapshot(from: NodeId, snapshot: Snapshot): void {
    if (this.restore(snapshot)) {
      this.send({
        type: "appendResponse",
        incarnation: this.incarnation,
        to: from,
        reject: false,
        index: this.log.lastIndex(),
        hintIndex: 0,
        hintTerm: 0,
      });
    } else {
      this.send({
        type: "appendResponse",
        incarnation: this.incarnation,
        to: from,
        reject: false,
        index: this.log.committed,
        hintIndex: 0,
        hintTerm: 0,
      });
    }
  }

  /** Installs a leader's snapshot unless the log already covers it. */
  private restore(snapshot: Snapshot): boolean {
    const { index, term } = snapshot.meta;
    if (!this.has("staleSnapshot")) {
      if (index <= this.log.committed) return false;
      if (this.log.matchTerm(index, term)) {
        this.log.commitTo(index);
        return false;
      }
    }
    this.log.restore(snapshot);
    this.syncMembership();
    return true;
  }

  /** Lost storage, and not yet past the term in which a leader caught this member up. */
  private isRecovering(): boolean {
    return this.voteFloor === recovering || this.voteFloor === this.term;
  }

  /**
   * Recovered once we hold (through `held`) everything the leader has committed through an entry
   * of its own term, which covers every entry our lost storage may have helped commit — if the
   * leader knows its commit index (a leader woken from eviction re-learns it first).
   */
  private maybeCaughtUp(m: Extract<Message, { type: "append" }>, held: number): void {
    if (this.voteFloor !== recovering) return;
    if (m.settled && held >= m.commit && this.log.term(m.commit) === m.term) {
      this.voteFloor = this.term;
    }
  }

  // ---- requests from the host ---------------------------------------------------------------

  propose(data: Uint8Array): ProposeResult {
    const role = this.leaderRole();
    if (!role) return { ok: false, reason: "notLeader", leader: this.lead };
    if (!this.has("proposalKeepsQuiescent")) this.wake(false);
    if (role.transferee !== null) return { ok: false, reason: "transferring", leader: this.lead };
    if (this.log.lastIndex() - this.log.committed >= this.config.maxUncommittedEntries) {
      return { ok: false, reason: "overloaded", leader: this.lead };
    }
    const entry = this.appendEntry(role, "normal", data);
    return { ok: true, index: entry.index, term: entry.term };
  }

  /**
   * Proposes one change of membership (Raft's single-server change). The new configuration is in
   * force from the moment it is appended, on the leader now and on each member when the entry
   * reaches it. Refused until this leader has committed an entry of its own term (the fix for
   * single-server changes across a leader change) and while an earlier change is uncommitted.
   */
  proposeMembership(change: MembershipChange): MembershipChangeResult {
    const role = this.leaderRole();
    if (!role) return { ok: false, reason: "notLeader", leader: this.lead };
    this.wake(false);
    const refuse = (
      reason: "unsettled" | "removesLeader" | "behind" | "unhealthy" | "invalid",
      message: string,
    ) => ({ ok: false, reason, leader: this.lead, message }) as const;
    if (role.transferee !== null) return { ok: false, reason: "transferring", leader: this.lead };
    if (this.log.term(this.log.committed) !== this.term && !this.has("configBeforeOwnTermCommit"))
      return refuse("unsettled", "this leader has not yet committed an entry of its own term");
    if (this.log.membershipIndex() > this.log.committed)
      return refuse("unsettled", "the previous membership change is not committed yet");
    if (change.type === "remove" && change.node === this.id)
      return refuse("removesLeader", "transfer leadership before removing the leader");
    const next = changeMembership(this.membership(), change);
    if (typeof next === "string") return refuse("invalid", next);
    if (change.type === "promote") {
      const match = role.progress.get(change.node)?.match ?? 0;
      if (match + this.config.maxEntriesPerAppend < this.log.lastIndex())
        return refuse("behind", `learner ${change.node} holds the log only to ${match}`);
    }
    if (!quorumHealthy(this, role, next.voters))
      return refuse(
        "unhealthy",
        `too few of voters ${next.voters.join(", ")} are reachable and hold their data`,
      );
    if (this.log.lastIndex() - this.log.committed >= this.config.maxUncommittedEntries)
      return { ok: false, reason: "overloaded", leader: this.lead };
    const entry = this.appendEntry(role, "config", encodeMembership(next));
    this.syncMembership();
    maybeCommit(this, role);
    return { ok: true, index: entry.index, term: entry.term };
  }

  /** Appends to the leader's own log; followers receive it at the next flush. */
  appendEntry(role: LeaderRole, kind: Entry["kind"], data: Uint8Array): Entry {
    const entry: Entry = { index: this.log.lastIndex() + 1, term: this.term, kind, data };
    this.log.append([entry]);
    role.progress.get(this.id)?.maybeUpdate(entry.index);
    role.broadcastPending = true;
    return entry;
  }

  /** Asks for a linearizable read point; false when no leader is known (retry later). */
  readIndex(context: string): boolean {
    this.wake(true);
    const role = this.leaderRole();
    if (role) {
      handleReadIndex(this, role, context, this.id);
      return true;
    }
    if (this.lead === null) return false;
    this.send({ type: "readIndex", to: this.lead, context });
    return true;
  }
}

/** Messages only a leader sends: they name the sender as the term's leader. */
function leaderMessage(m: Message): boolean {
  return (
    m.type === "append" || m.type === "heartbeat" || m.type === "quiesce" || m.type === "snapshot"
  );
}
