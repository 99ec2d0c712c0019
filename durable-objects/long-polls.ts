// Long-poll watches (Consul-style blocking queries): a request waits until a change at its path
// is applied here or its deadline passes; the member books an alarm for the earliest deadline.

import { reaches } from "../src/core/session/watch-resume.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";

interface Poll {
  readonly path: string;
  readonly recursive: boolean;
  readonly deadlineMs: number;
  readonly resolve: (events: TreeEvent[]) => void;
}

export class LongPolls {
  #polls: Poll[] = [];

  get size(): number {
    return this.#polls.length;
  }

  /** Resolves with the matching events of the first applied batch that has any, or [] at the deadline. */
  wait(path: string, recursive: boolean, deadlineMs: number): Promise<TreeEvent[]> {
    return new Promise((resolve) => this.#polls.push({ path, recursive, deadlineMs, resolve }));
  }

  onApplied(events: readonly TreeEvent[]): void {
    if (this.#polls.length === 0 || events.length === 0) return;
    const still: Poll[] = [];
    for (const poll of this.#polls) {
      const matching = events.filter((e) => reaches(poll.path, poll.recursive, e));
      if (matching.length > 0) poll.resolve(matching);
      else still.push(poll);
    }
    this.#polls = still;
  }

  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const p of this.#polls) if (next === null || p.deadlineMs < next) next = p.deadlineMs;
    return next;
  }

  sweep(nowMs: number): void {
    const due = this.#polls.filter((p) => p.deadlineMs <= nowMs);
    if (due.length === 0) return;
    this.#polls = this.#polls.filter((p) => p.deadlineMs > nowMs);
    for (const p of due) p.resolve([]);
  }
}
