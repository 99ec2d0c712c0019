// The Raft log's rows in SQLite, spread over segment tables of consecutive indexes so that
// compaction drops whole tables. The runtime's SQLite writes a deleted row's bytes out again (a
// DELETE of 10,000 entries of 1.1 KB wrote 13 MB here, a DROP TABLE of as many 24 KB —
// docs/performance.md), and every entry the log ever held used to be deleted once.
//
// A segment is named for its first index (`raft_log_<first>`). Only the newest takes appends; a
// new one starts when it holds `maxEntries` entries or `maxBytes` of data. Rows at or below the
// snapshot's index may outlive compaction in the segment that straddles it: every read here takes
// a lower bound, and the storage never asks below its snapshot.

import type { Entry } from "../src/core/consensus/entry.ts";

const segmentPrefix = "raft_log_";
/** SQLite allows 100 bound parameters; four per entry. */
const entriesPerInsert = 24;

const kindCode = { normal: 0, noop: 1, config: 2 } as const satisfies Record<Entry["kind"], number>;
const kindOfCode: ReadonlyArray<Entry["kind"]> = ["normal", "noop", "config"];

interface EntryRow extends Record<string, SqlStorageValue> {
  idx: number;
  term: number;
  kind: number;
  data: ArrayBuffer;
}

interface Segment {
  readonly table: string;
  readonly first: number;
  /** The bytes of entry data it holds (kept for the newest only: only it takes appends). */
  bytes: number;
  /** Its INSERT statements by entry count, made once per count. */
  readonly inserts: string[];
}

export interface SegmentLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export const defaultSegmentLimits: SegmentLimits = { maxEntries: 2048, maxBytes: 8 * 1024 * 1024 };

/** Makes segment `table` with its index. */
function createSegment(sql: SqlStorage, table: string): void {
  sql.exec(`CREATE TABLE ${table} (
     idx INTEGER PRIMARY KEY,
     term INTEGER NOT NULL,
     kind INTEGER NOT NULL,
     data BLOB NOT NULL
   )`);
  indexConfigEntries(sql, table);
}

/** Configuration entries, read when a member starts; there are few, so the index is tiny. */
export function indexConfigEntries(sql: SqlStorage, table: string): void {
  sql.exec(`CREATE INDEX ${table}_config ON ${table} (idx) WHERE kind = ${kindCode.config}`);
}

export function segmentTable(first: number): string {
  return `${segmentPrefix}${first}`;
}

/** Whether the log holds any entry (no segment is left empty). */
export function hasLogEntries(sql: SqlStorage): boolean {
  return segmentTables(sql).length > 0;
}

/** The segment tables, oldest first. */
function segmentTables(sql: SqlStorage): Array<{ table: string; first: number }> {
  return sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'raft_log_[0-9]*'",
    )
    .toArray()
    .map(({ name }) => ({ table: name, first: Number(name.slice(segmentPrefix.length)) }))
    .sort((a, b) => a.first - b.first);
}

export class LogSegments {
  readonly #sql: SqlStorage;
  readonly #limits: SegmentLimits;
  #segments: Segment[];

