// One seeded simulation run: phase 1 injects faults while clients write and read; phase 2 heals
// and demands progress; an optional phase 3 measures load cost and leader failover.

import {
  type ConsensusConfig,
  defaultTuning,
  type Mutant,
} from "../../src/core/consensus/config.ts";
import type { NodeId } from "../../src/core/consensus/entry.ts";
import {
  changeMembership,
  isMember,
  type Membership,
  type MembershipChange,
  majorityOf,
  sameMembership,
} from "../../src/core/consensus/membership.ts";
import type { Message } from "../../src/core/consensus/message.ts";
import { type Rng, seededRng } from "../../src/core/random.ts";
import { Checker } from "./checker.ts";
import { describeMessage } from "./describe-message.ts";
import {
  failedVoter,
  type MembershipPlan,
  type MembershipScenario,
  planMembership,
  stepDone,
  stepPossible,
} from "./membership-plan.ts";
import { Network } from "./network.ts";
import { type Host, type Proposal, type Read, SimNode } from "./sim-node.ts";

export interface SimOptions {
  seed: number;
  /** Voters at the start (a membership scenario decides its own). */
  members: number;
  /** Change the membership while faults go on (membership-plan.ts). */
  membership?: MembershipScenario | null;
  mutants?: readonly Mutant[];
  /** Ticks of phase 1 (faults on). */
  faultTicks?: number;
  /** Phase 2 must see a new write committed and applied everywhere within this many ticks. */
  livenessTicks?: number;
  /** Rounds of phase 3: idle until asleep, lose volatile state, wake on demand (0 skips it). */
  quietRounds?: number;
  /** Run phase 4 (measurements). */
  measure?: boolean;
  /** Use the production batching and compaction settings instead of per-seed ones. */
  defaultTuning?: boolean;
  /** Receives a line per delivery, fault and persisted Ready, for replaying a failure. */
  trace?: ((line: string) => void) | null;
}

export interface SimStats {
  ticksToFirstLeader: number | null;
  failoverTicks: number | null;
  messagesPerEntry: number | null;
  ticksToProgressAfterHeal: number | null;
  /** Phase 3: ticks from the last write until every member slept, and to serve a write after. */
  ticksToQuiesce: number[];
  ticksToWakeWrite: number[];
  /** Membership scenarios: ticks from a step's first proposal until its leader committed it. */
  ticksPerMembershipStep: number[];
  /** The tick every step of the plan was committed (null without a plan or before it is done). */
  membershipDoneAt: number | null;
  evictions: number;
  proposalsAcked: number;
  readsServed: number;
  crashes: number;
  wipes: number;
  snapshotsSent: number;
  lastIndex: number;
  ticks: number;
}

export interface SimResult {
  seed: number;
  members: number;
  membership: MembershipScenario | null;
  violations: string[];
  stats: SimStats;
}

/** Per-seed settings, drawn from the seed so that seeds cover many shapes of cluster. */
interface SimTuning {
  maxEntries: number;
  maxInflight: number;
  compaction: number;
  /** Chance per step that a member handles its Ready (lower: more batching, later persistence). */
  readyRate: number;
  /** Chance per tick that a leader younger than two ticks is crashed or cut off. */
  leaderKillRate: number;
  restartRate: number;
  proposalsPerTick: number;
}

const stepsPerTick = 4;
const electionTicks = defaultTuning.electionTicks;

export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

