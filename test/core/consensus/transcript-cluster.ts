// A scripted cluster for transcript tests: members driven command by command, messages delivered
// in a fixed order, so each scenario reads as a script with its expected output.

import { defaultTuning, type Mutant } from "../../../src/core/consensus/config.ts";
import { decodeMembership, type MembershipChange } from "../../../src/core/consensus/membership.ts";
import type { Message } from "../../../src/core/consensus/message.ts";
import { seededRng } from "../../../src/core/random.ts";
import { Checker } from "../../sim/checker.ts";
import { describeMessage } from "../../sim/describe-message.ts";
import { type Host, type Proposal, type Read, SimNode } from "../../sim/sim-node.ts";

export class TranscriptCluster implements Host {
  readonly checker = new Checker();
  private nodes: SimNode[] = [];
  private queue: Message[] = [];
  private readonly cut = new Set<string>();
  private out: string[] = [];
  private verbose = false;
  private starts = 0;

  /** Runs one command line and returns what it printed. */
  run(line: string): string[] {
    this.out = [];
    const [cmd = "", ...args] = line.trim().split(/\s+/);
    const n = (i: number) => {
      const node = this.nodes[Number(args[i])];
      if (!node) throw new Error(`no member ${args[i]}`);
      return node;
    };
    switch (cmd) {
      case "new":
        this.create(Object.fromEntries(args.map((a) => a.split("=") as [string, string])));
        break;
      case "campaign":
        n(0).act(this.checker, (node) => node.campaign());
        break;
      case "propose": {
        const r = n(0).act(this.checker, (node) =>
          node.propose(new TextEncoder().encode(args[1] ?? "")),
        );
        if (!r) this.print(`member ${args[0]} is down`);
        else if (r.ok) {
          n(0).proposals.set(r.index, { id: 0, index: r.index, term: r.term });
          this.print(`proposed at index ${r.index} term ${r.term}`);
        } else this.print(`refused: ${r.reason}, leader ${r.leader}`);
        break;
      }
      case "read": {
        const context = args[1] ?? "";
        const ok = n(0).act(this.checker, (node) => node.readIndex(context));
        if (ok)
          n(0).reads.set(context, {
            context,
            invokedAt: 0,
            commitAtInvoke: this.checker.maxCommitKnown,
          });
        else this.print("refused: no leader known");
        break;
      }
      case "transfer":
        this.print(
          n(0).act(this.checker, (node) => node.transferLeadership(Number(args[1])))
            ? "transferring"
            : "refused",
        );
        break;
      case "reconfig": {
        // reconfig <member> addVoter|addLearner|promote|remove <node>
        const change = { type: args[1], node: Number(args[2]) } as MembershipChange;
        const r = n(0).act(this.checker, (node) => node.proposeMembership(change));
        if (!r) this.print(`member ${args[0]} is down`);
        else if (r.ok) this.print(`proposed at index ${r.index} term ${r.term}`);
        else this.print(`refused: ${r.reason}${"message" in r ? ` (${r.message})` : ""}`);
        break;
      }
      case "config":
        for (const node of this.nodes) {
          const m = node.node?.membership();
          const c = node.node?.committedMembership();
          this.print(
            m && c
              ? `${node.id}: voters ${m.voters.join(",") || "-"} learners ${m.learners.join(",") || "-"}; committed voters ${c.voters.join(",") || "-"} learners ${c.learners.join(",") || "-"}`
              : `${node.id}: down`,
          );
        }
        break;
      case "tick":
        // tick <member> <count>: only that member's timer, nothing delivered.
        for (let i = 0; i < Number(args[1] ?? 1); i++) n(0).act(this.checker, (x) => x.tick());
        break;
      case "rounds":
        // rounds <count> [verbose]: that many rounds of Readies and deliveries.
        this.verbose = args[1] === "verbose";
        for (let i = 0; i < Number(args[0]); i++) this.round();
        this.verbose = false;
        break;
      case "stabilize":
        this.verbose = args[0] === "verbose";
        this.stabilize();
        this.verbose = false;
        break;
      case "elapse":
        // Rounds of one tick on every member, each followed by stabilizing.
        this.verbose = args[1] === "verbose";
        for (let i = 0; i < Number(args[0]); i++) {
          for (const node of this.nodes) node.act(this.checker, (x) => x.tick());
          this.stabilize();
        }
        this.verbose = false;
        break;
      case "isolate":
        for (const other of this.nodes)
          if (other.id !== Number(args[0])) this.cutBoth(Number(args[0]), other.id);
        break;
      case "partition": {
        const bar = args.indexOf("|");
        for (const a of args.slice(0, bar))
          for (const b of args.slice(bar + 1)) this.cutBoth(Number(a), Number(b));
        break;
      }
      case "heal":
        this.cut.clear();
        break;
      case "crash":
        n(0).crash();
        break;
      case "wipe":
        n(0).wipe();
        break;
      case "restart":
        n(0).start();
        break;
      case "status":
        for (const node of this.nodes) this.print(this.describe(node));
        break;
      case "log": {
        const node = n(0);
        const snap = node.logStorage.snapshot().meta;
        if (snap.index > 0) this.print(`snapshot at ${snap.index}/${snap.term}`);
        for (const e of node.logStorage.entries(
          node.logStorage.firstIndex(),
          node.logStorage.lastIndex() + 1,
        )) {
          const m = e.kind === "config" ? decodeMembership(e.data) : null;
          this.print(
            `${e.index}/${e.term} ${
              e.kind === "noop"
                ? "(noop)"
                : m
                  ? `(config: voters ${m.voters.join(",")} learners ${m.learners.join(",") || "-"})`
                  : new TextDecoder().decode(e.data)
            }`,
          );
        }
        break;
      }
      default:
        throw new Error(`unknown command ${cmd}`);
    }
    if (this.checker.violations.length > 0)
      this.print(...this.checker.violations.map((v) => `VIOLATION ${v}`));
    return this.out;
  }

