// One member's replica: the consensus core, the applied znode tree and the leader's pipeline,
// driven by one synchronous drain() that carries out each Ready in contract order. Storage calls
// are synchronous SQLite, so drain never awaits: no other request can interleave inside it and
// role or term cannot change under it.

import type { ConsensusConfig } from "../src/core/consensus/config.ts";
import type { Entry, NodeId } from "../src/core/consensus/entry.ts";
import type { InstallSnapshot, Message } from "../src/core/consensus/message.ts";
import { RawNode } from "../src/core/consensus/raw-node.ts";
import type { SoftState } from "../src/core/consensus/ready.ts";
import { drainReadies, type ReadyHost } from "../src/core/consensus/ready-loop.ts";
import { type ErrorName, failure, type ZkFailure } from "../src/core/error-code.ts";
import type { Rng } from "../src/core/random.ts";
import { ExpiryQueue } from "../src/core/session/expiry-queue.ts";
import type { TxnResult } from "../src/core/tree/apply.ts";
import { decodeCommand, encodeCommand } from "../src/core/tree/command.ts";
import { Pipeline } from "../src/core/tree/pipeline.ts";
import { prepare } from "../src/core/tree/prepare.ts";
import type { RequestContext, WriteRequest } from "../src/core/tree/request.ts";
import { decodeResult } from "../src/core/tree/result-codec.ts";
import { defaultTreeConfig } from "../src/core/tree/tree-config.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import { ZnodeTree } from "../src/core/tree/znode-tree.ts";
import type { EnsembleConfig } from "./ensemble-config.ts";
import { type SnapshotChunk, SnapshotTransfers } from "./snapshot-transfers.ts";
import { SqlRaftStorage } from "./sql-raft-storage.ts";
import { SqlTreeStore } from "./sql-tree-store.ts";

export type WriteAnswer =
  | { readonly ok: true; readonly zxid: number; readonly result: TxnResult }
  | {
      readonly ok: false;
      readonly failure: ZkFailure;
      readonly opErrors?: readonly ErrorName[];
      /** Set when the write was certainly not applied and the current leader may take it. */
      readonly retryable?: boolean;
      /** Set when the leader could not be reached from here: try another member. */
      readonly unreachable?: boolean;
    };

/**
 * The caller's side of a write, without the time (the leader stamps it). A session's writes
 * carry increasing `seq` numbers so a retry through another leader is applied at most once.
 */
export type WriteContext = Omit<RequestContext, "nowMs"> & { readonly seq?: number | undefined };

/** How a replica reaches its peers; implemented over Durable Object RPC by the member. */
export interface PeerLink {
  /** Fire and forget: delivery may fail or be slow, and the caller never waits. */
  send(to: NodeId, messages: Message[]): void;
  /** Asks the leader to run a write; resolves once the leader has applied it. */
  forward(to: NodeId, request: WriteRequest, context: WriteContext): Promise<WriteAnswer>;
  /** Tells the leader which sessions have been active here. */
  touch(to: NodeId, sessionIds: bigint[]): void;
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

/** How many ticks a request may wait for a leader, a commit or a local apply before giving up. */
const requestTimeoutTicks = 100;
/** Every this many ticks the leader looks for containers and TTL nodes to reap. */
const reapEveryTicks = 20;

interface Waiter<T> {
  readonly deadline: number;
  readonly resolve: (value: T) => void;
}

export interface ReplicaCounters {
  readies: number;
  sqlTransactions: number;
  messagesSent: number;
  rpcBatches: number;
  proposals: number;
}

export class Replica {
  readonly id: NodeId;
  readonly node: RawNode;
  readonly raftStorage: SqlRaftStorage;
  readonly tree: ZnodeTree;
  readonly pipeline: Pipeline;
  readonly #treeStore: SqlTreeStore;
  readonly snapshots: SnapshotTransfers;
  #drainScheduled = false;
  readonly #loop: ReadyHost<WriteAnswer | null>;
  readonly counters: ReplicaCounters = {
    readies: 0,
    sqlTransactions: 0,
    messagesSent: 0,
    rpcBatches: 0,
    proposals: 0,
  };
  readonly #ctx: DurableObjectState;
  readonly #ensemble: EnsembleConfig;
  readonly #link: PeerLink;
  readonly #expiry = new ExpiryQueue(2);
  readonly #proposals = new Map<number, Waiter<WriteAnswer> & { term: number }>();
  #appliedWaiters: Array<Waiter<boolean> & { zxid: number }> = [];
  #leaderWaiters: Array<Waiter<boolean>> = [];
  #pendingTouches = new Set<bigint>();
  readonly #observer: AppliedObserver | undefined;
  /** Events and session closes applied in the current Ready, handed to the observer after it. */
  #appliedEvents: TreeEvent[] = [];
  #closedSessions: bigint[] = [];
  /** Linearizable read points asked for, by context; `index` arrives in a later Ready. */
  readonly #reads = new Map<string, Waiter<boolean> & { index?: number }>();
  #readSeq = 0;
  #leading = false;
  #draining = false;
  #tick = 0;