class Simulation implements Host {
  readonly checker = new Checker();
  private readonly rng: Rng;
  private readonly network: Network;
  private readonly nodes: SimNode[];
  private readonly ids: NodeId[];
  private step = 0;
  private nextProposal = 0;
  private nextRead = 0;
  private readonly acks: Proposal[] = [];
  private readonly stats: SimStats = {
    ticksToFirstLeader: null,
    failoverTicks: null,
    messagesPerEntry: null,
    ticksToProgressAfterHeal: null,
    ticksToQuiesce: [],
    ticksToWakeWrite: [],
    ticksPerMembershipStep: [],
    membershipDoneAt: null,
    evictions: 0,
    proposalsAcked: 0,
    readsServed: 0,
    crashes: 0,
    wipes: 0,
    snapshotsSent: 0,
    lastIndex: 0,
    ticks: 0,
  };
  private readonly options: Required<Omit<SimOptions, "mutants">> & { mutants: readonly Mutant[] };
  private readonly tuning: SimTuning;
  private readonly plan: MembershipPlan | null;
  /** The voters every member starts from (ConsensusConfig.voters). */
  private readonly bootstrap: readonly NodeId[];
  /** The plan's steps not yet committed, when the pending one was first proposed, removed members. */
  private remaining: MembershipChange[] = [];
  private stepProposedAt: number | null = null;
  private committedConfig: Membership = { voters: [], learners: [] };
  /** The leader's commit index when committedConfig was read: it only moves forward. */
  private committedConfigAt = 0;
  private membershipStarted = false;
  private readonly retired = new Set<NodeId>();
  /** Removed by a committed change, not yet stopped by their host. */
  private readonly removed = new Set<NodeId>();
  /** A leader to crash shortly after it proposed a membership change. */
  private pendingKill: { node: SimNode; atStep: number; isolate: boolean } | null = null;

  constructor(options: SimOptions) {
    this.options = {
      faultTicks: 300,
      livenessTicks: 40 * electionTicks,
      quietRounds: 4,
      measure: false,
      mutants: [],
      trace: null,
      defaultTuning: false,
      membership: null,
      ...options,
    };
    this.rng = seededRng(options.seed);
    // Drawn from its own stream, so a seed without a plan runs exactly as it always did.
    this.plan = options.membership
      ? planMembership(options.membership, seededRng(options.seed ^ 0x5eed))
      : null;
    const maxDelay = this.rng.int(2, 10);
    this.network = new Network(seededRng(this.rng.int(0, 2 ** 32 - 1)), {
      lossRate: this.rng.next() * 0.1,
      duplicateRate: this.rng.next() * 0.05,
      minDelaySteps: 1,
      maxDelaySteps: maxDelay,
    });
    const churn = this.rng.chance(0.5);
    this.tuning = {
      // Small batches often: old-term entries then travel apart from a new leader's first entry.
      maxEntries: [1, 1, 1, 2, 4, 16][this.rng.int(0, 5)] as number,
      maxInflight: this.rng.int(1, 8),
      compaction: this.rng.int(4, 60),
      readyRate: 0.3 + this.rng.next() * 0.7,
      // Half the seeds churn leaders: killed or cut off young, members back quickly.
      leaderKillRate: churn ? 0.5 : 0,
      restartRate: churn ? 0.3 : 0.08,
      proposalsPerTick: this.rng.int(1, 4),
    };
    if (this.options.defaultTuning) {
      this.tuning.maxEntries = defaultTuning.maxEntriesPerAppend;
      this.tuning.maxInflight = defaultTuning.maxInflightAppends;
      this.tuning.compaction = defaultTuning.compactionThresholdEntries;
    }
    this.ids = this.plan
      ? [...this.plan.pool]
      : Array.from({ length: options.members }, (_, i) => i);
    this.bootstrap = this.plan ? this.plan.bootstrap : this.ids;
    this.remaining = this.plan ? [...this.plan.steps] : [];
    this.committedConfig = { voters: this.bootstrap, learners: [] };
    this.nodes = this.ids.map(
      (id) => new SimNode(id, (nid, amnesiac, applied) => this.config(nid, amnesiac, applied)),
    );
  }

  private config(id: NodeId, amnesiac: boolean, applied: number): ConsensusConfig {
    return {
      ...defaultTuning,
      id,
      voters: this.bootstrap,
      random: seededRng(this.rng.int(0, 2 ** 32 - 1)),
      maxEntriesPerAppend: this.tuning.maxEntries,
      maxInflightAppends: this.tuning.maxInflight,
      compactionThresholdEntries: this.tuning.compaction,
      maxUncommittedEntries: 500,
      applied,
      amnesiac,
      mutants: new Set(this.options.mutants),
    };
  }

