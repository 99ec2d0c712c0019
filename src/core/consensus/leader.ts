// The leader's side of Raft: replication with flow control, commitment, heartbeats, CheckQuorum,
// ReadIndex and leadership transfer.

import type { NodeId } from "./entry.ts";
import { majorityOf } from "./membership.ts";
import type { Message } from "./message.ts";
import { Progress } from "./progress.ts";
import type { Raft } from "./raft.ts";
import { type PendingRead, ReadOnlyQueue } from "./read-only.ts";
import type { LeaderRole } from "./role.ts";

export function becomeLeader(r: Raft): void {
  r.resetForLeadership();
  const role = leaderRole(r);
  r.role = role;
  // An entry of its own term lets the leader commit everything before it (Raft §5.4.2).
  r.appendEntry(role, "noop", new Uint8Array());
  maybeCommit(r, role);
}

/**
 * A leader woken from eviction takes up its term again: it knows nothing of its followers, so it
 * probes them when it wakes. No no-op: its term's entry is already in its log. It sleeps on if
 * its log was committed as far as it goes; otherwise (the commit index it kept is only a lower
 * bound, see HardState.commit) it asks the followers at once, to finish or re-learn the rest.
 */
export function resumeLeadership(r: Raft): void {
  r.lead = r.id;
  const role: LeaderRole = {
    ...leaderRole(r),
    broadcastPending: false,
    readFloor: r.log.lastIndex(),
    confirmed: false,
  };
  r.role = role;
  r.quiescent = r.log.committed >= r.log.lastIndex();
  if (!r.quiescent) broadcastHeartbeat(r, role, null);
}

function leaderRole(r: Raft): LeaderRole {
  const next = r.log.lastIndex() + 1;
  const progress = new Map<NodeId, Progress>();
  for (const v of [r.id, ...r.peers()])
    progress.set(v, new Progress(next, r.config.maxInflightAppends));
  const self = progress.get(r.id) as Progress;
  self.maybeUpdate(r.log.lastIndex());
  self.becomeReplicate();
  self.recentActive = true;
  return {
    kind: "leader",
    progress,
    reads: new ReadOnlyQueue(),
    waitingReads: [],
    transferee: null,
    broadcastPending: true,
    readFloor: 0,
    confirmed: true,
    confirmations: new Set(),
  };
}

/**
 * The configuration changed under a leader (it appended a change): track the new members from
 * the end of the log (they are probed back to where they are) and forget the removed ones.
 */
export function followMembership(r: Raft, role: LeaderRole): void {
  const members = new Set([r.id, ...r.peers()]);
  for (const id of [...role.progress.keys()]) {
    if (members.has(id)) continue;
    role.progress.delete(id);
    role.confirmations.delete(id);
    if (role.transferee === id) role.transferee = null;
  }
  for (const id of members) {
    if (role.progress.has(id)) continue;
    const pr = new Progress(r.log.lastIndex() + 1, r.config.maxInflightAppends);
    pr.recentActive = true; // a fresh member gets an election timeout to answer
    role.progress.set(id, pr);
  }
  role.broadcastPending = true;
}

/**
 * Leaving quiescence: nobody was heard from while asleep, so CheckQuorum starts a fresh round,
 * and (`announce`) a heartbeat tells followers — and any member trying to elect itself — that
 * this leader is alive. A proposal needs no heartbeat: its Appends say the same.
 */
export function wakeLeader(r: Raft, role: LeaderRole, announce: boolean): void {
  for (const [id, pr] of role.progress) {
    if (id === r.id) continue;
    pr.recentActive = false;
    pr.silentTicks = 0;
  }
  if (announce || !role.confirmed) broadcastHeartbeat(r, role, null);
}