  constructor(
    ctx: DurableObjectState,
    id: NodeId,
    ensemble: EnsembleConfig,
    link: PeerLink,
    options: { amnesiac: boolean; random: Rng; observer?: AppliedObserver },
  ) {
    this.#ctx = ctx;
    this.id = id;
    this.#ensemble = ensemble;
    this.#link = link;
    this.#observer = options.observer;
    const sql = ctx.storage.sql;
    this.raftStorage = new SqlRaftStorage(sql);
    this.#treeStore = new SqlTreeStore(sql);
    this.tree = new ZnodeTree(this.#treeStore, defaultTreeConfig);
    this.pipeline = new Pipeline(this.tree.store);
    const voters = Array.from({ length: ensemble.size }, (_, i) => i);
    this.snapshots = new SnapshotTransfers({
      sql,
      liveStore: this.#treeStore,
      raftStorage: this.raftStorage,
      voters,
      appliedIndex: () => this.tree.lastZxid,
      isLeader: () => this.isLeader,
      transact: (body) => this.#inTransaction(body),
      sendChunk: (chunk) => link.sendSnapshotChunk(chunk),
      now: () => Date.now(),
    });
    const config: ConsensusConfig = {
      id,
      voters,
      electionTicks: ensemble.electionTicks,
      heartbeatTicks: ensemble.heartbeatTicks,
      random: options.random,
      maxEntriesPerAppend: 256,
      maxBytesPerAppend: 1024 * 1024,
      maxInflightAppends: 8,
      maxUncommittedEntries: 10_000,
      compactionThresholdEntries: ensemble.compactionEntries,
      applied: this.tree.lastZxid,
      amnesiac: options.amnesiac,
    };
    this.node = new RawNode(config, this.raftStorage, this.raftStorage);
    this.#loop = this.#readyHost();
  }

  get isLeader(): boolean {
    return this.node.softState().role === "leader";
  }

  get leader(): NodeId | null {
    return this.node.softState().leader;
  }

  /** Messages from a peer. */
  receive(messages: readonly Message[]): void {
    for (const m of messages) if (m.to === this.id) this.node.step(m);
    this.drain();
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
      this.node.step(complete);
      this.drain();
    }
    return true;
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

  /** Advances logical time by `ticks` and runs the leader's periodic duties. */
  tick(ticks: number, nowMs: number): void {
    for (let i = 0; i < ticks; i++) {
      this.node.tick();
      this.#tick++;
      if (this.#leading) this.#leaderDuties(nowMs);
    }
    this.#flushTouches();
    this.#sweep();
    this.drain();
  }

  /** Runs a write on the leader, forwarding if needed; answers once this member has applied it. */
  async submit(
    request: WriteRequest,
    context: WriteContext,
    nowMs: () => number,
  ): Promise<WriteAnswer> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.isLeader) return this.proposeHere(request, context, nowMs());
      const leader = this.leader;
      if (leader === null) {
        if (!(await this.#waitForLeader())) break;
        continue;
      }
      const answer = await this.#link.forward(leader, request, context);
      if (answer.ok) {
        // Answer only once this member has applied it, so the client's next read here sees it.
        if (await this.waitApplied(answer.zxid)) return answer;
        return unknown(
          `The write committed at zxid ${answer.zxid} but this member has not caught up; ` +
            "retry with the same sequence number to get its result",
        );
      }
      if (!answer.retryable || answer.unreachable) return answer;
      await this.#waitForLeader();
    }
    return {
      ok: false,
      failure: failure("CONNECTIONLOSS", "No leader could take the write; retry"),
    };
  }

  /** The leader's half: prepare against the pipeline, propose, resolve when applied here. */
  proposeHere(request: WriteRequest, context: WriteContext, nowMs: number): Promise<WriteAnswer> {
    if (!this.isLeader) return Promise.resolve(notLeader(this.leader));
    const origin =
      context.sessionId !== undefined && context.seq !== undefined
        ? { sessionId: context.sessionId, seq: context.seq }
        : undefined;
    if (origin) {
      const seen = this.pipeline.getSession(origin.sessionId);
      if (seen && origin.seq <= seen.lastSeq)
        return this.#answerRetry(origin.seq, seen.lastSeq, seen.lastZxid, origin.sessionId);
    }
    const prepared = prepare(request, this.pipeline, { ...context, nowMs }, this.tree.config);
    if (!prepared.ok) {
      return Promise.resolve(
        prepared.opErrors
          ? { ok: false, failure: prepared.failure, opErrors: prepared.opErrors }
          : prepared,
      );
    }
    const proposed = this.node.propose(encodeCommand({ txn: prepared.txn, origin }));
    if (!proposed.ok) {
      return Promise.resolve(
        proposed.reason === "overloaded"
          ? {
              ok: false,
              failure: failure("THROTTLEDOP", "Too many writes in flight; retry shortly"),
            }
          : notLeader(proposed.leader),
      );
    }
    this.counters.proposals++;
    this.pipeline.push(prepared.txn, proposed.index, origin);
    const answer = new Promise<WriteAnswer>((resolve) => {
      this.#proposals.set(proposed.index, {
        term: proposed.term,
        deadline: this.#tick + requestTimeoutTicks,
        resolve,
      });
    });
    // Alone, a write goes out at once; behind others still in flight, it joins the next batch.
    if (this.#proposals.size > 1) this.#drainSoon();
    else this.drain();
    return answer;
  }

