// Long-poll watches (Consul-style blocking queries): a request waits until a change at its path
// that its caller may read is applied here, or its deadline passes; the member books an alarm for
// the earliest deadline. At most maxLongPolls wait at once.

import { visibleEvents } from "../src/access/gatekeeper.ts";
import { failure, type ZkFailure } from "../src/core/error-code.ts";
import { reaches } from "../src/core/session/watch-resume.ts";
import type { AuthId } from "../src/core/tree/acl.ts";
import type { TreeEvent } from "../src/core/tree/tree-event.ts";
import type { ZnodeTree } from "../src/core/tree/znode-tree.ts";

interface Poll {
  readonly path: string;
  readonly recursive: boolean;
  readonly authIds: readonly AuthId[];
  readonly deadlineMs: number;
  readonly resolve: (events: TreeEvent[]) => void;
}

export class LongPolls {
  #polls: Poll[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#polls.length;
  }

  /**
   * Resolves with the matching, readable events of the first applied batch that has any, or []
   * at the deadline; THROTTLEDOP when maxLongPolls already wait here.
   */
  wait(
    path: string,
    recursive: boolean,
    authIds: readonly AuthId[],
    deadlineMs: number,
  ): Promise<TreeEvent[]> | ZkFailure {
    if (this.#polls.length >= this.#limit) {
      return failure(
        "THROTTLEDOP",
        `${this.#limit} long polls already wait at this member (maxLongPolls); retry shortly`,
      );
    }
    return new Promise((resolve) =>
      this.#polls.push({ path, recursive, authIds, deadlineMs, resolve }),
    );
  }

  onApplied(tree: ZnodeTree, events: readonly TreeEvent[]): void {
    if (this.#polls.length === 0 || events.length === 0) return;
    const still: Poll[] = [];
    for (const poll of this.#polls) {
      const reached = events.filter((e) => reaches(poll.path, poll.recursive, e));
      const matching = reached.length > 0 ? visibleEvents(tree, poll.authIds, reached) : reached;
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
