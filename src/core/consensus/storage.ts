// The storage Raft reads through, split into log storage and hard-state storage. Raft itself only
// reads; the application writes, following the IO contract on the Ready type.

import type { Entry, HardState, Snapshot } from "./entry.ts";

export interface LogStorage {
  /** The first index still held as an entry (snapshot index + 1). */
  firstIndex(): number;
  /** The last index held (the snapshot index when the log after it is empty). */
  lastIndex(): number;
  /** The term of entry `index`; the snapshot's term at its index; undefined if not held. */
  term(index: number): number | undefined;
  /** Entries [lo, hi); every index in range must be held (firstIndex ≤ lo ≤ hi ≤ lastIndex + 1). */
  entries(lo: number, hi: number): Entry[];
  /** The latest snapshot (index 0, term 0, empty data before any compaction). */
  snapshot(): Snapshot;
  /** The held entries of kind `config`, ascending (read once, when a member starts). */
  configEntries(): Entry[];

  /**
   * Writes entries, first discarding any held entries at or after `entries[0].index`. The first
   * entry must not leave a gap: firstIndex ≤ entries[0].index ≤ lastIndex + 1.
   */
  append(entries: readonly Entry[]): void;
  /** Replaces the whole log with a snapshot received from the leader. */
  installSnapshot(snapshot: Snapshot): void;
  /** Records a snapshot of the local state at a held index and drops the entries it covers. */
  compact(snapshot: Snapshot): void;
}

export interface HardStateStorage {
  load(): HardState;
  save(state: HardState): void;
}

/** A storage precondition that the caller broke: a bug, never a recoverable condition. */
export class StorageContractError extends Error {
  override name = "StorageContractError";
}