  /** A write whose sequence number the session already used: answer it from the first attempt. */
  async #answerRetry(
    seq: number,
    lastSeq: number,
    lastZxid: number,
    sessionId: bigint,
  ): Promise<WriteAnswer> {
    if (seq < lastSeq) {
      return {
        ok: false,
        failure: failure(
          "BADARGUMENTS",
          `Sequence number ${seq} is older than the session's last (${lastSeq})`,
        ),
      };
    }
    if (!(await this.waitApplied(lastZxid)))
      return unknown(`zxid ${lastZxid} did not apply in time; its outcome is unknown`);
    const session = this.tree.store.getSession(sessionId);
    if (!session || session.lastSeq !== seq || session.lastResult.length === 0) {
      return unknown(
        `The first attempt of write ${seq} applied at zxid ${lastZxid}, but its result is gone`,
      );
    }
    return { ok: true, zxid: lastZxid, result: decodeResult(session.lastResult) };
  }

  /** Resolves true once this member has applied `zxid` (false on timeout). */
  waitApplied(zxid: number): Promise<boolean> {
    if (this.tree.lastZxid >= zxid) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.#appliedWaiters.push({ zxid, deadline: this.#tick + requestTimeoutTicks, resolve });
    });
  }

  /**
   * Resolves true once this member has applied everything committed when it was called
   * (Raft's ReadIndex, confirmed by a quorum of heartbeats): a read served after that is
   * linearizable. False when no leader answered in time.
   */
  async syncPoint(): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const context = `${this.id}:${++this.#readSeq}`;
      if (!this.node.readIndex(context)) {
        if (!(await this.#waitForLeader())) return false;
        continue;
      }
      const done = new Promise<boolean>((resolve) => {
        this.#reads.set(context, {
          deadline: this.#tick + 2 * this.#ensemble.electionTicks,
          resolve,
        });
      });
      this.drain();
      return done;
    }
    return false;
  }

  /** Records client activity; the leader learns of it on the next tick. */
  touchSessions(ids: readonly bigint[]): void {
    for (const id of ids) this.#pendingTouches.add(id);
  }

  /** The leader's side of a touch report. */
  acceptTouches(ids: readonly bigint[]): void {
    if (!this.#leading) return;
    for (const id of ids) {
      const session = this.tree.store.getSession(id);
      if (session) this.#expiry.touch(id, this.#tick, this.#ticksFor(session.timeoutMs));
    }
  }

  /** Carries out every pending Ready through the loop the simulator runs (ready-loop.ts). */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      this.counters.readies += drainReadies(this.node, this.#loop);
    } finally {
      this.#draining = false;
    }
  }

  /** The member's side of the Ready contract: SQLite, peer RPC, the tree and the waiters. */
  #readyHost(): ReadyHost<WriteAnswer | null> {
    return {
      log: this.raftStorage,
      hard: this.raftStorage,
      transact: (body) => {
        this.#inTransaction(body);
        this.counters.sqlTransactions++;
      },
      restore: (snapshot) => {
        this.snapshots.install(snapshot.meta);
        this.pipeline.reset();
      },
      apply: (entry) => this.#apply(entry),
      // The SQLite tree is the snapshot: compaction only drops entries (no copy, no bytes).
      snapshotData: () => new Uint8Array(),
      send: (messages) => this.#send(messages),
      settle: (rd, applied) => {
        if (rd.softState) this.#onSoftState(rd.softState);
        // Watch events go out before the replies that follow them (ZooKeeper's ordering).
        if (this.#appliedEvents.length > 0 || this.#closedSessions.length > 0 || rd.snapshot) {
          const events = this.#appliedEvents;
          const closed = this.#closedSessions;
          this.#appliedEvents = [];
          this.#closedSessions = [];
          this.#observer?.({ events, closedSessions: closed, restored: rd.snapshot !== null });
        }
        if (rd.snapshot) this.#abandonProposalsThrough(rd.snapshot.meta.index);
        for (const { entry, result } of applied) this.#answer(entry, result);
        for (const rs of rd.readStates) {
          const read = this.#reads.get(rs.context);
          if (read) this.#reads.set(rs.context, { ...read, index: rs.index });
        }
        this.#releaseAppliedWaiters();
      },
    };
  }

  /** One SQLite transaction; when it rolls back, the tree store's cached reads go with it. */
  #inTransaction<T>(body: () => T): T {
    try {
      return this.#ctx.storage.transactionSync(body);
    } catch (error) {
      this.#treeStore.dropCache();
      throw error;
    }
  }

  #apply(entry: Entry): WriteAnswer | null {
    if (entry.kind === "noop" || entry.data.length === 0) {
      this.tree.skip(entry.index);
      return null;
    }
    const outcome = this.tree.applyCommand(decodeCommand(entry.data), entry.index);
    this.pipeline.appliedThrough(entry.index);
    if (outcome.duplicate) {
      return outcome.result
        ? { ok: true, zxid: outcome.zxid, result: outcome.result }
        : unknown(`zxid ${entry.index} repeated an earlier write whose result is gone`);
    }
    const result = outcome.result;
    this.#appliedEvents.push(...outcome.events);
    if (result.type === "closeSession") this.#closedSessions.push(result.sessionId);
    if (this.#leading) {
      if (result.type === "createSession") {
        this.#expiry.touch(result.sessionId, this.#tick, this.#ticksFor(result.timeoutMs));
      } else if (result.type === "closeSession") {
        this.#expiry.remove(result.sessionId);
      }
    }
    return { ok: true, zxid: entry.index, result };
  }

  #answer(entry: Entry, answer: WriteAnswer | null): void {
    const waiter = this.#proposals.get(entry.index);
    if (!waiter) return;
    this.#proposals.delete(entry.index);
    if (waiter.term === entry.term && answer) waiter.resolve(answer);
    else
      waiter.resolve(
        lost(`Leadership changed before zxid ${entry.index} committed; the write was not applied`),
      );
  }

  #abandonProposalsThrough(index: number): void {
    for (const [i, waiter] of this.#proposals) {
      if (i > index) continue;
      this.#proposals.delete(i);
      waiter.resolve(unknown(`zxid ${i} was covered by a snapshot; its outcome is unknown here`));
    }
  }

  #releaseAppliedWaiters(): void {
    const applied = this.tree.lastZxid;
    for (const [context, read] of this.#reads) {
      if (read.index === undefined || read.index > applied) continue;
      this.#reads.delete(context);
      read.resolve(true);
    }
    const due = this.#appliedWaiters.filter((w) => w.zxid <= applied);
    this.#appliedWaiters = this.#appliedWaiters.filter((w) => w.zxid > applied);
    for (const w of due) w.resolve(true);
  }

  #onSoftState(soft: SoftState): void {
    const leading = soft.role === "leader";
    if (leading && !this.#leading) this.#becomeLeader();
    if (!leading && this.#leading) {
      this.pipeline.reset();
      this.#expiry.clear();
    }
    this.#leading = leading;
    if (soft.leader !== null) {
      for (const w of this.#leaderWaiters) w.resolve(true);
      this.#leaderWaiters = [];
    }
  }

  /** A new leader: its uncommitted log tail is in flight, and every session gets a fresh deadline. */
  #becomeLeader(): void {
    this.pipeline.reset();
    const from = this.tree.lastZxid + 1;
    const to = this.raftStorage.lastIndex();
    if (from <= to) {
      for (const e of this.raftStorage.entries(from, to + 1)) {
        if (e.kind !== "normal" || e.data.length === 0) continue;
        const command = decodeCommand(e.data);
        this.pipeline.push(command.txn, e.index, command.origin);
      }
    }
    let after: bigint | undefined;
    for (;;) {
      const page = this.tree.store.sessionsAfter(after, 500);
      for (const s of page) this.#expiry.touch(s.id, this.#tick, this.#ticksFor(s.timeoutMs));
      if (page.length < 500) break;
      after = page.at(-1)?.id;
    }
  }

  #leaderDuties(nowMs: number): void {
    for (const sessionId of this.#expiry.expire(this.#tick)) {
      void this.proposeHere({ op: "closeSession", sessionId }, { authIds: [] }, nowMs);
    }
    if (this.#tick % reapEveryTicks === 0) {
      for (const path of this.tree.reapCandidates(nowMs, 100)) {
        void this.proposeHere({ op: "reap", path }, { authIds: [] }, nowMs);
      }
    }
  }

  #flushTouches(): void {
    if (this.#pendingTouches.size === 0) return;
    const ids = [...this.#pendingTouches];
    this.#pendingTouches.clear();
    const leader = this.leader;
    if (leader === this.id) this.acceptTouches(ids);
    else if (leader !== null) this.#link.touch(leader, ids);
  }

  #sweep(): void {
    const now = this.#tick;
    for (const [index, w] of this.#proposals) {
      if (w.deadline > now) continue;
      this.#proposals.delete(index);
      w.resolve(unknown(`zxid ${index} did not commit in time; its outcome is unknown`));
    }
    const appliedLate = this.#appliedWaiters.filter((w) => w.deadline <= now);
    this.#appliedWaiters = this.#appliedWaiters.filter((w) => w.deadline > now);
    for (const w of appliedLate) w.resolve(false);
    for (const [context, read] of this.#reads) {
      if (read.deadline > now) continue;
      this.#reads.delete(context);
      read.resolve(false);
    }
    const leaderLate = this.#leaderWaiters.filter((w) => w.deadline <= now);
    this.#leaderWaiters = this.#leaderWaiters.filter((w) => w.deadline > now);
    for (const w of leaderLate) w.resolve(false);
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
      this.counters.rpcBatches++;
      this.counters.messagesSent += batch.length;
      this.#link.send(to, batch);
    }
  }

  /** Resolves when a leader becomes known, or false after two election timeouts. */
  #waitForLeader(): Promise<boolean> {
    const deadline = this.#tick + 2 * this.#ensemble.electionTicks;
    return new Promise((resolve) => this.#leaderWaiters.push({ deadline, resolve }));
  }

  #ticksFor(ms: number): number {
    return Math.max(1, Math.ceil(ms / this.#ensemble.tickMs));
  }
}

function notLeader(leader: NodeId | null): WriteAnswer {
  return {
    ok: false,
    failure: failure(
      "CONNECTIONLOSS",
      `This member is not the leader (leader: ${leader ?? "unknown"}); not applied`,
    ),
    retryable: true,
  };
}

function lost(message: string): WriteAnswer {
  return { ok: false, failure: failure("CONNECTIONLOSS", message), retryable: true };
}

function unknown(message: string): WriteAnswer {
  return { ok: false, failure: failure("OPERATIONTIMEOUT", message) };
}