  constructor(sql: SqlStorage, limits: SegmentLimits = defaultSegmentLimits) {
    this.#sql = sql;
    this.#limits = limits;
    this.#segments = segmentTables(sql).map(({ table, first }) => ({
      table,
      first,
      bytes: 0,
      inserts: [],
    }));
    const newest = this.#segments.at(-1);
    if (newest) newest.bytes = this.#dataBytes(newest.table);
  }

  /** The highest index stored, or null when there is none. */
  lastIndex(): number | null {
    const newest = this.#segments.at(-1);
    if (!newest) return null;
    return this.#sql.exec<{ m: number | null }>(`SELECT max(idx) AS m FROM ${newest.table}`).one()
      .m;
  }

  /** The terms of the entries above `after` as runs (first index, term), ascending. */
  termRuns(after: number): Array<{ from: number; term: number }> {
    const runs: Array<{ from: number; term: number }> = [];
    for (const { table } of this.#segments) {
      const rows = this.#sql
        .exec<{ term: number; from_idx: number }>(
          `SELECT term, min(idx) AS from_idx FROM ${table} WHERE idx > ? GROUP BY term ORDER BY from_idx`,
          after,
        )
        .toArray();
      // A term that spans two segments is one run.
      for (const r of rows)
        if (runs.at(-1)?.term !== r.term) runs.push({ from: r.from_idx, term: r.term });
    }
    return runs;
  }

  /** Entries with lo <= index < hi, in order. */
  read(lo: number, hi: number): Entry[] {
    const out: Entry[] = [];
    this.#segments.forEach((segment, i) => {
      const end = this.#segments[i + 1]?.first ?? Number.POSITIVE_INFINITY;
      if (segment.first >= hi || end <= lo) return;
      for (const row of this.#sql.exec<EntryRow>(
        `SELECT idx, term, kind, data FROM ${segment.table} WHERE idx >= ? AND idx < ? ORDER BY idx`,
        lo,
        hi,
      ))
        out.push(toEntry(row));
    });
    return out;
  }

  /** The configuration entries above `after`, in order (each segment's partial index). */
  configEntries(after: number): Entry[] {
    const out: Entry[] = [];
    for (const { table } of this.#segments)
      for (const row of this.#sql.exec<EntryRow>(
        `SELECT idx, term, kind, data FROM ${table} WHERE kind = ${kindCode.config} AND idx > ? ORDER BY idx`,
        after,
      ))
        out.push(toEntry(row));
    return out;
  }

  /** Stores entries that follow the last one stored (the caller removed any it replaces). */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    let segment = this.#segments.at(-1);
    if (segment === undefined || this.#full(segment, first.index)) {
      segment = this.#create(first.index);
    }
    // Every Ready of every member comes through here: no per-call closures or spread arrays.
    for (let i = 0; i < entries.length; i += entriesPerInsert) {
      const end = Math.min(i + entriesPerInsert, entries.length);
      const params: unknown[] = [];
      for (let k = i; k < end; k++) {
        const e = entries[k] as Entry;
        params.push(e.index, e.term, kindCode[e.kind], e.data);
        segment.bytes += e.data.length;
      }
      segment.inserts[end - i] ??=
        `INSERT INTO ${segment.table} (idx, term, kind, data) VALUES ${Array(end - i)
          .fill("(?, ?, ?, ?)")
          .join(", ")}`;
      this.#sql.exec(segment.inserts[end - i] as string, ...params);
    }
  }

  /** Removes the entries at `index` and above: whole segments dropped, a straddling one cut. */
  truncateFrom(index: number): void {
    while ((this.#segments.at(-1)?.first ?? Number.NEGATIVE_INFINITY) >= index) this.#dropNewest();
    const newest = this.#segments.at(-1);
    if (!newest) return;
    this.#sql.exec(`DELETE FROM ${newest.table} WHERE idx >= ?`, index);
    newest.bytes = this.#dataBytes(newest.table);
  }

  /** Drops every segment that holds nothing above `index`; `last` is the log's last index. */
  dropThrough(index: number, last: number): void {
    let drop = 0;
    for (let i = 0; i < this.#segments.length; i++) {
      const end = (this.#segments[i + 1]?.first ?? last + 1) - 1;
      if (end > index) break;
      drop = i + 1;
    }
    for (const segment of this.#segments.slice(0, drop))
      this.#sql.exec(`DROP TABLE ${segment.table}`);
    this.#segments = this.#segments.slice(drop);
  }

  dropAll(): void {
    for (const segment of this.#segments) this.#sql.exec(`DROP TABLE ${segment.table}`);
    this.#segments = [];
  }

  #full(segment: Segment, next: number): boolean {
    return (
      next - segment.first >= this.#limits.maxEntries || segment.bytes >= this.#limits.maxBytes
    );
  }

  #create(first: number): Segment {
    const table = segmentTable(first);
    createSegment(this.#sql, table);
    const segment: Segment = { table, first, bytes: 0, inserts: [] };
    this.#segments.push(segment);
    return segment;
  }

  #dropNewest(): void {
    const newest = this.#segments.pop();
    if (newest) this.#sql.exec(`DROP TABLE ${newest.table}`);
  }

  #dataBytes(table: string): number {
    return this.#sql
      .exec<{ n: number }>(`SELECT coalesce(sum(length(data)), 0) AS n FROM ${table}`)
      .one().n;
  }
}

function toEntry(r: EntryRow): Entry {
  return {
    index: r.idx,
    term: r.term,
    kind: kindOfCode[r.kind] ?? "normal",
    data: new Uint8Array(r.data),
  };
}