export function tickLeader(r: Raft, role: LeaderRole): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  for (const pr of role.progress.values()) {
    pr.silentTicks++;
    // A lost snapshot is never acknowledged: fall back to probing, which resends it if needed.
    if (pr.state === "snapshot" && ++pr.snapshotTicks >= r.config.electionTicks) pr.becomeProbe();
  }
  if (r.electionElapsed >= r.config.electionTicks) {
    r.electionElapsed = 0;
    if (!quorumActive(r, role) || !role.confirmed) {
      r.becomeFollower(r.term, null);
      return;
    }
    role.transferee = null; // a handover that took a whole election timeout has failed
  }
  if (maybeQuiesce(r, role)) return;
  if (r.heartbeatElapsed >= r.config.heartbeatTicks) {
    r.heartbeatElapsed = 0;
    // Reads whose round was lost are confirmed by the next one instead of waiting forever.
    broadcastHeartbeat(r, role, role.reads.newest());
  }
}

/**
 * Quiesces when nothing is in flight (CockroachDB's range quiescence): every entry committed,
 * applied and of this term, no read or handover pending, and every follower either caught up
 * and told the commit index, or silent for an election timeout (down: it catches up on the next
 * write). Caught-up followers are told to stop their timers; then nobody ticks or sends.
 */
function maybeQuiesce(r: Raft, role: LeaderRole): boolean {
  const last = r.log.lastIndex();
  if (
    !role.confirmed ||
    role.transferee !== null ||
    role.broadcastPending ||
    role.reads.size() > 0 ||
    role.waitingReads.length > 0 ||
    r.log.committed !== last ||
    r.log.applied !== last ||
    r.log.term(last) !== r.term
  ) {
    return false;
  }
  const quiet: NodeId[] = [];
  let quietVoters = 1; // this leader
  for (const to of r.peers()) {
    const pr = role.progress.get(to) as Progress;
    if (caughtUp(pr, last)) {
      quiet.push(to);
      if (r.voters.includes(to)) quietVoters++;
    } else if (pr.silentTicks < r.config.electionTicks) return false;
  }
  if (quietVoters < r.quorum) return false;
  r.quiescent = true;
  for (const to of quiet)
    r.send({ type: "quiesce", to, index: last, logTerm: r.term, commit: last });
  return true;
}

/**
 * A sleeping leader takes an answer from a caught-up follower without waking: it only says the
 * follower was awake for an earlier heartbeat or Append, so the follower gets the quiesce again
 * (it may have missed it) instead of a new round of heartbeats. True when absorbed.
 */
export function absorbWhileQuiescent(r: Raft, role: LeaderRole, m: Message): boolean {
  switch (m.type) {
    case "heartbeatResponse":
      if (m.context !== null) return false;
      break;
    case "appendResponse":
      if (m.reject) return false;
      break;
    case "recovering":
      // A member caught up earlier in this term keeps saying so; it needs nothing more.
      if (recoveringNeedsAppend(r, m)) return false;
      break;
    default:
      return false;
  }
  const pr = role.progress.get(m.from);
  const last = r.log.lastIndex();
  if (!pr || pr.incarnation !== m.incarnation || !caughtUp(pr, last)) return false;
  pr.silentTicks = 0;
  r.send({ type: "quiesce", to: m.from, index: last, logTerm: r.term, commit: r.log.committed });
  return true;
}

function caughtUp(pr: Progress, last: number): boolean {
  return pr.state === "replicate" && pr.match === last && pr.sentCommit === last;
}

/** CheckQuorum: did a quorum answer during the last election timeout? Resets the marks. */
function quorumActive(r: Raft, role: LeaderRole): boolean {
  let active = 0;
  for (const [id, pr] of role.progress) {
    if ((id === r.id || pr.recentActive) && r.voters.includes(id)) active++;
    if (id !== r.id) pr.recentActive = false;
  }
  return active >= r.quorum;
}

export function stepLeader(r: Raft, role: LeaderRole, m: Message): void {
  switch (m.type) {
    case "appendResponse":
      handleAppendResponse(r, role, m);
      return;
    case "heartbeatResponse":
      handleHeartbeatResponse(r, role, m);
      return;
    case "readIndex":
      handleReadIndex(r, role, m.context, m.from);
      return;
    case "recovering": {
      const pr = role.progress.get(m.from);
      if (!pr) return;
      pr.recovering = !m.caughtUp;
      if (pr.incarnation !== m.incarnation) {
        pr.forget(m.incarnation);
        sendAppends(r, role, m.from, true);
      } else if (recoveringNeedsAppend(r, m)) {
        sendAppends(r, role, m.from, true);
      }
      return;
    }
    default:
      return;
  }
}

