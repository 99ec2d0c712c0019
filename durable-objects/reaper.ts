// The leader's reaping of empty containers and expired TTL nodes, on deadlines instead of a
// periodic scan: after writes it looks again within a second (as a check interval), and when
// idle it books the exact time the next TTL node expires — or nothing at all.

import type { ZnodeTree } from "../src/core/tree/znode-tree.ts";

/** After writes, the leader looks for reapable nodes at most this often. */
const recheckMs = 1_000;
/** Most reap proposals per pass; the rest follow in the next. */
const reapBatch = 100;

export class Reaper {
  readonly #tree: ZnodeTree;
  #dueMs: number | null = null;

  constructor(tree: ZnodeTree) {
    this.#tree = tree;
  }

  /** This member leads now (elected, or resumed after eviction): books what is due next. */
  started(nowMs: number): void {
    this.#dueMs = this.#tree.nextReapMs(nowMs);
  }

  stopped(): void {
    this.#dueMs = null;
  }

  /** Entries were applied while leading: a node may have become reapable. */
  changed(nowMs: number): void {
    const soon = nowMs + recheckMs;
    if (this.#dueMs === null || this.#dueMs > soon) this.#dueMs = soon;
  }

  nextDeadlineMs(): number | null {
    return this.#dueMs;
  }

  /** The paths to reap now, if a pass is due; books the next pass. */
  due(nowMs: number): string[] {
    if (this.#dueMs === null || this.#dueMs > nowMs) return [];
    const paths = this.#tree.reapCandidates(nowMs, reapBatch);
    // A full batch means more wait; otherwise the earliest node not yet due decides.
    this.#dueMs = paths.length >= reapBatch ? nowMs + recheckMs : this.#later(nowMs);
    return paths;
  }

  #later(nowMs: number): number | null {
    const next = this.#tree.nextReapMs(nowMs);
    // Reapable now but proposed already: their applies will call changed().
    return next !== null && next <= nowMs ? nowMs + recheckMs : next;
  }
}
