// In-memory twins of the Raft storage interfaces, for tests and the simulator.

import { type Entry, emptyHardState, type HardState, type Snapshot } from "./entry.ts";
import { type HardStateStorage, type LogStorage, StorageContractError } from "./storage.ts";

const emptySnapshot: Snapshot = { meta: { index: 0, term: 0, voters: [] }, data: new Uint8Array() };

export class MemoryLogStorage implements LogStorage {
  private snap: Snapshot = emptySnapshot;
  private log: Entry[] = [];

  firstIndex(): number {
    return this.snap.meta.index + 1;
  }

  lastIndex(): number {
    return this.snap.meta.index + this.log.length;
  }

  term(index: number): number | undefined {
    if (index === this.snap.meta.index) return this.snap.meta.term;
    return this.log[index - this.firstIndex()]?.term;
  }

  entries(lo: number, hi: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1 || lo > hi) {
      throw new StorageContractError(
        `entries [${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`,
      );
    }
    return this.log.slice(lo - this.firstIndex(), hi - this.firstIndex());
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  configEntries(): Entry[] {
    return this.log.filter((e) => e.kind === "config");
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    if (first.index < this.firstIndex() || first.index > this.lastIndex() + 1) {
      throw new StorageContractError(
        `append at ${first.index} outside [${this.firstIndex()}, ${this.lastIndex() + 1}]`,
      );
    }
    this.log.length = first.index - this.firstIndex();
    this.log.push(...entries);
  }

  installSnapshot(snapshot: Snapshot): void {
    this.snap = snapshot;
    this.log = [];
  }

  compact(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    if (index < this.snap.meta.index || index > this.lastIndex()) {
      throw new StorageContractError(
        `compact to ${index} outside [${this.snap.meta.index}, ${this.lastIndex()}]`,
      );
    }
    if (this.term(index) !== term) {
      throw new StorageContractError(
        `compact to ${index}: snapshot term ${term} is not the entry's ${this.term(index)}`,
      );
    }
    this.log = this.log.slice(index - this.snap.meta.index);
    this.snap = snapshot;
  }
}

export class MemoryHardStateStorage implements HardStateStorage {
  private state: HardState = emptyHardState;

  load(): HardState {
    return this.state;
  }

  save(state: HardState): void {
    this.state = state;
  }
}