/**
 * A recovering follower takes its commit index only from Appends, and its proof of recovery too
 * (it may hold the commit index already, from a snapshot): it needs one until it has both.
 */
function recoveringNeedsAppend(r: Raft, m: Extract<Message, { type: "recovering" }>): boolean {
  return m.commit < r.log.committed || !m.caughtUp;
}

/** The progress of a follower that answered, marked active; null if the answer is stale. */
function answering(role: LeaderRole, m: { from: NodeId; incarnation: number }): Progress | null {
  const pr = role.progress.get(m.from);
  if (!pr?.accepts(m.incarnation)) return null;
  pr.recentActive = true;
  pr.silentTicks = 0;
  return pr;
}

function handleAppendResponse(
  r: Raft,
  role: LeaderRole,
  m: Extract<Message, { type: "appendResponse" }>,
): void {
  const pr = answering(role, m);
  if (!pr) return;
  if (m.reject) {
    const hint =
      m.hintTerm > 0 ? r.log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
    if (pr.maybeDecrTo(m.index, hint)) {
      if (pr.state === "replicate") pr.becomeProbe();
      sendAppends(r, role, m.from, true);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === "probe")) return;
  if (pr.state === "probe") {
    pr.becomeReplicate();
  } else if (pr.state === "snapshot" && pr.match + 1 >= r.log.firstIndex()) {
    pr.becomeProbe();
    pr.becomeReplicate();
  }
  if (maybeCommit(r, role)) {
    role.broadcastPending = true;
  } else if (wasPaused) {
    sendAppends(r, role, m.from, true);
  }
  sendAppends(r, role, m.from, false);
  if (m.from === role.transferee && pr.match === r.log.lastIndex()) {
    r.send({ type: "timeoutNow", to: m.from });
  }
}

function handleHeartbeatResponse(
  r: Raft,
  role: LeaderRole,
  m: Extract<Message, { type: "heartbeatResponse" }>,
): void {
  const pr = answering(role, m);
  if (!pr) return;
  pr.recovering = m.recovering;
  if (!role.confirmed && !m.recovering && r.voters.includes(m.from)) {
    role.confirmations.add(m.from);
    if (role.confirmations.size + 1 >= r.quorum) {
      role.confirmed = true;
      role.broadcastPending = true;
    }
  }
  pr.onHeartbeatResponse();
  if (pr.match < r.log.lastIndex() || pr.sentCommit < r.log.committed)
    sendAppends(r, role, m.from, true);
  if (m.context === null) return;
  for (const read of role.reads.ack(m.context, m.from, r.voters, r.quorum)) answerRead(r, read);
}

/** Sends what the follower lacks, as far as flow control allows; `evenIfEmpty` sends the commit. */
function sendAppends(r: Raft, role: LeaderRole, to: NodeId, evenIfEmpty: boolean): void {
  if (maybeSendAppend(r, role, to, evenIfEmpty)) while (maybeSendAppend(r, role, to, false));
}

function maybeSendAppend(r: Raft, role: LeaderRole, to: NodeId, evenIfEmpty: boolean): boolean {
  const pr = role.progress.get(to);
  if (!pr || pr.isPaused() || !role.confirmed) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  const entries =
    prevTerm === undefined
      ? undefined
      : r.log.entriesFrom(pr.next, r.config.maxEntriesPerAppend, r.config.maxBytesPerAppend);
  if (prevTerm === undefined || entries === undefined) {
    // The follower needs entries we compacted: send the snapshot, but only to a live follower.
    if (!pr.recentActive) return false;
    const snapshot = r.log.snapshot();
    pr.becomeSnapshot(snapshot.meta.index);
    r.send({ type: "snapshot", to, snapshot });
    return true;
  }
  if (entries.length === 0 && !evenIfEmpty) return false;
  const commit = r.log.committed;
  const settled = commit >= role.readFloor || r.has("unsettledRecovery");
  r.send({ type: "append", to, prevIndex, prevTerm, entries, commit, settled });
  // An unsettled commit index does not count as told: the follower hears it again once settled.
  if (settled) pr.sentCommit = commit;
  pr.sent(entries.length > 0 ? (entries[entries.length - 1]?.index ?? null) : null);
  return true;
}

