// The children of nodes this store has watched since their creation, so that a create's lookup
// of a new path below one of them is answered without a query: the leader otherwise looks up
// every path it creates, one SELECT that finds nothing (≈ 3 % of the members' thread under
// creates, docs/performance.md). Only the store's own writes move it, so it is exact; anything
// that replaces the rows behind the store's back (a snapshot swapped in) must clear() it. Only
// the leader looks paths up, so only a leader follows (follow()): on every member it cost about
// two thirds of what it saved.

import { nameOf, parentOf } from "../src/core/tree/path.ts";

/**
 * Nodes and names held (a few MB at most); past it everything is forgotten and only nodes
 * created after that are followed.
 */
export const knownChildrenMax = 100_000;

export class KnownChildren {
  /**
   * Path → the names of all its children, for nodes created here; null while it has none (most
   * nodes never get one: no Set for them).
   */
  #byParent = new Map<string, Set<string> | null>();
  #held = 0;
  #on = false;

  /** Starts (or stops) following, from nothing: only nodes created from now on are known. */
  follow(on: boolean): void {
    this.clear();
    this.#on = on;
  }

  /** A node was created: it has no children, and its parent has one more. */
  created(path: string): void {
    if (!this.#on) return;
    this.written(path);
    this.#forget(path);
    if (this.#held >= knownChildrenMax) return;
    this.#byParent.set(path, null);
    this.#held++;
  }

  /** A node was written, perhaps created (a write through the store that does not say which). */
  written(path: string): void {
    if (!this.#on || path === "/") return;
    const parent = parentOf(path);
    const names = this.#byParent.get(parent);
    if (names === undefined) return;
    const name = nameOf(path);
    if (names?.has(name)) return;
    if (this.#held >= knownChildrenMax) {
      this.clear();
      return;
    }
    if (names === null) this.#byParent.set(parent, new Set([name]));
    else names.add(name);
    this.#held++;
  }

  /** A node was deleted: it had no children left, and its parent has one fewer. */
  deleted(path: string): void {
    if (!this.#on) return;
    this.#forget(path);
    if (path === "/") return;
    const names = this.#byParent.get(parentOf(path));
    if (names?.delete(nameOf(path))) this.#held--;
  }

  /** True only when `path` certainly does not exist; false when unknown. */
  absent(path: string): boolean {
    if (!this.#on || path === "/") return false;
    const names = this.#byParent.get(parentOf(path));
    return names === null || (names !== undefined && !names.has(nameOf(path)));
  }

  clear(): void {
    this.#byParent = new Map();
    this.#held = 0;
  }

  #forget(path: string): void {
    const own = this.#byParent.get(path);
    if (own === undefined) return;
    this.#held -= 1 + (own?.size ?? 0);
    this.#byParent.delete(path);
  }
}
