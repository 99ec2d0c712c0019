// The consensus core's LogStorage and HardStateStorage on the member's SQLite. Index bounds and
// the snapshot's metadata are cached; a snapshot's bytes are read only when someone asks for them.

import { concatBytes } from "../src/core/bytes/concat.ts";
import {
  type Entry,
  emptyHardState,
  type HardState,
  type Snapshot,
  type SnapshotMeta,
} from "../src/core/consensus/entry.ts";
import {
  type HardStateStorage,
  type LogStorage,
  StorageContractError,
} from "../src/core/consensus/storage.ts";
import { defaultSegmentLimits, LogSegments, type SegmentLimits } from "./log-segments.ts";

/** SQLite's row limit is 2 MB; snapshot bytes are stored in pieces well under it. */
const snapshotChunkBytes = 1024 * 1024;
/**
 * The newest entries are kept in memory as well: they are read back to be sent to followers and
 * applied right after they are appended, and a query for them costs more than the copy.
 */
const tailEntriesMax = 1024;
const tailBytesMax = 8 * 1024 * 1024;

interface StateRow extends Record<string, SqlStorageValue> {
  term: number;
  vote: number | null;
  commit_idx: number;
  vote_floor: number;
  lead: number | null;
  incarnation: number;
  snap_idx: number;
  snap_term: number;
  snap_voters: string;
}

export class SqlRaftStorage implements LogStorage, HardStateStorage {
  readonly #sql: SqlStorage;
  readonly #segments: LogSegments;
  #hard: HardState = emptyHardState;
  #snap: SnapshotMeta = { index: 0, term: 0, voters: [] };
  #last = 0;
  /**
   * The terms of the held entries as runs (first index, term), ascending: a Raft log's terms
   * never decrease, so this stays as short as the number of terms the log spans, and term()
   * (asked several times per message) needs no query.
   */
  #runs: Array<{ from: number; term: number }> = [];
  /** The last entries appended, contiguous and ending at #last (possibly empty). */
  #tail: Entry[] = [];
  #tailBytes = 0;

