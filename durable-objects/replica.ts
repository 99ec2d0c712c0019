// One member's replica: the consensus core, the applied znode tree and the leader's pipeline,
// driven through the Ready loop the simulator runs (core/consensus/ready-loop.ts), with each duty
// in a module of its own — writes, read barriers, session expiry, reaping. Storage calls are
// synchronous SQLite, so a drain never awaits: no request interleaves inside it and role or term
// cannot change under it. Nothing here ticks by itself: the member books wake-ups for what
// nextWakeMs() names, and for nothing when the ensemble is idle.

import type { ConsensusConfig } from "../src/core/consensus/config.ts";
import type { Entry, NodeId } from "../src/core/consensus/entry.ts";
import {
  decodeMembership,
  type Membership,
  type MembershipChange,
} from "../src/core/consensus/membership.ts";
import type { InstallSnapshot, Message } from "../src/core/consensus/message.ts";
import { RawNode, type Status } from "../src/core/consensus/raw-node.ts";
import type { Ready, SoftState } from "../src/core/consensus/ready.ts";
import { drainReadies, type ReadyHost } from "../src/core/consensus/ready-loop.ts";
import { failure, type ZkFailure } from "../src/core/error-code.ts";
import { initialMembers } from "../src/core/live-members.ts";
import type { Rng } from "../src/core/random.ts";
import type { AuthId } from "../src/core/tree/acl.ts";
import { decodeCommand } from "../src/core/tree/command.ts";
import { Pipeline } from "../src/core/tree/pipeline.ts";
import type { WriteRequest } from "../src/core/tree/request.ts";
import { defaultTreeConfig } from "../src/core/tree/tree-config.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import type { ReadOp } from "../src/core/tree/tree-reads.ts";
import { ZnodeTree } from "../src/core/tree/znode-tree.ts";
import type { CostCounters } from "./cost-counters.ts";
import { CpuMeter } from "./cpu-meter.ts";
import type { EnsembleConfig } from "./ensemble-config.ts";
import { defaultSegmentLimits } from "./log-segments.ts";
import { ReadBarriers } from "./read-barriers.ts";
import { Reaper } from "./reaper.ts";
import { SessionExpiry, type SessionReport } from "./session-expiry.ts";
import { type SnapshotChunk, SnapshotTransfers } from "./snapshot-transfers.ts";
import { SqlRaftStorage } from "./sql-raft-storage.ts";
import { SqlTreeStore } from "./sql-tree-store.ts";
import { TrafficMeter } from "./traffic-meter.ts";
import { type ReadAnswer, readTree, type TreeRead } from "./tree-read.ts";
import { earliest } from "./wait-list.ts";
import {
  type ForwardWrite,
  unknown,
  type WriteAnswer,
  type WriteContext,
  Writes,
} from "./writes.ts";

export type { WriteAnswer, WriteContext } from "./writes.ts";

/** How a membership change ended: applied here, or why not (the leader to retry at). */
export type ReconfigAnswer =
  | { readonly ok: true; readonly index: number; readonly membership: Membership }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly leader: NodeId | null;
      readonly message: string;
    };

/** How a replica reaches its peers; implemented over Durable Object RPC by the member. */
export interface PeerLink {
  /** Fire and forget: delivery may fail or be slow, and the caller never waits. */
  send(to: NodeId, messages: Message[]): void;
  /** Asks the leader to run a write; resolves once the leader has applied it. */
  forward: ForwardWrite;
  /** Tells the leader what this member saw of its clients' sessions. */
  report(to: NodeId, reports: SessionReport[]): void;
  /** When `member` last heard from each of these sessions' clients. */
  presence(member: NodeId, sessionIds: bigint[]): Promise<Map<bigint, number>>;
  /** One piece of a snapshot; resolves false when the peer did not take it. */
  sendSnapshotChunk(chunk: SnapshotChunk): Promise<boolean>;
}

/** Told, after each Ready, what the applied entries changed (the member delivers watch events). */
export type AppliedObserver = (applied: {
  readonly events: readonly TreeEvent[];
  readonly closedSessions: readonly bigint[];
  /** True when the tree was replaced by a snapshot (events in between are unknown). */
  readonly restored: boolean;
}) => void;

