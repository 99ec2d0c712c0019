// The simulated network: seeded delay, loss, duplication (and so reordering), and a link table
// for symmetric and one-way partitions.

import type { Message } from "../../src/core/consensus/message.ts";
import type { Rng } from "../../src/core/random.ts";

export interface NetworkFaults {
  lossRate: number;
  duplicateRate: number;
  minDelaySteps: number;
  maxDelaySteps: number;
}

interface InFlight {
  deliverAt: number;
  seq: number;
  message: Message;
}

export class Network {
  private inFlight: InFlight[] = [];
  private seq = 0;
  /** cut.has("a>b") means messages from a to b are dropped. */
  private readonly cut = new Set<string>();
  sent = 0;
  faults: NetworkFaults;
  private readonly rng: Rng;

  constructor(rng: Rng, faults: NetworkFaults) {
    this.rng = rng;
    this.faults = faults;
  }

  /** Messages sent and not yet delivered or dropped. */
  inFlightCount(): number {
    return this.inFlight.length;
  }

  send(message: Message, now: number): void {
    this.sent++;
    if (this.rng.chance(this.faults.lossRate)) return;
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.rng.int(this.faults.minDelaySteps, this.faults.maxDelaySteps);
      this.inFlight.push({ deliverAt: now + delay, seq: this.seq++, message });
    }
  }

  /** Messages due at `now` whose link is up, in delivery order. */
  deliver(now: number): Message[] {
    const due = this.inFlight.filter((m) => m.deliverAt <= now);
    if (due.length === 0) return [];
    this.inFlight = this.inFlight.filter((m) => m.deliverAt > now);
    due.sort((a, b) => a.deliverAt - b.deliverAt || a.seq - b.seq);
    return due.map((m) => m.message).filter((m) => !this.cut.has(`${m.from}>${m.to}`));
  }

  cutLink(from: number, to: number): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Splits members into two sides that cannot talk to each other. */
  partition(sideA: readonly number[], sideB: readonly number[]): void {
    for (const a of sideA) {
      for (const b of sideB) {
        this.cutLink(a, b);
        this.cutLink(b, a);
      }
    }
  }

  isolate(member: number, members: readonly number[]): void {
    this.partition(
      [member],
      members.filter((m) => m !== member),
    );
  }

  heal(): void {
    this.cut.clear();
  }

  /** Whether messages from `from` to `to` are dropped. */
  isCut(from: number, to: number): boolean {
    return this.cut.has(`${from}>${to}`);
  }

  linksCut(): number {
    return this.cut.size;
  }
}
