// One simulated member: a RawNode over in-memory storage that survives crashes, an in-memory state
// machine that does not, and the host loop that carries out each Ready in contract order.

import type { ConsensusConfig } from "../../src/core/consensus/config.ts";
import { type NodeId, recovering } from "../../src/core/consensus/entry.ts";
import {
  MemoryHardStateStorage,
  MemoryLogStorage,
} from "../../src/core/consensus/memory-storage.ts";
import type { Message } from "../../src/core/consensus/message.ts";
import { RawNode } from "../../src/core/consensus/raw-node.ts";
import { handleReady, type ReadyHost } from "../../src/core/consensus/ready-loop.ts";
import type { Checker } from "./checker.ts";
import { DigestMachine } from "./digest-machine.ts";

export interface Proposal {
  id: number;
  index: number;
  term: number;
  ackedAt?: number;
}

export interface Read {
  context: string;
  invokedAt: number;
  commitAtInvoke: number;
  index?: number;
}

export interface Host {
  readonly checker: Checker;
  send(message: Message): void;
  acked(proposal: Proposal, member: NodeId): void;
  served(read: Read, appliedIndex: number): void;
}

export class SimNode {
  readonly id: NodeId;
  logStorage = new MemoryLogStorage();
  hardStorage = new MemoryHardStateStorage();
  node: RawNode | null = null;
  machine = new DigestMachine();
  /** Proposals made through this member, by index, waiting to be applied. */
  proposals = new Map<number, Proposal>();
  reads = new Map<string, Read>();
  incarnation = 0;
  private config: (id: NodeId, amnesiac: boolean, applied: number) => ConsensusConfig;

  constructor(
    id: NodeId,
    config: (id: NodeId, amnesiac: boolean, applied: number) => ConsensusConfig,
  ) {
    this.id = id;
    this.config = config;
    this.start();
  }

  get up(): boolean {
    return this.node !== null;
  }

  /** Loses everything not persisted: the node, its pending Ready, the state machine, waiting requests. */
  crash(): void {
    this.node = null;
    this.proposals.clear();
    this.reads.clear();
  }

  /** Whether this member lost its storage and has not been caught up by a leader since. */
  recovering(): boolean {
    const hard = this.hardStorage.load();
    return (
      hard.voteFloor === recovering ||
      (this.wiped && hard.term === 0 && this.logStorage.lastIndex() === 0)
    );
  }

  private wiped = false;

  wipe(): void {
    this.wiped = true;
    this.crash();
    this.logStorage = new MemoryLogStorage();
    this.hardStorage = new MemoryHardStateStorage();
  }

  /** Starts (again); a member whose storage was wiped knows it may have lost votes. */
  start(): void {
    const amnesiac =
      this.wiped && this.hardStorage.load().term === 0 && this.logStorage.lastIndex() === 0;
    this.incarnation++;
    this.machine = DigestMachine.fromSnapshot(this.logStorage.snapshot());
    this.node = new RawNode(
      this.config(this.id, amnesiac, this.machine.index),
      this.logStorage,
      this.hardStorage,
    );
  }

  /** Carries out one Ready through the production loop (src/core/consensus/ready-loop.ts). */
  handleReady(host: Host): void {
    const node = this.node;
    if (!node) return;
    const checker = host.checker;
    const loop: ReadyHost<void> = {
      log: this.logStorage,
      hard: this.hardStorage,
      transact: (body) => body(),
      restore: (snapshot) => {
        const { index, term } = snapshot.meta;
        if (index < this.machine.index)
          checker.fail(
            `member ${this.id} rewound its state from ${this.machine.index} to ${index}`,
          );
        this.machine = DigestMachine.fromSnapshot(snapshot);
        checker.onSnapshotApplied(this.id, index, term, this.machine.digest);
      },
      apply: (entries) => {
        for (const e of entries) {
          if (e.index !== this.machine.index + 1) {
            checker.fail(`member ${this.id} applied ${e.index} after ${this.machine.index}`);
          }
          this.machine.apply(e);
          checker.onApply(this.id, e, this.machine.digest);
        }
        return entries.map(() => undefined);
      },
      snapshotData: (meta) => {
        if (meta.index !== this.machine.index) {
          checker.fail(
            `member ${this.id} asked to compact at ${meta.index}, state at ${this.machine.index}`,
          );
        }
        return this.machine.snapshotData();
      },
      send: (messages) => {
        for (const m of messages) {
          checker.onSend(m);
          host.send(m);
        }
      },
      settle: (rd, applied) => {
        for (const { entry } of applied) {
          const p = this.proposals.get(entry.index);
          if (!p) continue;
          this.proposals.delete(entry.index);
          if (p.term === entry.term) host.acked(p, this.id);
        }
        for (const rs of rd.readStates) {
          const read = this.reads.get(rs.context);
          if (read) read.index = rs.index;
        }
        for (const read of this.reads.values()) {
          if (read.index !== undefined && this.machine.index >= read.index) {
            this.reads.delete(read.context);
            host.served(read, this.machine.index);
          }
        }
      },
    };
    if (handleReady(node, loop)) this.observe(checker);
  }

  /** Runs a call into the node and lets the checkers look at what it changed. */
  act<T>(checker: Checker, call: (node: RawNode) => T): T | undefined {
    const node = this.node;
    if (!node) return undefined;
    const result = call(node);
    this.observe(checker);
    return result;
  }

  private leaderTerm = -1;
  /** The commit index this member last had as leader of `leaderTerm`. */
  private leaderCommit = 0;
  /** The tick this member last became leader. */
  leaderSince = -1;

  private observe(checker: Checker): void {
    const node = this.node;
    if (!node) return;
    const soft = node.softState();
    checker.noteCommit(node.commitIndex());
    if (soft.role !== "leader") return;
    const commit = node.commitIndex();
    // A leader sleeps only with nothing in flight; a proposal always wakes it.
    const last = node.status().lastIndex;
    if (node.isQuiescent() && commit < last)
      checker.fail(
        `leader ${this.id} is quiescent with entries ${commit + 1}..${last} uncommitted`,
      );
    if (this.leaderTerm !== soft.term) {
      this.leaderTerm = soft.term;
      this.leaderSince = checker.now;
      this.leaderCommit = commit;
      checker.onLeader(this.id, soft.term, node);
    }
    if (commit > this.leaderCommit) {
      // Raft §5.4.2: a leader counts replicas only for entries of its own term.
      const t = node.logTerm(commit);
      if (t !== soft.term)
        checker.fail(
          `leader ${this.id} of term ${soft.term} advanced its commit to ${commit}, an entry of term ${t}`,
        );
      this.leaderCommit = commit;
    }
    checker.onLeaderCommit(soft.term, commit, node);
  }
}