  private create(opts: Record<string, string>): void {
    const members = Number(opts.members ?? 3);
    const ids = Array.from({ length: members }, (_, i) => i);
    // pool=N: members beyond the first ones start empty, outside the ensemble, to be added.
    const pool = Array.from({ length: Number(opts.pool ?? members) }, (_, i) => i);
    const seed = Number(opts.seed ?? 1);
    const mutants = new Set((opts.mutants ?? "").split(",").filter(Boolean) as Mutant[]);
    this.nodes = pool.map(
      (id) =>
        new SimNode(id, (nid, amnesiac, applied) => ({
          ...defaultTuning,
          id: nid,
          voters: ids,
          // A fresh stream per start, as a real host seeds from entropy: incarnations must differ.
          random: seededRng(seed * 1000 + nid * 100 + this.starts++),
          compactionThresholdEntries: Number(opts.compaction ?? 1000),
          applied,
          amnesiac,
          mutants,
        })),
    );
  }

  private cutBoth(a: number, b: number): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  private print(...lines: string[]): void {
    this.out.push(...lines);
  }

  /** Handles Readies and delivers messages, in member order, until nothing moves. */
  private stabilize(): void {
    for (let round = 0; round < 1000; round++) if (!this.round()) return;
    throw new Error("stabilize did not settle in 1000 rounds");
  }

  /** One round: every member's Ready, then every message queued; whether anything moved. */
  private round(): boolean {
    let moved = false;
    for (const node of this.nodes) {
      if (node.node?.hasReady()) {
        node.handleReady(this);
        moved = true;
      }
    }
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) {
      moved = true;
      const to = this.nodes[m.to];
      if (this.cut.has(`${m.from}>${m.to}`) || !to?.up) continue;
      if (this.verbose) this.print(describeMessage(m));
      to.act(this.checker, (node) => node.step(m));
    }
    return moved;
  }

  private describe(n: SimNode): string {
    const s = n.node?.status();
    if (!s) return `${n.id}: down`;
    const lead = s.leader === null ? "none" : String(s.leader);
    const asleep = s.quiescent ? " (quiescent)" : "";
    const recovering = n.recovering() ? " (recovering)" : "";
    return `${n.id}: ${s.role} term ${s.term} leader ${lead} commit ${s.commit} applied ${s.applied} log ${s.firstIndex}..${s.lastIndex}${asleep}${recovering}`;
  }

  // ---- Host ---------------------------------------------------------------------------------

  send(message: Message): void {
    this.queue.push(message);
  }

  acked(proposal: Proposal, member: number): void {
    this.print(`member ${member} applied its proposal at index ${proposal.index}`);
  }

  served(read: Read, appliedIndex: number): void {
    this.print(`read ${read.context} served at index ${appliedIndex}`);
  }
}