  constructor(sql: SqlStorage, segmentLimits: SegmentLimits = defaultSegmentLimits) {
    this.#sql = sql;
    this.#segments = new LogSegments(sql, segmentLimits);
    const row = sql.exec<StateRow>("SELECT * FROM raft_state WHERE id = 1").toArray()[0];
    if (row) {
      this.#hard = {
        term: row.term,
        vote: row.vote,
        commit: row.commit_idx,
        voteFloor: row.vote_floor,
        incarnation: row.incarnation,
        lead: row.lead,
      };
      this.#snap = { index: row.snap_idx, term: row.snap_term, ...parseMembers(row.snap_voters) };
    } else {
      this.#writeState();
    }
    // Rows at or below the snapshot may have outlived compaction (log-segments.ts).
    this.#last = Math.max(this.#segments.lastIndex() ?? 0, this.#snap.index);
    this.#runs = this.#segments.termRuns(this.#snap.index);
  }

  load(): HardState {
    return this.#hard;
  }

  save(state: HardState): void {
    this.#hard = state;
    this.#writeState();
  }

  firstIndex(): number {
    return this.#snap.index + 1;
  }

  lastIndex(): number {
    return this.#last;
  }

  term(index: number): number | undefined {
    if (index === this.#snap.index) return this.#snap.term;
    if (index < this.#snap.index || index > this.#last) return undefined;
    let lo = 0;
    let hi = this.#runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#runs[mid]?.from ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.#runs[lo]?.term;
  }

  entries(lo: number, hi: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.#last + 1 || lo > hi) {
      throw new StorageContractError(
        `entries [${lo}, ${hi}) outside [${this.firstIndex()}, ${this.#last + 1})`,
      );
    }
    if (lo === hi) return [];
    const tailFrom = this.#tail[0]?.index;
    if (tailFrom !== undefined && lo >= tailFrom)
      return this.#tail.slice(lo - tailFrom, hi - tailFrom);
    return this.#segments.read(lo, hi);
  }

  configEntries(): Entry[] {
    // A partial index on each segment holds only these rows: no scan of the log.
    return this.#segments.configEntries(this.#snap.index);
  }

  snapshot(): Snapshot {
    const meta = this.#snap;
    const sql = this.#sql;
    return {
      meta,
      get data(): Uint8Array {
        const chunks = sql
          .exec<{ data: ArrayBuffer }>("SELECT data FROM raft_snapshot_chunk ORDER BY seq")
          .toArray()
          .map((r) => new Uint8Array(r.data));
        return concatBytes(chunks);
      },
    };
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    if (first.index < this.firstIndex() || first.index > this.#last + 1) {
      throw new StorageContractError(
        `append at ${first.index} outside [${this.firstIndex()}, ${this.#last + 1}]`,
      );
    }
    // Entries past the end replace nothing: only a conflicting suffix needs deleting.
    if (first.index <= this.#last) {
      this.#segments.truncateFrom(first.index);
      this.#dropTailFrom(first.index);
    }
    this.#segments.append(entries);
    this.#last = entries.at(-1)?.index ?? this.#last;
    for (const e of entries) {
      this.#tail.push(e);
      this.#tailBytes += e.data.length;
    }
    let drop = 0;
    while (
      this.#tail.length - drop > tailEntriesMax ||
      (this.#tailBytes > tailBytesMax && drop < this.#tail.length)
    )
      this.#tailBytes -= (this.#tail[drop++] as Entry).data.length;
    if (drop > 0) this.#tail.splice(0, drop);
    const runs = this.#runs;
    while (runs.length > 0 && (runs.at(-1) as { from: number }).from >= first.index) runs.pop();
    for (const e of entries)
      if (runs.at(-1)?.term !== e.term) runs.push({ from: e.index, term: e.term });
  }

  installSnapshot(snapshot: Snapshot): void {
    this.#segments.dropAll();
    this.#tail = [];
    this.#tailBytes = 0;
    this.#writeSnapshot(snapshot);
    this.#last = snapshot.meta.index;
    this.#runs = [];
  }

  /**
   * Starts the log afresh at a snapshot, with a new hard state: a restore from a backup, which
   * every member of the ensemble makes together while none runs consensus (restore.ts).
   */
  resetTo(meta: SnapshotMeta, hard: HardState): void {
    this.#hard = hard;
    this.installSnapshot({ meta, data: new Uint8Array() });
  }

  compact(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    if (index < this.#snap.index || index > this.#last) {
      throw new StorageContractError(
        `compact to ${index} outside [${this.#snap.index}, ${this.#last}]`,
      );
    }
    if (this.term(index) !== term) {
      throw new StorageContractError(
        `compact to ${index}: snapshot term ${term} is not the entry's ${this.term(index)}`,
      );
    }
    this.#segments.dropThrough(index, this.#last);
    while ((this.#tail[0]?.index ?? Infinity) <= index) {
      const dropped = this.#tail.shift();
      if (dropped) this.#tailBytes -= dropped.data.length;
    }
    this.#writeSnapshot(snapshot);
    this.#runs = this.#runs.flatMap((run, i) => {
      const end = (this.#runs[i + 1]?.from ?? this.#last + 1) - 1;
      return end <= index ? [] : [{ from: Math.max(run.from, index + 1), term: run.term }];
    });
  }

  #dropTailFrom(index: number): void {
    const from = this.#tail[0]?.index;
    if (from === undefined) return;
    for (const e of this.#tail.splice(Math.max(0, index - from))) this.#tailBytes -= e.data.length;
  }

  /** Rows held, for the admin read-out. */
  entryCount(): number {
    return this.#last - this.#snap.index;
  }

  #writeSnapshot(snapshot: Snapshot): void {
    this.#sql.exec("DELETE FROM raft_snapshot_chunk");
    const data = snapshot.data;
    for (let seq = 0, at = 0; at < data.length || seq === 0; seq++, at += snapshotChunkBytes) {
      this.#sql.exec(
        "INSERT INTO raft_snapshot_chunk (seq, data) VALUES (?, ?)",
        seq,
        data.subarray(at, at + snapshotChunkBytes),
      );
    }
    this.#snap = snapshot.meta;
    this.#writeState();
  }

  #writeState(): void {
    const h = this.#hard;
    const s = this.#snap;
    this.#sql.exec(
      `INSERT INTO raft_state (id, term, vote, commit_idx, vote_floor, incarnation, lead, snap_idx, snap_term, snap_voters)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET term = excluded.term, vote = excluded.vote, commit_idx = excluded.commit_idx,
         vote_floor = excluded.vote_floor, incarnation = excluded.incarnation, lead = excluded.lead,
         snap_idx = excluded.snap_idx, snap_term = excluded.snap_term, snap_voters = excluded.snap_voters`,
      h.term,
      h.vote,
      h.commit,
      h.voteFloor,
      h.incarnation,
      h.lead,
      s.index,
      s.term,
      // Voters alone (as every build before learners wrote them) when there are no learners.
      JSON.stringify(s.learners?.length ? { voters: s.voters, learners: s.learners } : s.voters),
    );
  }
}

/** `snap_voters`: the voters as an array, or `{ voters, learners }` once there are learners. */
function parseMembers(text: string): { voters: number[]; learners?: number[] } {
  const parsed = JSON.parse(text) as number[] | { voters: number[]; learners: number[] };
  return Array.isArray(parsed) ? { voters: parsed } : parsed;
}