  // ---- Host ---------------------------------------------------------------------------------

  send(message: Message): void {
    if (message.type === "snapshot") this.stats.snapshotsSent++;
    this.network.send(message, this.step);
  }

  acked(proposal: Proposal): void {
    proposal.ackedAt = this.tick;
    this.acks.push(proposal);
    this.stats.proposalsAcked++;
  }

  served(read: Read, appliedIndex: number): void {
    this.stats.readsServed++;
    if (appliedIndex < read.commitAtInvoke) {
      this.checker.fail(
        `read ${read.context} served at index ${appliedIndex}, but ${read.commitAtInvoke} was committed when it was issued`,
      );
    }
  }

  // ---- the run ------------------------------------------------------------------------------

  private get tick(): number {
    return Math.floor(this.step / stepsPerTick);
  }

  run(): SimResult {
    try {
      this.phases();
    } catch (error) {
      // An invariant that throws is a member crashing on a bug: a violation like any other.
      this.checker.fail(`exception: ${(error as Error).stack ?? error}`);
    }
    this.stats.ticks = this.tick;
    this.stats.lastIndex = this.checker.maxApplied;
    return {
      seed: this.options.seed,
      members: this.bootstrap.length,
      membership: this.plan?.scenario ?? null,
      violations: this.checker.violations,
      stats: this.stats,
    };
  }

  private phases(): void {
    const { faultTicks } = this.options;
    // Let the first election happen on a merely lossy network, and time it.
    while (this.stats.ticksToFirstLeader === null && this.tick < 20 * electionTicks && this.ok()) {
      this.advanceTick(false, false);
      if (this.leader()) this.stats.ticksToFirstLeader = this.tick;
    }
    // The plan starts with the faults: the first leader only had to be elected.
    this.membershipStarted = true;
    const wipe = this.plan?.wipe;
    const victim = wipe === undefined || wipe === null ? undefined : this.nodes[wipe];
    if (victim && !this.nodes.some((n) => n.recovering()) && this.wipeable(victim)) {
      victim.wipe();
      victim.start();
      this.stats.wipes++;
      this.options.trace?.(`${this.tick} wipe ${wipe} (to be replaced)`);
    }
    const faultEnd = this.tick + faultTicks;
    while (this.tick < faultEnd && this.ok()) this.advanceTick(true, true);
    if (this.ok()) this.heal();
    if (this.ok()) this.requireMembership();
    if (this.ok()) this.requireProgress();
    for (let round = 0; round < this.options.quietRounds && this.ok(); round++) this.quietRound();
    if (this.ok() && this.options.measure) this.measure();
    if (this.ok()) this.finalChecks();
  }

  private ok(): boolean {
    return this.checker.violations.length === 0;
  }

  /** One tick: stepsPerTick rounds of delivery and Ready handling, then timers, faults, clients. */
  private advanceTick(faults: boolean, clients: boolean): void {
    for (let s = 0; s < stepsPerTick; s++) {
      this.step++;
      this.checker.now = this.tick;
      if (this.pendingKill && this.step >= this.pendingKill.atStep) {
        const { node, isolate } = this.pendingKill;
        this.pendingKill = null;
        if (isolate) {
          this.network.isolate(node.id, this.ids);
          this.options.trace?.(
            `${this.tick}.${s} isolate ${node.id} (proposed a membership change)`,
          );
        } else if (node.up) {
          node.crash();
          this.stats.crashes++;
          this.options.trace?.(`${this.tick}.${s} crash ${node.id} (proposed a membership change)`);
        }
      }
      for (const m of this.network.deliver(this.step)) {
        if (this.options.trace && this.nodes[m.to]?.up)
          this.options.trace(`${this.tick}.${s} ${describeMessage(m)}`);
        this.nodes[m.to]?.act(this.checker, (n) => n.step(m));
      }
      for (const n of this.nodes) {
        if (this.rng.chance(this.tuning.readyRate)) n.handleReady(this);
      }
    }
    for (const n of this.nodes) n.act(this.checker, (node) => node.tick());
    if (this.plan && this.membershipStarted && (!faults || this.rng.chance(0.3)))
      this.driveMembership(faults);
    if (faults) this.injectFaults();
    if (clients) this.clientActions();
    if (this.tick % 25 === 0) this.checker.checkLogMatching(this.upNodes());
  }

