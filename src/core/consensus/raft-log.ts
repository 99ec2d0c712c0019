// The log as Raft sees it: persisted entries in LogStorage plus entries and a snapshot that are
// accepted but not yet persisted, and the commit and applied indices over both.

import { type Entry, entryBytes, type Snapshot, type SnapshotMeta } from "./entry.ts";
import { decodeMembership, type Membership } from "./membership.ts";
import type { LogStorage } from "./storage.ts";

export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}

export class RaftLog {
  /** A snapshot received from the leader, not yet persisted. */
  private unstableSnapshot: Snapshot | null = null;
  /** Entries not yet persisted; the first has index `unstableOffset`. */
  private unstable: Entry[] = [];
  private unstableOffset: number;
  committed: number;
  applied: number;

  readonly storage: LogStorage;
  /** The configuration before any held entry: the snapshot's, or the ensemble's first. */
  private baseMembership: Membership;
  /** Configuration entries held (persisted or not), ascending: the last one is in force. */
  private configs: Array<{ index: number; membership: Membership }>;
  /** Moves whenever the configuration in force may have changed, so Raft notices cheaply. */
  membershipVersion = 0;
  private readonly bootstrap: Membership;

  /** `bootstrap`: the configuration an ensemble starts with, before any snapshot or change. */
  constructor(storage: LogStorage, committed: number, applied: number, bootstrap: Membership) {
    this.storage = storage;
    this.bootstrap = bootstrap;
    this.baseMembership = snapshotMembership(storage.snapshot().meta, bootstrap);
    this.configs = storage
      .configEntries()
      .map((e) => ({ index: e.index, membership: decodeMembership(e.data) }));
    this.unstableOffset = storage.lastIndex() + 1;
    const snapIndex = storage.snapshot().meta.index;
    // The state machine's index bounds the commit index from below: HardState.commit lags.
    this.committed = Math.max(committed, applied, snapIndex);
    this.applied = Math.max(applied, snapIndex);
    invariant(
      this.committed <= storage.lastIndex(),
      `commit ${committed} beyond last ${storage.lastIndex()}`,
    );
  }

  /** The configuration in force: the newest in the log, committed or not (Raft §4.1). */
  membership(): Membership {
    return this.configs.at(-1)?.membership ?? this.baseMembership;
  }

  /** The index of the newest configuration entry held (0 when none is). */
  membershipIndex(): number {
    return this.configs.at(-1)?.index ?? 0;
  }

  /** The configuration as of `index` (for a snapshot taken there). */
  membershipAt(index: number): Membership {
    for (let i = this.configs.length - 1; i >= 0; i--) {
      const c = this.configs[i] as { index: number; membership: Membership };
      if (c.index <= index) return c.membership;
    }
    return this.baseMembership;
  }

  firstIndex(): number {
    return this.unstableSnapshot ? this.unstableSnapshot.meta.index + 1 : this.storage.firstIndex();
  }

  lastIndex(): number {
    if (this.unstable.length > 0) return this.unstableOffset + this.unstable.length - 1;
    if (this.unstableSnapshot) return this.unstableSnapshot.meta.index;
    return this.storage.lastIndex();
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    invariant(term !== undefined, "the last entry's term is always known");
    return term;
  }