/**
 * The applied tree reaches SQLite in batches: a committed entry is durable in the log of a quorum
 * before anyone applies it, so the tree's rows may lag and a restart applies the log's tail again.
 * A flush comes at the end of a transaction once this much waits, or the config's treeFlushMs
 * after the first unflushed write, and always in the transaction that compacts the log.
 */
export const treeFlushRows = 2048;
export const treeFlushBytes = 4 * 1024 * 1024;

export interface ReplicaCounters {
  readies: number;
  sqlTransactions: number;
  messagesSent: number;
  treeFlushes: number;
  rpcBatches: number;
  proposals: number;
  sessionSweeps: number;
}

export interface ReplicaOptions {
  readonly amnesiac: boolean;
  readonly random: Rng;
  readonly observer?: AppliedObserver;
  readonly now: () => number;
  readonly costs: CostCounters;
  /** Called when the replica may need a wake-up sooner than booked (a request parked, a drain). */
  readonly wantsWake: () => void;
  /** When this member last heard from the clients of these sessions (its own sockets). */
  readonly localPresence: (sessionIds: bigint[]) => Map<bigint, number>;
}

/** Why a member that current() held back does not serve: no leader answered its read point. */
export function notCaughtUp(): ZkFailure {
  return failure(
    "CONNECTIONLOSS",
    "This member restarted and cannot reach a leader to catch up before it serves; retry",
  );
}

/** Ephemeral nodes named per session in the admin's session list (all are counted). */
export const ephemeralsShown = 20;