  private upNodes(): Array<{ id: NodeId; node: NonNullable<SimNode["node"]> }> {
    return this.nodes.flatMap((n) => (n.node ? [{ id: n.id, node: n.node }] : []));
  }

  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes) {
      const s = n.node?.softState();
      if (s?.role === "leader" && (!best || s.term > (best.node?.softState().term ?? -1))) best = n;
    }
    return best;
  }

  private injectFaults(): void {
    const r = this.rng;
    const net = this.network;
    if (r.chance(0.02)) {
      const shuffled = [...this.ids].sort(() => r.next() - 0.5);
      const cut = r.int(1, this.ids.length - 1);
      net.partition(shuffled.slice(0, cut), shuffled.slice(cut));
    }
    if (r.chance(0.015)) {
      for (let i = r.int(1, this.ids.length); i > 0; i--)
        net.cutLink(r.int(0, this.ids.length - 1), r.int(0, this.ids.length - 1));
    }
    if (r.chance(0.01)) net.isolate(r.int(0, this.ids.length - 1), this.ids);
    if (r.chance(0.04)) net.heal();
    // Leaders that die young leave divergent uncommitted entries from many terms behind.
    const newLeader = this.nodes.find(
      (n) => n.node?.softState().role === "leader" && this.tick - n.leaderSince < 3,
    );
    if (newLeader && r.chance(this.tuning.leaderKillRate)) {
      if (r.chance(0.5)) {
        newLeader.crash();
        this.options.trace?.(`${this.tick} crash ${newLeader.id} (new leader)`);
        this.stats.crashes++;
      } else {
        net.isolate(newLeader.id, this.ids);
        this.options.trace?.(`${this.tick} isolate ${newLeader.id} (new leader)`);
      }
    }
    for (const n of this.nodes) {
      if (this.retired.has(n.id)) continue;
      if (n.up) {
        // Losing a second member's storage before the first has recovered can lose committed
        // data; that is a real outage, not a bug, so the simulator wipes one member at a time.
        if (r.chance(0.002) && !this.nodes.some((o) => o.recovering()) && this.wipeable(n)) {
          n.wipe();
          this.options.trace?.(`${this.tick} wipe ${n.id}`);
          this.stats.wipes++;
          n.start();
        } else if (r.chance(0.012)) {
          n.crash();
          this.options.trace?.(`${this.tick} crash ${n.id}`);
          this.stats.crashes++;
        }
      } else if (r.chance(this.tuning.restartRate)) {
        n.start();
        this.options.trace?.(`${this.tick} restart ${n.id}`);
      }
    }
  }

  /**
   * Whether losing `n`'s storage leaves a quorum of whole voters in the configuration reached and
   * in the one the plan is heading for (two voters tolerate no loss at all).
   */
  private wipeable(n: SimNode): boolean {
    return this.reachableConfigs().every(
      ({ voters }) => !voters.includes(n.id) || voters.length - 1 >= majorityOf(voters.length),
    );
  }

  private clientActions(): void {
    const r = this.rng;
    const up = this.nodes.filter((n) => n.up);
    if (up.length === 0) return;
    for (let i = r.int(0, this.tuning.proposalsPerTick); i > 0; i--)
      this.propose(up[r.int(0, up.length - 1)] as SimNode);
    if (r.chance(0.3)) {
      const n = up[r.int(0, up.length - 1)] as SimNode;
      const context = `r${this.nextRead++}`;
      const read: Read = {
        context,
        invokedAt: this.tick,
        commitAtInvoke: this.checker.maxCommitKnown,
      };
      if (n.act(this.checker, (node) => node.readIndex(context))) n.reads.set(context, read);
    }
  }

  /**
   * A client writes through `via`, or through the leader `via` names. When no leader can take it
   * (none known, or the named one is down or no longer leads), `via` campaigns at once, as a
   * member does when a client waits: asleep, nobody else would notice a lost leader.
   */
  private propose(via: SimNode): Proposal | null {
    const id = this.nextProposal++;
    const data = new TextEncoder().encode(`p${id}`);
    let target = via;
    let result = via.act(this.checker, (n) => n.propose(data));
    if (result && !result.ok && result.leader !== null && result.leader !== via.id) {
      target = this.nodes[result.leader] as SimNode;
      result = target.act(this.checker, (n) => n.propose(data));
    }
    if (!result?.ok) {
      if (!result || result.reason === "notLeader") {
        // A learner cannot campaign: it asks a voter to (as a member host forwards to one).
        const voters = via.node?.membership().voters ?? [];
        const campaigner = voters.includes(via.id)
          ? via
          : this.nodes[voters[this.rng.int(0, voters.length - 1)] ?? via.id];
        campaigner?.act(this.checker, (n) => n.campaign());
      }
      return null;
    }
    const proposal: Proposal = { id, index: result.index, term: result.term };
    target.proposals.set(result.index, proposal);
    return proposal;
  }

  // ---- phase 2: liveness --------------------------------------------------------------------

  /** Stops a removed member for good. */
  private retire(id: NodeId): void {
    this.removed.delete(id);
    this.retired.add(id);
    this.nodes[id]?.crash();
    this.options.trace?.(`${this.tick} retire ${id}`);
  }

  private heal(): void {
    this.pendingKill = null;
    for (const id of this.removed) this.retire(id);
    this.network.heal();
    this.network.faults = { ...this.network.faults, lossRate: 0, duplicateRate: 0 };
    for (const n of this.nodes) if (!n.up && !this.retired.has(n.id)) n.start();
  }

  // ---- membership changes -------------------------------------------------------------------

  /** The newest configuration a leader was seen to have committed (the first one before that). */
  private plannedMembership(): Membership {
    return this.committedConfig;
  }

  /** Members of the configuration reached, not removed: the ones that must keep up. */
  private memberNodes(): SimNode[] {
    const m = this.plannedMembership();
    return this.nodes.filter((n) => isMember(m, n.id) && !this.retired.has(n.id));
  }

  /** Configurations the ensemble may be in now or next: the one reached, and one step on. */
  private reachableConfigs(): Membership[] {
    const m = this.committedConfig;
    const next = this.remaining
      .flatMap((step) =>
        step.node === failedVoter ? this.bootstrap.map((node) => ({ ...step, node })) : [step],
      )
      .flatMap((step) => {
        const after = changeMembership(m, step);
        return typeof after === "string" ? [] : [after];
      });
    return [m, ...next];
  }

  /**
   * Moves the plan on: marks the steps the leader has committed as done (stopping a removed
   * member, as its host would), and when nothing is pending proposes one of the remaining steps
   * at random — handing leadership over first when it removes the leader. While faults go on, a
   * leader that proposed may crash right after.
   */
  private driveMembership(faults: boolean): void {
    if (this.remaining.length === 0) return;
    const leader = this.leader();
    const node = leader?.node;
    if (!leader || !node) return;
    // A leader resumed after a restart may know less of its commit index than was committed.
    if (node.commitIndex() < this.committedConfigAt) return;
    const committed = node.committedMembership();
    this.committedConfig = committed;
    this.committedConfigAt = node.commitIndex();
    const done = this.remaining.filter(
      (step, i) =>
        stepDone(committed, step, this.bootstrap) &&
        !this.remaining.slice(0, i).some((earlier) => earlier.node === step.node),
    );
    for (const step of done) {
      this.remaining.splice(this.remaining.indexOf(step), 1);
      if (this.stepProposedAt !== null)
        this.stats.ticksPerMembershipStep.push(this.tick - this.stepProposedAt);
      this.stepProposedAt = null;
      this.options.trace?.(`${this.tick} membership ${step.type} ${step.node} committed`);
      // The host stops a member once its removal is committed, but it may be down or cut off
      // then: until the network heals, it may stay (or come back) for a while.
      if (step.type === "remove" && step.node !== failedVoter) this.removed.add(step.node);
      else if (step.type === "remove")
        for (const id of this.bootstrap)
          if (!isMember(committed, id) && !this.retired.has(id)) this.removed.add(id);
    }
    for (const id of this.removed) if (!faults || this.rng.chance(0.2)) this.retire(id);
    if (this.remaining.length === 0) {
      this.stats.membershipDoneAt = this.tick;
      return;
    }
    if (!sameMembership(node.membership(), committed)) return; // a change is on its way
    const possible = this.remaining
      .filter(
        (step, i) => !this.remaining.slice(0, i).some((earlier) => earlier.node === step.node),
      )
      .map((step) =>
        step.node === failedVoter ? { ...step, node: this.failedVoter(leader, committed) } : step,
      )
      .filter((step) => stepPossible(committed, step));
    const step = possible[this.rng.int(0, possible.length - 1)];
    if (!step) return;
    const result = leader.act(this.checker, (n) => n.proposeMembership(step));
    if (!result) return;
    if (result.ok) {
      this.stepProposedAt ??= this.tick;
      this.options.trace?.(`${this.tick} ${leader.id} proposes ${step.type} ${step.node}`);
      if (faults && this.rng.chance(0.3))
        this.pendingKill = {
          node: leader,
          atStep: this.step + this.rng.int(1, 3 * stepsPerTick),
          isolate: this.rng.chance(0.5),
        };
    } else if (result.reason === "removesLeader") {
      const others = node.membership().voters.filter((v) => v !== leader.id);
      const to = others[this.rng.int(0, others.length - 1)];
      if (to !== undefined) leader.act(this.checker, (n) => n.transferLeadership(to));
    }
  }

  /**
   * The voter an operator would replace: one that is down, cut off from the leader or has lost
   * its storage, if any; else any voter but the leader.
   */
  private failedVoter(leader: SimNode, m: Membership): NodeId {
    // One of the members the ensemble started with (not the one being added in its place).
    const others = m.voters.filter((v) => v !== leader.id && this.bootstrap.includes(v));
    const failed = others.filter((v) => {
      const n = this.nodes[v];
      return !n?.up || n.recovering() || this.network.isCut(leader.id, v);
    });
    const from = failed.length > 0 ? failed : others;
    return from[this.rng.int(0, from.length - 1)] ?? failedVoter;
  }

  /** Phase 2 for a plan: every step committed within a bound once the network has healed. */
  private requireMembership(): void {
    const plan = this.plan;
    if (!plan) return;
    const start = this.tick;
    const bound = (plan.steps.length + 2) * 20 * electionTicks;
    while (this.remaining.length > 0 && this.tick < start + bound && this.ok()) {
      // A client keeps writing meanwhile, so a stalled ensemble shows.
      const leader = this.leader();
      if (leader && this.tick % 5 === 0) this.propose(leader);
      this.advanceTick(false, false);
    }
    const next = this.remaining[0];
    if (this.ok() && next) {
      this.checker.fail(
        `membership changes not committed within ${bound} ticks of healing: ${this.remaining.map((c) => `${c.type} ${c.node}`).join(", ")} [${this.describeStates()}]`,
      );
    }
  }

  /**
   * Phase 2's bound: the configured ticks, plus the time flow control needs to ship the backlog
   * (a round trip per maxEntries × maxInflight entries).
   */
  private progressBoundTicks(): number {
    const commits = this.upNodes().map((n) => n.node.commitIndex());
    const lasts = this.upNodes().map((n) => n.node.status().lastIndex);
    const backlog = Math.max(0, Math.max(...lasts) - Math.min(...commits));
    const roundTripTicks = (2 * this.network.faults.maxDelaySteps) / stepsPerTick + 1;
    const perRoundTrip = this.tuning.maxEntries * this.tuning.maxInflight;
    return this.options.livenessTicks + Math.ceil((backlog / perRoundTrip) * roundTripTicks);
  }

  private requireProgress(): void {
    const start = this.tick;
    const bound = this.progressBoundTicks();
    const deadline = start + bound;
    let pending: Proposal | null = null;
    let proposedAt = 0;
    while (this.tick < deadline && this.ok()) {
      this.advanceTick(false, false);
      const leader = this.leader();
      // Like a client with a timeout: retry a write that was not acknowledged in time.
      const timedOut = pending?.ackedAt === undefined && this.tick - proposedAt > 2 * electionTicks;
      if (!pending || timedOut) {
        // Through the leader if one is known, else through any member (which campaigns).
        const up = this.nodes.filter((n) => n.up);
        const via = leader ?? up[this.rng.int(0, up.length - 1)];
        if (via) pending = this.propose(via);
        proposedAt = this.tick;
      }
      if (
        pending?.ackedAt !== undefined &&
        this.memberNodes().every((n) => n.machine.index >= (pending?.index ?? 0))
      ) {
        this.stats.ticksToProgressAfterHeal = this.tick - start;
        this.options.trace?.(`${this.tick} progress after healing [${this.describeStates()}]`);
        return;
      }
    }
    if (this.ok()) {
      this.checker.fail(
        `no write committed and applied everywhere within ${bound} ticks of healing [${this.describeStates()}]`,
      );
    }
  }

  private describeStates(): string {
    return this.nodes
      .map((n) => {
        const s = n.node?.status();
        return s
          ? `${n.id}:${s.role}/t${s.term}/lead${s.leader}/c${s.commit}/a${s.applied}/l${s.lastIndex}${s.quiescent ? "/q" : ""}`
          : `${n.id}:down`;
      })
      .join(" ");
  }

  // ---- phase 3: quiescence ------------------------------------------------------------------

  /**
   * One round of an idle ensemble: a follower may be down while writes commit; the ensemble must
   * fall asleep (every member quiescent, nothing in flight) and stay silent; members then lose
   * their volatile state at random (eviction) and the leader may crash in its sleep; a client's
   * write through any member must then be acknowledged within a bound — on a lossy network.
   */
  private quietRound(): void {
    const r = this.rng;
    this.network.faults = { ...this.network.faults, lossRate: r.next() * 0.1, duplicateRate: 0 };
    const down = r.chance(0.5) ? this.follower() : undefined;
    down?.crash();
    if (down) this.options.trace?.(`${this.tick} crash ${down.id} (quiet round)`);
    for (let i = r.int(0, 3); i > 0 && this.ok(); i--) this.writeAndWait(this.leader());
    if (!this.ok()) return;

    const start = this.tick;
    const bound = 60 * electionTicks;
    while (!this.asleep() && this.tick < start + bound && this.ok()) this.advanceTick(false, false);
    if (!this.ok()) return;
    if (!this.asleep()) {
      this.checker.fail(
        `not asleep ${bound} ticks after the last write [${this.describeStates()}]`,
      );
      return;
    }
    this.stats.ticksToQuiesce.push(this.tick - start);

    const sent = this.network.sent;
    for (let t = 0; t < 5 * electionTicks && this.ok(); t++) this.advanceTick(false, false);
    if (this.network.sent !== sent) {
      this.checker.fail(`${this.network.sent - sent} messages sent while quiescent`);
      return;
    }

    for (const n of this.nodes) {
      if (n.up && r.chance(0.5)) {
        n.crash();
        n.start();
        this.stats.evictions++;
        this.options.trace?.(`${this.tick} evict ${n.id}`);
      }
    }
    down?.start(); // back asleep, and behind if writes committed without it
    const leader = this.leader();
    // Only while the others can still elect: a wiped member not yet caught up cannot vote.
    const { voters: config } = this.plannedMembership();
    const voters = this.nodes.filter(
      (n) => config.includes(n.id) && n.up && n !== leader && !n.recovering(),
    ).length;
    if (leader && r.chance(0.5) && voters >= majorityOf(config.length)) {
      leader.crash();
      this.stats.crashes++;
      this.options.trace?.(`${this.tick} crash ${leader.id} (asleep)`);
    }
    const up = this.nodes.filter((n) => n.up);
    const ticks = this.writeAndWait(up[r.int(0, up.length - 1)]);
    if (ticks !== null) this.stats.ticksToWakeWrite.push(ticks);
    for (const n of this.nodes) if (!n.up && !this.retired.has(n.id)) n.start();
  }

  /** Writes through `via` (then through random members) until acknowledged; the ticks it took. */
  private writeAndWait(via: SimNode | undefined): number | null {
    const start = this.tick;
    const bound = 20 * electionTicks;
    let pending: Proposal | null = null;
    let proposedAt = -Infinity;
    let through = via;
    while (this.tick < start + bound && this.ok()) {
      if (pending?.ackedAt !== undefined) return this.tick - start;
      // Like a client with a timeout: retry through another member when no answer comes.
      if (this.tick - proposedAt > 2 * electionTicks) {
        const up = this.nodes.filter((n) => n.up);
        through ??= up[this.rng.int(0, up.length - 1)];
        if (through) pending = this.propose(through);
        through = undefined;
        proposedAt = this.tick;
      }
      this.advanceTick(false, false);
    }
    if (this.ok()) {
      const states = this.describeStates();
      this.checker.fail(
        `a write issued with a quorum up was not acknowledged within ${bound} ticks [${states}]`,
      );
    }
    return null;
  }

  private follower(): SimNode | undefined {
    const { voters } = this.plannedMembership();
    const followers = this.nodes.filter(
      (n) => n.up && voters.includes(n.id) && n.node?.softState().role === "follower",
    );
    return followers[this.rng.int(0, followers.length - 1)];
  }

  /** Every member up is quiescent and no message is on its way. */
  private asleep(): boolean {
    return (
      this.network.inFlightCount() === 0 &&
      this.nodes.every((n) => !n.node || (n.node.isQuiescent() && !n.node.hasReady()))
    );
  }

  // ---- phase 4: measurements ----------------------------------------------------------------

  private measure(): void {
    const sentBefore = this.network.sent;
    const committedBefore = this.checker.maxCommitKnown;
    for (let t = 0; t < 50 && this.ok(); t++) {
      const leader = this.leader();
      if (leader) for (let i = 0; i < 8; i++) this.propose(leader);
      this.advanceTick(false, false);
    }
    for (let t = 0; t < 10 && this.ok(); t++) this.advanceTick(false, false);
    const entries = this.checker.maxCommitKnown - committedBefore;
    if (entries > 0) this.stats.messagesPerEntry = (this.network.sent - sentBefore) / entries;

    const old = this.leader();
    if (!old) return;
    const oldTerm = old.node?.softState().term ?? 0;
    old.crash();
    const start = this.tick;
    while (this.tick < start + 40 * electionTicks && this.ok()) {
      this.advanceTick(false, false);
      const leader = this.leader();
      const soft = leader?.node?.softState();
      if (
        leader &&
        soft &&
        soft.term > oldTerm &&
        leader.node?.logTerm(leader.node.commitIndex()) === soft.term
      ) {
        this.stats.failoverTicks = this.tick - start;
        break;
      }
    }
    old.start();
    for (let t = 0; t < 5 * electionTicks && this.ok(); t++) this.advanceTick(false, false);
  }

  private finalChecks(): void {
    this.checker.checkLogMatching(this.upNodes());
    for (const p of this.acks) {
      const c = this.checker.committedAt(p.index);
      if (c?.term !== p.term)
        this.checker.fail(
          `acknowledged proposal p${p.id} at ${p.index}/${p.term} is not in the committed log`,
        );
    }
  }
}
