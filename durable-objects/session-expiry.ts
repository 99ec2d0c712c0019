// The leader's session-expiry schedule. Clients ping without waking anyone (the runtime answers
// their pings), so the leader does not hear of liveness as it happens. A session attached to a
// socket is checked at every multiple of the check interval: the leader asks the member holding
// the socket when it last heard from the client, and closes the session through the log if that
// was a timeout ago. An idle check writes nothing (a session's row changes only when it attaches,
// detaches or moves), so all idle sessions together cost one wake-up and one presence question
// per member holding sockets per interval.
//
// Sessions without a socket have an exact deadline in the leader's own SQLite (it survives
// eviction): a new session's first timeout, a closed socket's close + timeout (as in ZooKeeper),
// an HTTP client's last keep-alive + timeout.

import type { NodeId } from "../src/core/consensus/entry.ts";
import type { TreeStore } from "../src/core/tree/tree-store.ts";

export interface SessionReport {
  readonly sessionId: bigint;
  readonly kind: "attached" | "detached" | "alive";
  readonly atMs: number;
}

export interface ExpiryHost {
  readonly sql: SqlStorage;
  readonly store: TreeStore;
  /** Every member of the configuration in force (voters and learners both hold sessions). */
  members(): readonly NodeId[];
  readonly now: () => number;
  /** Attached sessions are checked at every multiple of this. */
  readonly checkIntervalMs: number;
  /** When each of `ids` was last heard at `member` (absent: no socket there, or unreachable). */
  readonly presence: (member: NodeId, ids: bigint[]) => Promise<Map<bigint, number>>;
  /** Proposes closing the session (fire and forget; the schedule drops it once applied). */
  readonly close: (sessionId: bigint) => void;
  /** A sweep ended: the member books its next wake-up. */
  readonly swept: () => void;
}

interface Row extends Record<string, SqlStorageValue> {
  session_id: string;
  /** An exact deadline, or null: attached to `member`'s socket, checked every interval. */
  deadline_ms: number | null;
  member: number | null;
}

/** How long a close the leader proposed may take before the sweep proposes it again. */
const closeRetryMs = 5_000;
/** Sessions examined per presence round of a sweep. */
const sweepBatch = 500;

export class SessionExpiry {
  readonly #host: ExpiryHost;
  /** The earliest exact deadline and whether any session is attached; undefined: read again. */
  #rows: { next: number | null; attached: boolean } | undefined;
  /** When attached sessions are checked next; null after a start (at the next wake). */
  #nextCheckMs: number | null = null;
  #sweeping = false;
  sweeps = 0;

  constructor(host: ExpiryHost) {
    this.#host = host;
  }

  /** Leadership gained by election: every session gets a full timeout from now, as ZooKeeper. */
  elected(): void {
    const { sql, store, now } = this.#host;
    sql.exec("DELETE FROM session_deadline");
    const start = now();
    let after: bigint | undefined;
    for (;;) {
      const page = store.sessionsAfter(after, 500);
      for (const s of page) this.#put(s.id, start + s.timeoutMs, null);
      if (page.length < 500) break;
      after = page.at(-1)?.id;
    }
  }

  /** Leadership lost: another member keeps the schedule now. */
  deposed(): void {
    this.#host.sql.exec("DELETE FROM session_deadline");
    this.#rows = { next: null, attached: false };
  }

  /** A session created while this member leads (inside the apply transaction). */
  created(sessionId: bigint, timeoutMs: number): void {
    this.#put(sessionId, this.#host.now() + timeoutMs, null);
  }

  closed(sessionId: bigint): void {
    this.#host.sql.exec("DELETE FROM session_deadline WHERE session_id = ?", sessionId.toString());
    this.#rows = undefined;
  }

  /** What a member saw of its clients (this member's own reports included). */
  report(from: NodeId, reports: readonly SessionReport[]): void {
    for (const r of reports) {
      const session = this.#host.store.getSession(r.sessionId);
      if (!session) continue;
      const row = this.#row(r.sessionId);
      if (r.kind === "attached") {
        if (!row || row.member !== from || row.deadline_ms !== null)
          this.#put(r.sessionId, null, from);
      } else if (r.kind === "detached") {
        // A socket elsewhere took the session over since: its report decides.
        if (row && row.member !== null && row.member !== from) continue;
        this.#put(r.sessionId, r.atMs + session.timeoutMs, null);
      } else if (row?.deadline_ms !== null) {
        // An HTTP keep-alive moves an exact deadline on (an attached session needs none).
        const deadline = r.atMs + session.timeoutMs;
        if (!row || (row.deadline_ms ?? 0) < deadline) this.#put(r.sessionId, deadline, null);
      }
    }
  }

  nextDeadlineMs(): number | null {
    // A sweep waiting for answers books nothing: its end schedules what is next.
    if (this.#sweeping) return null;
    const rows = this.#read();
    if (!rows.attached) return rows.next;
    const check = this.#checkDueMs(this.#host.now());
    return rows.next === null ? check : Math.min(rows.next, check);
  }

  /** Closes the sessions not heard from within their timeout; keeps the others. */
  async sweep(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      await this.#sweepDue();
    } finally {
      this.#sweeping = false;
      this.#host.swept();
    }
  }

