// What a member does that Cloudflare bills: wake-ups, alarms, alarm bookings (a row written
// each), RPCs by method, WebSocket messages, SQLite rows written. Kept in memory and written in
// the SQLite transactions the member makes anyway, at most once a second (one row), so counting
// costs no extra transaction; what was counted after the last such write is lost if the member
// is evicted (documented in cost.md).

/** Counters ride along with a transaction at most this often. */
const persistEveryMs = 1_000;

export interface CostCounts {
  /** Times the object was constructed: a first start or a wake from eviction. */
  wakeups: number;
  alarmsFired: number;
  /** setAlarm() calls (each billed as a row written). */
  alarmsBooked: number;
  rpcSent: Record<string, number>;
  rpcReceived: Record<string, number>;
  /** WebSocket messages that reached the object (pings the runtime answers never do). */
  socketMessages: number;
  sqlRowsWritten: number;
}

const empty = (): CostCounts => ({
  wakeups: 0,
  alarmsFired: 0,
  alarmsBooked: 0,
  rpcSent: {},
  rpcReceived: {},
  socketMessages: 0,
  sqlRowsWritten: 0,
});

export class CostCounters {
  readonly counts: CostCounts;
  readonly #sql: SqlStorage;
  /** Cursors of statements run since rows were last summed (rowsWritten is read lazily). */
  #cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  #dirty = true;
  #persistedMs = 0;

  /** `stored`: the schema exists (a member of an ensemble that does not exist makes none). */
  constructor(sql: SqlStorage, stored: boolean) {
    this.#sql = sql;
    const row = stored
      ? sql.exec<{ counts: string }>("SELECT counts FROM cost_counters WHERE id = 1").toArray()[0]
      : undefined;
    this.counts = row ? { ...empty(), ...(JSON.parse(row.counts) as CostCounts) } : empty();
    this.counts.wakeups++;
  }

  /** The member's SQLite handle, counting the rows its statements write. */
  counting(): SqlStorage {
    const sql = this.#sql;
    const track = (cursor: SqlStorageCursor<Record<string, SqlStorageValue>>) => {
      this.#cursors.push(cursor);
      // Reads add cursors too: sum now and then so the list stays short.
      if (this.#cursors.length >= 256) this.settle();
    };
    // Made once: a wrapper made per property read was one more closure per statement.
    const exec = (query: string, ...bindings: SqlStorageValue[]) => {
      const cursor = sql.exec(query, ...bindings);
      track(cursor);
      return cursor;
    };
    return new Proxy(sql, {
      get(target, key) {
        if (key === "exec") return exec;
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  sent(method: string): void {
    this.counts.rpcSent[method] = (this.counts.rpcSent[method] ?? 0) + 1;
    this.#dirty = true;
  }

  received(method: string): void {
    this.counts.rpcReceived[method] = (this.counts.rpcReceived[method] ?? 0) + 1;
    this.#dirty = true;
  }

  bump(key: "alarmsFired" | "alarmsBooked" | "socketMessages"): void {
    this.counts[key]++;
    this.#dirty = true;
  }

  /** Sums the rows written by statements run so far. */
  settle(): CostCounts {
    for (const cursor of this.#cursors) this.counts.sqlRowsWritten += cursor.rowsWritten;
    if (this.#cursors.length > 0) this.#dirty = true;
    this.#cursors = [];
    return this.counts;
  }

  /** Inside a transaction the member makes anyway: keeps the counts with it, now and then. */
  persist(nowMs: number): void {
    if (!this.#dirty || nowMs - this.#persistedMs < persistEveryMs) return;
    this.settle();
    this.#dirty = false;
    this.#persistedMs = nowMs;
    // Counted as written too (one row), so the figure includes what counting costs.
    this.counts.sqlRowsWritten++;
    this.#sql.exec(
      "INSERT INTO cost_counters (id, counts) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET counts = excluded.counts",
      JSON.stringify(this.counts),
    );
  }
}