  /** The term at `index`, or undefined when the index is compacted away or beyond the log. */
  term(index: number): number | undefined {
    if (this.unstableSnapshot && index === this.unstableSnapshot.meta.index) {
      return this.unstableSnapshot.meta.term;
    }
    if (index >= this.unstableOffset) return this.unstable[index - this.unstableOffset]?.term;
    if (this.unstableSnapshot) return undefined;
    return this.storage.term(index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as this one. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Entries from `lo` on, at most `maxCount` and about `maxBytes` (at least one), or undefined
   * when `lo` is compacted away (the caller must send a snapshot instead).
   */
  entriesFrom(lo: number, maxCount: number, maxBytes: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined;
    const hi = Math.min(this.lastIndex() + 1, lo + maxCount);
    if (lo >= hi) return [];
    const out = this.slice(lo, hi);
    let bytes = 0;
    for (let i = 0; i < out.length; i++) {
      bytes += entryBytes(out[i] as Entry);
      if (bytes > maxBytes && i > 0) return out.slice(0, i);
    }
    return out;
  }

  private slice(lo: number, hi: number): Entry[] {
    const out: Entry[] = [];
    const stableHi = Math.min(hi, this.unstableOffset);
    if (lo < stableHi) out.push(...this.storage.entries(lo, stableHi));
    if (hi > this.unstableOffset) {
      const from = Math.max(lo, this.unstableOffset) - this.unstableOffset;
      out.push(...this.unstable.slice(from, hi - this.unstableOffset));
    }
    return out;
  }

  /**
   * The follower's half of AppendEntries: if the log holds (prevIndex, prevTerm), append what is
   * new, drop a conflicting suffix, advance the commit index, and return the last new index.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    commit: number,
    entries: readonly Entry[],
  ): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      invariant(
        conflict > this.committed,
        `entry ${conflict} conflicts with committed ${this.committed}`,
      );
      this.append(entries.slice(conflict - (prevIndex + 1)));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** The first entry whose index is new or whose term differs from the log's; 0 if none. */
  private findConflict(entries: readonly Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /** The largest index ≤ `index` whose term is ≤ `term`, with that term (for fast backtracking). */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = index;
    for (;;) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
      i--;
    }
  }

  /** Appends entries to the unstable part, truncating whatever follows their first index. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    invariant(
      first.index > this.committed,
      `append at ${first.index} would overwrite committed ${this.committed}`,
    );
    invariant(
      first.index <= this.lastIndex() + 1,
      `append at ${first.index} leaves a gap after ${this.lastIndex()}`,
    );
    // A configuration entry overwritten takes its configuration with it. (Checked on every
    // append: the hot path pays two comparisons when no configuration entry is involved.)
    const held = this.configs.length;
    while ((this.configs.at(-1)?.index ?? 0) >= first.index) this.configs.pop();
    let changed = this.configs.length !== held;
    for (const e of entries) {
      if (e.kind !== "config") continue;
      this.configs.push({ index: e.index, membership: decodeMembership(e.data) });
      changed = true;
    }
    if (changed) this.membershipVersion++;
    if (first.index <= this.unstableOffset) {
      // Replaces the unstable part and shadows persisted entries from first.index on; storage
      // drops them when these are persisted.
      this.unstableOffset = first.index;
      this.unstable = [...entries];
    } else {
      this.unstable = [...this.unstable.slice(0, first.index - this.unstableOffset), ...entries];
    }
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    invariant(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Replaces the log with a snapshot from the leader. */
  restore(snapshot: Snapshot): void {
    this.baseMembership = snapshotMembership(snapshot.meta, this.bootstrap);
    this.configs = [];
    this.membershipVersion++;
    this.unstableSnapshot = snapshot;
    this.unstable = [];
    this.unstableOffset = snapshot.meta.index + 1;
    this.committed = snapshot.meta.index;
  }

  /** Committed entries the application has not applied yet (none while a snapshot is pending). */
  nextCommitted(): Entry[] {
    if (this.unstableSnapshot) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    return lo <= this.committed ? this.slice(lo, this.committed + 1) : [];
  }

  pendingSnapshot(): Snapshot | null {
    return this.unstableSnapshot;
  }

  unstableEntries(): Entry[] {
    return this.unstable;
  }

  /** The leader's source for a follower that needs compacted entries. */
  snapshot(): Snapshot {
    return this.unstableSnapshot ?? this.storage.snapshot();
  }

  /** Called once the unstable entries and snapshot handed out in a Ready are persisted. */
  stableTo(lastPersisted: number, snapshotPersisted: boolean): void {
    if (snapshotPersisted) this.unstableSnapshot = null;
    const kept = this.unstable.filter((e) => e.index > lastPersisted);
    this.unstableOffset += this.unstable.length - kept.length;
    this.unstable = kept;
  }

  appliedTo(index: number): void {
    invariant(index <= this.committed, `applied ${index} beyond commit ${this.committed}`);
    if (index > this.applied) this.applied = index;
  }
}

/** A snapshot's configuration; the empty snapshot of a new log has the ensemble's first. */
function snapshotMembership(meta: SnapshotMeta, bootstrap: Membership): Membership {
  if (meta.index === 0 && meta.voters.length === 0) return bootstrap;
  return { voters: meta.voters, learners: meta.learners ?? [] };
}
