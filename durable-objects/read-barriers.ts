// Linearizable read points (Raft's ReadIndex): a read served after its barrier resolves reflects
// every write acknowledged before it was asked. Also the two waits other duties share: for a
// leader to be known, and for this member to apply a zxid.

import type { RawNode } from "../src/core/consensus/raw-node.ts";
import type { ReadState } from "../src/core/consensus/ready.ts";
import { earliest, type Parked, WaitList } from "./wait-list.ts";

export interface BarrierTimes {
  readonly now: () => number;
  /** How long a request may wait for a leader, a commit or a local apply. */
  readonly requestTimeoutMs: number;
  /** How long a read point may take (a few election timeouts). */
  readonly readTimeoutMs: number;
}

export class ReadBarriers {
  readonly #node: RawNode;
  readonly #id: number;
  readonly #times: BarrierTimes;
  /** Called when a wait is parked, so the member books a wake-up for its deadline. */
  readonly #parked: () => void;
  readonly #leader = new WaitList<boolean>();
  readonly #applied = new WaitList<boolean, Parked<boolean> & { zxid: number }>();
  /** Read points asked for, by context; `index` arrives in a later Ready. */
  readonly #reads = new Map<string, Parked<boolean> & { index?: number }>();
  #readSeq = 0;

  constructor(node: RawNode, id: number, times: BarrierTimes, parked: () => void) {
    this.#node = node;
    this.#id = id;
    this.#times = times;
    this.#parked = parked;
  }

  /**
   * Resolves true once this member has applied everything committed when it was called; false
   * when no leader answered in time. With no leader known, this member campaigns at once.
   */
  async syncPoint(drain: () => void): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const context = `${this.#id}:${++this.#readSeq}`;
      if (!this.#node.readIndex(context)) {
        this.#node.campaign();
        drain();
        if (!(await this.leaderKnown())) return false;
        continue;
      }
      const done = new Promise<boolean>((resolve) => {
        this.#reads.set(context, {
          deadlineMs: this.#deadline(this.#times.readTimeoutMs),
          resolve,
        });
      });
      this.#parked();
      drain();
      return done;
    }
    return false;
  }

  /** Resolves true when a leader becomes known, false at the deadline. */
  leaderKnown(): Promise<boolean> {
    return new Promise((resolve) => {
      this.#leader.add({ deadlineMs: this.#deadline(this.#times.readTimeoutMs), resolve });
      this.#parked();
    });
  }

  /** Resolves true once this member has applied `zxid` (false at the deadline). */
  applied(zxid: number, appliedNow: number): Promise<boolean> {
    if (appliedNow >= zxid) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.#applied.add({
        zxid,
        deadlineMs: this.#deadline(this.#times.requestTimeoutMs),
        resolve,
      });
      this.#parked();
    });
  }

  onReadStates(states: readonly ReadState[]): void {
    for (const rs of states) {
      const read = this.#reads.get(rs.context);
      if (read) this.#reads.set(rs.context, { ...read, index: rs.index });
    }
  }

  onLeaderKnown(): void {
    this.#leader.release(() => true, true);
  }

  /** After each Ready: the reads and waits this member's applied index now satisfies. */
  onApplied(appliedZxid: number): void {
    for (const [context, read] of this.#reads) {
      if (read.index === undefined || read.index > appliedZxid) continue;
      this.#reads.delete(context);
      read.resolve(true);
    }
    this.#applied.release((w) => w.zxid <= appliedZxid, true);
  }

  expire(nowMs: number): void {
    this.#applied.expire(nowMs, false);
    this.#leader.expire(nowMs, false);
    for (const [context, read] of this.#reads) {
      if (read.deadlineMs > nowMs) continue;
      this.#reads.delete(context);
      read.resolve(false);
    }
  }

  nextDeadlineMs(): number | null {
    let next = earliest(this.#applied.nextDeadlineMs(), this.#leader.nextDeadlineMs());
    for (const read of this.#reads.values()) next = earliest(next, read.deadlineMs);
    return next;
  }

  #deadline(ms: number): number {
    return this.#times.now() + ms;
  }
}
