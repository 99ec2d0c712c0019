// A member's watches: one-shot data/exist and child watches, persistent and persistent-recursive
// watches, matched against applied events with ZooKeeper's rules. Matching looks up the event's
// path (and its ancestors only while recursive watches exist), never every watch.

import { selfAndAncestors } from "../tree/path.ts";
import type { TreeEvent } from "../tree/tree-event.ts";

/** How a watch was set: getData/exists → data, getChildren → child, addWatch → the persistent two. */
export type WatchKind = "data" | "child" | "persistent" | "persistentRecursive";

/** ZooKeeper's WatcherType for checkWatches/removeWatches. */
export type WatcherType = "children" | "data" | "any" | "persistent" | "persistentRecursive";

const bit: Readonly<Record<WatchKind, number>> = {
  data: 1,
  child: 2,
  persistent: 4,
  persistentRecursive: 8,
};
const typeBits: Readonly<Record<WatcherType, number>> = {
  children: bit.child,
  data: bit.data,
  any: 15,
  persistent: bit.persistent,
  persistentRecursive: bit.persistentRecursive,
};

export interface Notification<W> {
  readonly watcher: W;
  readonly event: TreeEvent;
  /**
   * True when a one-shot watch on the event's own path fired: READ was checked when it was set.
   * Deliveries through persistent or recursive watches must check READ on the event's node.
   */
  readonly oneShot: boolean;
}

export class WatchTable<W> {
  readonly #byPath = new Map<string, Map<W, number>>();
  readonly #byWatcher = new Map<W, Map<string, number>>();
  #recursive = 0;
  /** Told each time a watcher's watches change (added, removed, or a one-shot fired). */
  readonly #changed: ((watcher: W) => void) | undefined;

  constructor(changed?: (watcher: W) => void) {
    this.#changed = changed;
  }

  /** Adds a watch; returns false when the watcher already had this kind on this path. */
  add(watcher: W, path: string, kind: WatchKind): boolean {
    const old = this.#bits(watcher, path);
    const next = old | bit[kind];
    if (next === old) return false;
    this.#set(watcher, path, old, next);
    return true;
  }

  /** True when `watcher` has a watch of `type` on `path` (ZooKeeper's checkWatches). */
  contains(watcher: W, path: string, type: WatcherType): boolean {
    return (this.#bits(watcher, path) & typeBits[type]) !== 0;
  }

  /** Removes watches of `type`; false (ZooKeeper answers NOWATCHER) when there was none. */
  remove(watcher: W, path: string, type: WatcherType): boolean {
    const old = this.#bits(watcher, path);
    const next = old & ~typeBits[type];
    if (next === old) return false;
    this.#set(watcher, path, old, next);
    return true;
  }

  /** Drops everything a watcher had (its connection is gone). */
  removeWatcher(watcher: W): void {
    const paths = this.#byWatcher.get(watcher);
    if (!paths) return;
    for (const [path, bits] of [...paths]) this.#set(watcher, path, bits, 0);
  }

  /** The watcher's watches by kind, for re-registration after a reconnect. */
  watchesOf(watcher: W): Record<WatchKind, string[]> {
    const out: Record<WatchKind, string[]> = {
      data: [],
      child: [],
      persistent: [],
      persistentRecursive: [],
    };
    for (const [path, bits] of this.#byWatcher.get(watcher) ?? []) {
      for (const kind of Object.keys(bit) as WatchKind[])
        if (bits & bit[kind]) out[kind].push(path);
    }
    return out;
  }

  /** How many paths a watcher watches (its per-session limit counts these). */
  countOf(watcher: W): number {
    return this.#byWatcher.get(watcher)?.size ?? 0;
  }

  get watcherCount(): number {
    return this.#byWatcher.size;
  }

  get pathCount(): number {
    return this.#byPath.size;
  }

  /** Total (watcher, path) pairs, as ZooKeeper's watch_count. */
  get watchCount(): number {
    let n = 0;
    for (const paths of this.#byWatcher.values()) n += paths.size;
    return n;
  }

  /** Notifications for a batch of events, in event order, one per watcher per event. */
  triggerAll(events: readonly TreeEvent[]): Notification<W>[] {
    return events.flatMap((e) => this.trigger(e));
  }

  /**
   * Watchers an event reaches. Data events (created/deleted/changed) reach data watches (which
   * fire once), persistent watches on the path and recursive watches on it or an ancestor; child
   * events reach child watches and persistent watches, never recursive ones; a deletion also
   * consumes the node's child watches. Each watcher hears an event at most once.
   */
  trigger(event: TreeEvent): Notification<W>[] {
    const reached = new Map<W, boolean>();
    if (event.type === "NodeChildrenChanged") {
      this.#fireAt(event.path, bit.child, bit.persistent, reached);
    } else {
      this.#fireAt(event.path, bit.data, bit.persistent | bit.persistentRecursive, reached);
      if (this.#recursive > 0) {
        for (const ancestor of selfAndAncestors(event.path).slice(1)) {
          for (const [watcher, bits] of this.#byPath.get(ancestor) ?? []) {
            if ((bits & bit.persistentRecursive) !== 0 && !reached.has(watcher))
              reached.set(watcher, false);
          }
        }
      }
      if (event.type === "NodeDeleted")
        this.#fireAt(event.path, bit.child, bit.persistent, reached);
    }
    return [...reached].map(([watcher, oneShot]) => ({ watcher, event, oneShot }));
  }

  #fireAt(path: string, oneShot: number, persistent: number, reached: Map<W, boolean>): void {
    const watchers = this.#byPath.get(path);
    if (!watchers) return;
    for (const [watcher, bits] of [...watchers]) {
      if (bits & oneShot) {
        reached.set(watcher, true);
        this.#set(watcher, path, bits, bits & ~oneShot);
      } else if ((bits & persistent) !== 0 && !reached.has(watcher)) {
        reached.set(watcher, false);
      }
    }
  }

  #bits(watcher: W, path: string): number {
    return this.#byWatcher.get(watcher)?.get(path) ?? 0;
  }

  #set(watcher: W, path: string, old: number, next: number): void {
    this.#store(watcher, path, old, next);
    this.#changed?.(watcher);
  }

  #store(watcher: W, path: string, old: number, next: number): void {
    if ((old & bit.persistentRecursive) !== (next & bit.persistentRecursive)) {
      this.#recursive += next & bit.persistentRecursive ? 1 : -1;
    }
    if (next === 0) {
      const byPath = this.#byPath.get(path);
      byPath?.delete(watcher);
      if (byPath?.size === 0) this.#byPath.delete(path);
      const byWatcher = this.#byWatcher.get(watcher);
      byWatcher?.delete(path);
      if (byWatcher?.size === 0) this.#byWatcher.delete(watcher);
      return;
    }
    let byPath = this.#byPath.get(path);
    if (!byPath) {
      byPath = new Map();
      this.#byPath.set(path, byPath);
    }
    byPath.set(watcher, next);
    let byWatcher = this.#byWatcher.get(watcher);
    if (!byWatcher) {
      byWatcher = new Map();
      this.#byWatcher.set(watcher, byWatcher);
    }
    byWatcher.set(path, next);
  }
}