/**
 * Advances the commit index to what a quorum of the voters holds, but only through an entry of
 * this term.
 */
export function maybeCommit(r: Raft, role: LeaderRole): boolean {
  if (!role.confirmed) return false;
  const matches = r.voters.map((v) => role.progress.get(v)?.match ?? 0).sort((a, b) => b - a);
  const quorumIndex = matches[r.quorum - 1] ?? 0;
  if (quorumIndex <= r.log.committed) return false;
  if (r.log.term(quorumIndex) !== r.term && !r.has("commitPreviousTerm")) return false;
  r.log.commitTo(quorumIndex);
  if (role.waitingReads.length > 0 && readable(r, role)) {
    for (const w of role.waitingReads.splice(0)) handleReadIndex(r, role, w.context, w.from);
  }
  return true;
}

/** Sends, once per Ready, the entries and commit index that accumulated since the last flush. */
export function flushLeader(r: Raft, role: LeaderRole): void {
  if (role.broadcastPending) {
    role.broadcastPending = false;
    for (const to of r.peers()) {
      const pr = role.progress.get(to) as Progress;
      sendAppends(r, role, to, pr.sentCommit < r.log.committed);
    }
  }
  const context = role.reads.takeUnsent();
  if (context !== null) broadcastHeartbeat(r, role, context);
}

function broadcastHeartbeat(r: Raft, role: LeaderRole, context: string | null): void {
  for (const to of r.peers()) {
    const pr = role.progress.get(to) as Progress;
    r.send({ type: "heartbeat", to, commit: Math.min(pr.match, r.log.committed), context });
  }
}

export function handleReadIndex(r: Raft, role: LeaderRole, context: string, from: NodeId): void {
  if (r.voters.length === 1) {
    answerRead(r, { context, index: r.log.committed, from, acks: new Set() });
    return;
  }
  if (!readable(r, role)) {
    role.waitingReads.push({ context, from });
    return;
  }
  role.reads.add(context, r.log.committed, from, r.id);
}

/**
 * Whether the commit index covers everything committed before this leader's reads: a new leader
 * must commit an entry of its own term first, a resumed one its whole log as it found it.
 */
function readable(r: Raft, role: LeaderRole): boolean {
  return r.log.term(r.log.committed) === r.term && r.log.committed >= role.readFloor;
}

function answerRead(r: Raft, read: PendingRead): void {
  if (read.from === r.id) r.readStates.push({ index: read.index, context: read.context });
  else
    r.send({ type: "readIndexResponse", to: read.from, index: read.index, context: read.context });
}

/** Starts handing leadership to `to`; false if that is not possible. */
export function transferLeadership(r: Raft, to: NodeId): boolean {
  const role = r.leaderRole();
  if (!role || to === r.id || !r.voters.includes(to)) return false;
  r.wake(false);
  if (role.transferee === to) return true;
  role.transferee = to;
  r.electionElapsed = 0;
  const pr = role.progress.get(to) as Progress;
  if (pr.match === r.log.lastIndex()) r.send({ type: "timeoutNow", to });
  else sendAppends(r, role, to, true);
  return true;
}

/**
 * Whether a quorum of `voters` would be up and whole: this leader, and members heard from within
 * an election timeout that have not lost their storage (etcd's strict reconfiguration check).
 * A change that fails it would leave the ensemble unable to elect or commit.
 */
export function quorumHealthy(r: Raft, role: LeaderRole, voters: readonly NodeId[]): boolean {
  let healthy = 0;
  for (const v of voters) {
    const pr = role.progress.get(v);
    if (v === r.id || (pr && pr.silentTicks < r.config.electionTicks && !pr.recovering)) healthy++;
  }
  return healthy >= majorityOf(voters.length);
}