  async #sweepDue(): Promise<void> {
    const start = this.#host.now();
    const checkAttached = this.#read().attached && this.#checkDueMs(start) - this.#early() <= start;
    if (checkAttached) {
      // The next multiple of the interval; an alarm a little early for this one counts as it.
      const step = this.#host.checkIntervalMs;
      this.#nextCheckMs = (Math.floor((start + this.#early()) / step) + 1) * step;
    }
    let after = "";
    for (;;) {
      const due = this.#host.sql
        .exec<Row>(
          `SELECT * FROM session_deadline
           WHERE session_id > ? AND (deadline_ms <= ? OR (? AND deadline_ms IS NULL))
           ORDER BY session_id LIMIT ?`,
          after,
          start,
          checkAttached ? 1 : 0,
          sweepBatch,
        )
        .toArray();
      if (due.length === 0) return;
      this.sweeps++;
      await this.#settle(due);
      if (due.length < sweepBatch) return;
      after = due.at(-1)?.session_id ?? after;
    }
  }

  /** Keeps the due sessions heard from within their timeout; closes the others. */
  async #settle(due: readonly Row[]): Promise<void> {
    const heard = await this.#lastHeard(due);
    const checked = this.#host.now();
    for (const row of due) {
      const id = BigInt(row.session_id);
      const session = this.#host.store.getSession(id);
      if (!session) {
        this.closed(id);
        continue;
      }
      const seen = heard.get(id);
      if (seen && seen.atMs + session.timeoutMs > checked) {
        // Alive: attached to the member that vouched (a write only when that changed).
        if (row.deadline_ms !== null || row.member !== seen.member)
          this.#put(id, null, seen.member);
      } else if (!seen && row.deadline_ms === null) {
        // Attached, yet no member holds its socket: it vanished without a close (its member or
        // the whole service restarted). The client may be reconnecting: as ZooKeeper gives every
        // session a full timeout when the ensemble comes back, the timeout starts now.
        this.#put(id, checked + session.timeoutMs, null);
      } else {
        this.#put(id, checked + closeRetryMs, row.member);
        this.#host.close(id);
      }
    }
  }

  /** When attached sessions are next checked: each multiple of the interval, or now after a start. */
  #checkDueMs(nowMs: number): number {
    return this.#nextCheckMs ?? nowMs;
  }

  /** How early an alarm may fire and still count as on time (timers are not exact). */
  #early(): number {
    return Math.min(100, this.#host.checkIntervalMs / 10);
  }
  /**
   * When each due session was last heard: asks the member named for it, then — for sessions it
   * did not vouch for (the client may have moved) — every other member, once.
   */
  async #lastHeard(due: readonly Row[]): Promise<Map<bigint, { atMs: number; member: NodeId }>> {
    const heard = new Map<bigint, { atMs: number; member: NodeId }>();
    const asked = new Map<NodeId, Set<bigint>>();
    const ask = async (member: NodeId, ids: bigint[]) => {
      const set = asked.get(member) ?? new Set();
      const fresh = ids.filter((id) => !set.has(id));
      for (const id of fresh) set.add(id);
      asked.set(member, set);
      if (fresh.length === 0) return;
      let answer: Map<bigint, number>;
      try {
        answer = await this.#host.presence(member, fresh);
      } catch {
        return; // unreachable: no evidence from there
      }
      for (const [id, atMs] of answer) {
        const before = heard.get(id);
        if (!before || atMs > before.atMs) heard.set(id, { atMs, member });
      }
    };
    const byMember = new Map<NodeId, bigint[]>();
    for (const row of due) {
      if (row.member === null) continue;
      const list = byMember.get(row.member) ?? [];
      list.push(BigInt(row.session_id));
      byMember.set(row.member, list);
    }
    await Promise.all([...byMember].map(([member, ids]) => ask(member, ids)));
    const unvouched = due.map((r) => BigInt(r.session_id)).filter((id) => !heard.has(id));
    if (unvouched.length > 0) {
      await Promise.all(this.#host.members().map((member) => ask(member, unvouched)));
    }
    return heard;
  }

  #row(sessionId: bigint): Row | undefined {
    return this.#host.sql
      .exec<Row>("SELECT * FROM session_deadline WHERE session_id = ?", sessionId.toString())
      .toArray()[0];
  }

  #read(): { next: number | null; attached: boolean } {
    this.#rows ??= this.#host.sql
      .exec<{ next: number | null; attached: number }>(
        `SELECT min(deadline_ms) AS next,
                EXISTS (SELECT 1 FROM session_deadline WHERE deadline_ms IS NULL) AS attached
         FROM session_deadline`,
      )
      .toArray()
      .map((r) => ({ next: r.next, attached: r.attached === 1 }))[0] ?? {
      next: null,
      attached: false,
    };
    return this.#rows;
  }

  /** An exact deadline, or (null) attached to `member`'s socket and checked every interval. */
  #put(sessionId: bigint, deadlineMs: number | null, member: NodeId | null): void {
    this.#host.sql.exec(
      `INSERT INTO session_deadline (session_id, deadline_ms, member) VALUES (?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET deadline_ms = excluded.deadline_ms, member = excluded.member`,
      sessionId.toString(),
      deadlineMs,
      member,
    );
    this.#rows = undefined;
  }
}