export class Replica {
  readonly id: NodeId;
  readonly #node: RawNode;
  readonly #raftStorage: SqlRaftStorage;
  readonly tree: ZnodeTree;
  readonly #pipeline: Pipeline;
  readonly #treeStore: SqlTreeStore;
  readonly snapshots: SnapshotTransfers;
  readonly #barriers: ReadBarriers;
  readonly #writes: Writes;
  readonly #expiry: SessionExpiry;
  readonly #reaper: Reaper;
  readonly #loop: ReadyHost<WriteAnswer | null>;
  readonly #ctx: DurableObjectState;
  readonly #link: PeerLink;
  readonly #options: ReplicaOptions;
  readonly #counters = {
    readies: 0,
    sqlTransactions: 0,
    messagesSent: 0,
    rpcBatches: 0,
    treeFlushes: 0,
  };
  /** Time per step of the write path, for status and the CPU budget per write. */
  readonly meter = new CpuMeter();
  /** Client operations served here over the last minutes (status, the dashboard's chart). */
  readonly traffic: TrafficMeter;
  /** Events and session closes applied in the current Ready, handed to the observer after it. */
  #appliedEvents: TreeEvent[] = [];
  #closedSessions: bigint[] = [];
  #drainScheduled = false;
  /** Depth of this member's open transactions (a read needs no transaction of its own then). */
  #transacting = 0;
  #leading = false;
  #draining = false;
  /**
   * False after a restart that left log entries past the commit index this member knows (it is
   * written lazily, see HardState.commit): the member may have applied, and served, more before it
   * crashed. Clients are served once a read point has brought it that far — as a restarted
   * ZooKeeper server syncs with its leader before it serves.
   */
  #current: boolean;
  #catchingUp: Promise<boolean> | null = null;
  /** Membership changes this leader proposed, by log index, until applied or lost. */
  readonly #changes = new Map<number, { term: number; resolve: (a: ReconfigAnswer) => void }>();
  /** When the tree store first buffered a write that is not flushed yet (null: nothing waits). */
  #unflushedSinceMs: number | null = null;
  /** Set inside a transaction that must end with the tree on disk (one that compacts the log). */
  #flushNow = false;
  readonly #treeFlushMs: number;

  constructor(
    ctx: DurableObjectState,
    sql: SqlStorage,
    id: NodeId,
    config: EnsembleConfig,
    link: PeerLink,
    options: ReplicaOptions,
  ) {
    this.#ctx = ctx;
    this.id = id;
    this.#link = link;
    this.#options = options;
    this.traffic = new TrafficMeter(options.now);
    this.#treeFlushMs = config.treeFlushMs;
    // Segments a quarter of the compaction distance: a compaction then drops most of the log.
    this.#raftStorage = new SqlRaftStorage(sql, {
      ...defaultSegmentLimits,
      maxEntries: Math.min(
        defaultSegmentLimits.maxEntries,
        Math.max(16, Math.ceil(config.compactionEntries / 4)),
      ),
    });
    this.#treeStore = new SqlTreeStore(sql, "", {
      buffered: true,
      readTransaction: (body) => this.#readTransaction(body),
    });
    const limits = config.limits;
    // The ensemble's first voters; the configuration in force comes from the log (membership.ts).
    const initialVoters = initialMembers(config.size).voters;
    this.tree = new ZnodeTree(this.#treeStore, {
      ...defaultTreeConfig,
      maxReplyBytes: limits.maxReplyBytes,
      maxSessions: limits.maxSessions,
      maxEphemeralsPerSession: limits.maxEphemeralsPerSession,
      maxZnodes: limits.maxZnodes,
      maxTreeBytes: limits.maxTreeBytes,
      initialMembers: { voters: initialVoters, learners: [] },
    });
    // A fresh tree's system nodes were buffered: write them now, as they were before.
    this.#treeStore.flush();
    this.#pipeline = new Pipeline(this.tree.store);
    this.snapshots = new SnapshotTransfers({
      sql,
      liveStore: this.#treeStore,
      raftStorage: this.#raftStorage,
      membershipAt: (index) => this.#node.membershipAt(index),
      appliedIndex: () => this.tree.lastZxid,
      isLeader: () => this.isLeader,
      transact: (body) => this.#inTransaction(body),
      flushTree: () => this.#flushTree(),
      sendChunk: (chunk) => link.sendSnapshotChunk(chunk),
      now: options.now,
    });
    const consensus: ConsensusConfig = {
      id,
      voters: initialVoters,
      electionTicks: config.electionTicks,
      heartbeatTicks: config.heartbeatTicks,
      random: options.random,
      maxEntriesPerAppend: 256,
      maxBytesPerAppend: 1024 * 1024,
      maxInflightAppends: 8,
      maxUncommittedEntries: 10_000,
      compactionThresholdEntries: config.compactionEntries,
      applied: this.tree.lastZxid,
      amnesiac: options.amnesiac,
    };
    this.#node = new RawNode(consensus, this.#raftStorage, this.#raftStorage);
    const start = this.#node.status();
    this.#current = start.commit >= start.lastIndex;
    const electionMs = config.electionTicks * config.tickMs;
    this.#barriers = new ReadBarriers(
      this.#node,
      id,
      {
        now: options.now,
        requestTimeoutMs: config.requestTimeoutMs,
        readTimeoutMs: 2 * electionMs,
      },
      options.wantsWake,
    );
    this.#writes = new Writes({
      id,
      node: this.#node,
      tree: this.tree,
      pipeline: this.#pipeline,
      barriers: this.#barriers,
      forward: (to, request, context) => link.forward(to, request, context),
      now: options.now,
      meter: this.meter,
      requestTimeoutMs: config.requestTimeoutMs,
      maxEntryBytes: limits.maxEntryBytes,
      drain: (soon) => (soon ? this.#drainSoon() : this.drain()),
      parked: options.wantsWake,
    });
    this.#expiry = new SessionExpiry({
      sql,
      store: this.tree.store,
      members: () => {
        const { voters, learners } = this.#node.membership();
        return [...voters, ...learners];
      },
      now: options.now,
      checkIntervalMs: config.sessionCheckMs,
      presence: async (member, ids) =>
        member === id ? options.localPresence(ids) : link.presence(member, ids),
      close: (sessionId) => {
        void this.#writes.proposeHere({ op: "closeSession", sessionId }, { authIds: [] });
      },
      swept: options.wantsWake,
    });
    this.#reaper = new Reaper(this.tree);
    this.#loop = this.#readyHost();
    // Woken from eviction as the term's leader: carry on with the log tail in flight and the
    // expiry schedule it kept in SQLite.
    if (this.#node.softState().role === "leader") this.#lead(false);
  }

  get isLeader(): boolean {
    return this.#node.softState().role === "leader";
  }

  /** Consensus position for status read-outs. */
  consensusStatus(): Status {
    return this.#node.status();
  }

  get counters(): ReplicaCounters {
    return {
      ...this.#counters,
      proposals: this.#writes.proposed,
      sessionSweeps: this.#expiry.sweeps,
    };
  }

  get pipelined(): number {
    return this.#pipeline.size;
  }

  get raftStorage(): Pick<SqlRaftStorage, "firstIndex" | "entryCount"> {
    return this.#raftStorage;
  }

  /** Messages from a peer. */
  receive(messages: readonly Message[]): void {
    this.meter.time("receive", () => {
      for (const m of messages) if (m.to === this.id) this.#node.step(m);
      this.drain();
    });
  }

  /** A piece of a leader's snapshot; the last one steps the snapshot into the core. */
  receiveSnapshotChunk(chunk: SnapshotChunk): boolean {
    if (chunk.to !== this.id) return false;
    let complete: InstallSnapshot | null | false;
    try {
      complete = this.#inTransaction(() => this.snapshots.receive(chunk));
    } catch {
      // A chunk that does not decode or verify ends the transfer; the leader offers it again.
      this.snapshots.abandonIncoming();
      return false;
    }
    if (complete === false) return false;
    if (complete !== null) {
      this.#node.step(complete);
      this.drain();
    }
    return true;
  }

  /** Runs a client write through the leader; answers once this member has applied it. */
  async submit(request: WriteRequest, context: WriteContext): Promise<WriteAnswer> {
    const startMs = this.#options.now();
    try {
      return await this.#writes.submit(request, context);
    } finally {
      this.traffic.write(this.#options.now() - startMs);
    }
  }

  /**
   * One membership change (membership.ts), proposed here if this member leads; answers once this
   * member has applied it, or why it was refused (the leader it knows, for a retry there).
   */
  reconfigure(change: MembershipChange): ReconfigAnswer | Promise<ReconfigAnswer> {
    const proposed = this.#node.proposeMembership(change);
    if (!proposed.ok) {
      return {
        ok: false,
        reason: proposed.reason,
        leader: proposed.leader,
        message: "message" in proposed ? proposed.message : proposed.reason,
      };
    }
    const answer = new Promise<ReconfigAnswer>((resolve) =>
      this.#changes.set(proposed.index, { term: proposed.term, resolve }),
    );
    this.drain();
    return answer;
  }

  /** Hands leadership to voter `to` (before this leader is removed); false if it cannot. */
  transferLeadership(to: NodeId): boolean {
    const started = this.#node.transferLeadership(to);
    this.drain();
    return started;
  }

  /** The configuration in force here and the newest one known committed. */
  membership(): { current: Membership; committed: Membership } {
    return { current: this.#node.membership(), committed: this.#node.committedMembership() };
  }

  /** A client's read of the applied tree, whichever protocol asked (counted for the dashboard). */
  read(read: TreeRead, authIds: readonly AuthId[]): ReadAnswer {
    this.traffic.read();
    return readTree(this.tree, read, authIds);
  }

  /** A page of the sessions the applied tree holds, for the admin's list. */
  sessionsPage(after: bigint | null, limit: number) {
    return this.#readTransaction(() =>
      this.tree.reads.sessionsPage(after ?? undefined, limit, ephemeralsShown),
    );
  }

  /** A client's reads answered from one applied state (ZooKeeper's multi of reads). */
  multiRead(ops: readonly ReadOp[], authIds: readonly AuthId[]) {
    this.traffic.read(ops.length);
    return this.tree.reads.multiRead(ops, authIds);
  }

  /** Writes a follower forwarded (together): only the leader runs them, never forwarding again. */
  proposeAllHere(
    writes: ReadonlyArray<{ request: WriteRequest; context: WriteContext }>,
  ): Array<Promise<WriteAnswer>> {
    return this.#writes.proposeAllHere(writes);
  }

  /**
   * Resolves true once this member has applied everything committed when it was called
   * (ReadIndex, confirmed by a quorum of heartbeats): a read served after it is linearizable.
   */
  syncPoint(): Promise<boolean> {
    return this.#barriers.syncPoint(() => this.drain());
  }

  /**
   * True once this member may serve clients: at once unless it restarted behind what it may
   * have served (see #current), then after one read point; false when no leader answered in time.
   */
  current(): boolean | Promise<boolean> {
    if (this.#current) return true;
    this.#catchingUp ??= this.syncPoint().then((ok) => {
      this.#catchingUp = null;
      if (ok) this.#current = true;
      return ok;
    });
    return this.#catchingUp;
  }

  /** Whether clients are served at once (see #current). */
  get caughtUp(): boolean {
    return this.#current;
  }

  /** Reports from a member (this one included) about its clients' sessions; the leader's. */
  acceptReports(from: NodeId, reports: readonly SessionReport[]): void {
    if (this.#leading) this.#expiry.report(from, reports);
  }

  /** Tells the leader what this member saw of its clients (dropped when no leader is known). */
  report(reports: SessionReport[]): void {
    if (reports.length === 0) return;
    const leader = this.#node.softState().leader;
    if (leader === this.id) this.acceptReports(this.id, reports);
    else if (leader !== null) this.#link.report(leader, reports);
    this.#options.wantsWake();
  }

  /** Whether consensus needs ticks (it is not quiescent). */
  get awake(): boolean {
    return !this.#node.isQuiescent();
  }

  /** Advances consensus time by `ticks` (only while awake). */
  tick(ticks: number): void {
    for (let i = 0; i < ticks; i++) this.#node.tick();
    this.drain();
  }

  /** Runs what is due at `nowMs`: request deadlines, and the leader's expiry and reaping. */
  async runDue(nowMs: number): Promise<void> {
    this.#writes.expire(nowMs);
    this.#barriers.expire(nowMs);
    if (!this.#leading) return;
    for (const path of this.#reaper.due(nowMs)) {
      void this.#writes.proposeHere({ op: "reap", path }, { authIds: [] });
    }
    const deadline = this.#expiry.nextDeadlineMs();
    if (deadline !== null && deadline <= nowMs) await this.#expiry.sweep();
  }

  /** The earliest wall-clock time something here is due, besides consensus ticks. */
  nextDeadlineMs(): number | null {
    return earliest(
      this.#writes.nextDeadlineMs(),
      this.#barriers.nextDeadlineMs(),
      this.#leading ? this.#expiry.nextDeadlineMs() : null,
      this.#leading ? this.#reaper.nextDeadlineMs() : null,
    );
  }

  /** Carries out every pending Ready through the loop the simulator runs (ready-loop.ts). */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      if (this.#writes.hasQueued) this.#readTransaction(() => this.#writes.proposeQueued());
      this.#counters.readies += this.meter.time("consensus", () =>
        drainReadies(this.#node, this.#loop),
      );
    } finally {
      this.#draining = false;
    }
    this.#options.wantsWake();
  }

  /**
   * Group commit: the proposals and peer messages that arrive while this member is busy (each
   * socket frame and RPC is its own event) are drained together as one Ready — one SQLite
   * transaction and one message per peer for all of them — right after the events queued now.
   */
  #drainSoon(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setTimeout(() => {
      this.#drainScheduled = false;
      this.drain();
    }, 0);
  }

  /** The member's side of the Ready contract: SQLite, peer RPC, the tree and the waiters. */
  #readyHost(): ReadyHost<WriteAnswer | null> {
    return {
      log: this.#raftStorage,
      hard: this.#raftStorage,
      transact: (body) => {
        this.meter.time("persist", () =>
          this.#inEventTransaction(() => {
            body();
            this.#options.costs.persist(this.#options.now());
          }),
        );
        this.#counters.sqlTransactions++;
      },
      restore: (snapshot) => {
        this.snapshots.install(snapshot.meta);
        this.#pipeline.reset();
      },
      apply: (entries) => this.meter.time("apply", () => entries.map((e) => this.#apply(e))),
      // The SQLite tree is the snapshot: compaction only drops entries (no copy, no bytes), and
      // the tree must be on disk through them before they go.
      snapshotData: () => {
        this.#flushNow = true;
        return new Uint8Array();
      },
      send: (messages) => this.meter.time("send", () => this.#send(messages)),
      settle: (rd, applied) => this.meter.time("settle", () => this.#settle(rd, applied)),
    };
  }

  #settle(rd: Ready, applied: ReadonlyArray<{ entry: Entry; result: WriteAnswer | null }>): void {
    this.meter.applied += applied.length;
    this.meter.batch(rd.entries.length);
    if (rd.softState) this.#onSoftState(rd.softState);
    // Watch events go out before the replies that follow them (ZooKeeper's ordering).
    if (this.#appliedEvents.length > 0 || this.#closedSessions.length > 0 || rd.snapshot) {
      const events = this.#appliedEvents;
      const closed = this.#closedSessions;
      this.#appliedEvents = [];
      this.#closedSessions = [];
      this.#options.observer?.({
        events,
        closedSessions: closed,
        restored: rd.snapshot !== null,
      });
    }
    if (rd.snapshot) {
      this.#writes.abandonThrough(rd.snapshot.meta.index);
      this.#settleChanges(rd.snapshot.meta.index, null, "covered by a snapshot");
    }
    for (const { entry, result } of applied) {
      if (this.#changes.size > 0)
        this.#settleChanges(
          entry.index,
          entry.kind === "config" ? entry.term : null,
          "replaced by a new leader's log",
        );
      if (entry.kind !== "config") this.#writes.answer(entry, result);
    }
    if (applied.length > 0 && this.#leading) this.#reaper.changed(this.#options.now());
    this.#barriers.onReadStates(rd.readStates);
    this.#barriers.onApplied(this.tree.lastZxid);
  }

  /**
   * Answers the changes proposed at or before `index` once it is applied: made when the entry
   * there is the configuration entry proposed (`configTerm` its term), else lost (`lost` says how;
   * the membership then says what happened).
   */
  #settleChanges(index: number, configTerm: number | null, lost: string): void {
    for (const [i, waiter] of this.#changes) {
      if (i > index) continue;
      this.#changes.delete(i);
      const membership = this.#node.committedMembership();
      if (i === index && configTerm === waiter.term)
        waiter.resolve({ ok: true, index: i, membership });
      else
        waiter.resolve({
          ok: false,
          reason: "lost",
          leader: this.#node.softState().leader,
          message: `the change proposed at ${i} was ${lost}; read the membership`,
        });
    }
  }

  /**
   * A Ready's writes, in the transaction the runtime opens at an event's first write and commits
   * (the output gate holding every message and reply meanwhile) once the event's synchronous work
   * is done: the Readies of one event share one commit, and no savepoint copies each page they
   * touch aside first — past 64 KiB into a temp file, as a flush or a compaction did. Atomic all
   * the same: a throw part-way aborts the object, which discards what the event wrote, so memory
   * and storage start again together from the last commit, as after a crash.
   */
  #inEventTransaction(body: () => void): void {
    try {
      this.#writing(body);
    } catch (error) {
      this.#ctx.abort(`a Ready failed part-way and its writes are discarded: ${String(error)}`);
      throw error;
    }
  }

  /**
   * One SQLite transaction, which ends by writing the tree store's buffer when enough waits. When
   * it rolls back after the tree moved, memory is ahead of storage for good: the object restarts
   * from storage, and the log brings the tree back.
   */
  #inTransaction<T>(body: () => T): T {
    const store = this.#treeStore;
    const before = store.version;
    try {
      return this.#ctx.storage.transactionSync(() => this.#writing(body));
    } catch (error) {
      if (store.version !== before) {
        this.#ctx.abort(`a transaction that changed the tree rolled back: ${String(error)}`);
      }
      throw error;
    }
  }

  /** Runs `body` as a transaction's writes, then writes the tree store's buffer if that is due. */
  #writing<T>(body: () => T): T {
    this.#transacting++;
    try {
      const result = body();
      this.#flushIfDue();
      return result;
    } finally {
      this.#transacting--;
      this.#flushNow = false;
    }
  }

  /** Runs reads in a transaction unless one is open (a bare statement costs one of its own). */
  #readTransaction<T>(body: () => T): T {
    if (this.#transacting > 0) return body();
    return this.#ctx.storage.transactionSync(() => {
      this.#transacting++;
      try {
        return body();
      } finally {
        this.#transacting--;
      }
    });
  }

  #flushIfDue(): void {
    const store = this.#treeStore;
    if (!store.pending) {
      this.#unflushedSinceMs = null;
      return;
    }
    const nowMs = this.#options.now();
    this.#unflushedSinceMs ??= nowMs;
    if (
      this.#flushNow ||
      store.pendingRows >= treeFlushRows ||
      store.pendingBytes >= treeFlushBytes ||
      nowMs - this.#unflushedSinceMs >= this.#treeFlushMs
    )
      this.#flushTree();
  }

  /** Writes the tree store's buffer now (inside the caller's transaction). */
  #flushTree(): void {
    if (!this.#treeStore.pending) return;
    this.#treeStore.flush();
    this.#counters.treeFlushes++;
    this.#unflushedSinceMs = null;
  }

  /** Open sessions, counted without writing the tree's buffer. */
  get sessionCount(): number {
    return this.#treeStore.sessionCount();
  }

  /** The tree's applied index as SQLite holds it (the log's tail after it is applied again). */
  get flushedIndex(): number {
    return this.#treeStore.flushedZxid;
  }

  #apply(entry: Entry): WriteAnswer | null {
    if (entry.kind === "config") {
      const applied = this.tree.applyMembership(decodeMembership(entry.data), entry.index);
      this.#appliedEvents.push(...applied.events);
      return null;
    }
    // A no-op moves the zxid on and changes no node.
    if (entry.kind !== "normal" || entry.data.length === 0) {
      this.tree.skip(entry.index);
      return null;
    }
    const outcome = this.tree.applyCommand(decodeCommand(entry.data), entry.index);
    this.#pipeline.appliedThrough(entry.index);
    if (outcome.duplicate) {
      return outcome.result
        ? { ok: true, zxid: outcome.zxid, result: outcome.result }
        : unknown(`zxid ${entry.index} repeated an earlier write whose result is gone`);
    }
    const result = outcome.result;
    this.#appliedEvents.push(...outcome.events);
    if (result.type === "closeSession") this.#closedSessions.push(result.sessionId);
    if (this.#leading) {
      if (result.type === "createSession") this.#expiry.created(result.sessionId, result.timeoutMs);
      else if (result.type === "closeSession") this.#expiry.closed(result.sessionId);
    }
    return { ok: true, zxid: entry.index, result };
  }

  #onSoftState(soft: SoftState): void {
    const leading = soft.role === "leader";
    if (leading && !this.#leading) this.#lead(true);
    if (!leading && this.#leading) {
      this.#pipeline.reset();
      this.#treeStore.followChildren(false);
      this.#expiry.deposed();
      this.#reaper.stopped();
    }
    this.#leading = leading;
    if (soft.leader !== null) this.#barriers.onLeaderKnown();
  }

  /**
   * This member leads: its uncommitted log tail is in flight (prepare must see it). Elected, it
   * gives every session a fresh deadline; resumed after eviction, it keeps its schedule.
   */
  #lead(elected: boolean): void {
    this.#leading = true;
    this.#pipeline.reset();
    // Prepare looks up every path a create names: known children answer most without a query.
    this.#treeStore.followChildren(true);
    const from = this.tree.lastZxid + 1;
    const to = this.#raftStorage.lastIndex();
    if (from <= to) {
      for (const e of this.#raftStorage.entries(from, to + 1)) {
        if (e.kind !== "normal" || e.data.length === 0) continue;
        const command = decodeCommand(e.data);
        this.#pipeline.push(command.txn, e.index, command.origin);
      }
    }
    if (elected) this.#expiry.elected();
    this.#reaper.started(this.#options.now());
  }

  #send(messages: readonly Message[]): void {
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) {
      if (m.type === "snapshot") {
        this.snapshots.offer(m);
        continue;
      }
      const list = byPeer.get(m.to) ?? [];
      list.push(m);
      byPeer.set(m.to, list);
    }
    for (const [to, batch] of byPeer) {
      this.#counters.rpcBatches++;
      this.#counters.messagesSent += batch.length;
      this.#link.send(to, batch);
    }
  }
}
