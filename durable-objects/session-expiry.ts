// The leader's session-expiry schedule. Clients ping without waking anyone (the runtime answers
// their pings), so the leader does not hear of liveness as it happens: it keeps one deadline per
// session in its own SQLite (it survives eviction) and, only when a deadline comes due, asks the
// member holding the session's socket when it last heard from the client. Heard recently: the
// deadline moves on, rounded up to the check interval so that idle sessions cost one wake-up per
// interval for all of them. Not heard: the session is closed through the log.
//
// Members report what they see: a session attached to one of their sockets, a socket that closed
// (the deadline becomes exactly close + timeout, as in ZooKeeper), an HTTP keep-alive.

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
  readonly self: NodeId;
  readonly voters: readonly NodeId[];
  readonly now: () => number;
  /** Deadlines of live sessions are rounded up to a multiple of this. */
  readonly checkIntervalMs: number;
  /** When each of `ids` was last heard at `member` (absent: no socket there, or unreachable). */
  readonly presence: (member: NodeId, ids: bigint[]) => Promise<Map<bigint, number>>;
  /** Proposes closing the session (fire and forget; the schedule drops it once applied). */
  readonly close: (sessionId: bigint) => void;
}

interface Row extends Record<string, SqlStorageValue> {
  session_id: string;
  deadline_ms: number;
  member: number | null;
}

/** How long a close the leader proposed may take before the sweep proposes it again. */
const closeRetryMs = 5_000;
/** Most sessions one sweep examines; the rest wait for the next. */
const sweepBatch = 500;

export class SessionExpiry {
  readonly #host: ExpiryHost;
  /** The earliest deadline, cached: undefined when it must be read again. */
  #next: number | null | undefined;
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
    this.#next = undefined;
  }

  /** Leadership lost: another member keeps the schedule now. */
  deposed(): void {
    this.#host.sql.exec("DELETE FROM session_deadline");
    this.#next = null;
  }

  /** A session created while this member leads (inside the apply transaction). */
  created(sessionId: bigint, timeoutMs: number): void {
    this.#put(sessionId, this.#host.now() + timeoutMs, null);
  }

  closed(sessionId: bigint): void {
    this.#host.sql.exec("DELETE FROM session_deadline WHERE session_id = ?", sessionId.toString());
    this.#next = undefined;
  }

  /** What a member saw of its clients (this member's own reports included). */
  report(from: NodeId, reports: readonly SessionReport[]): void {
    for (const r of reports) {
      const session = this.#host.store.getSession(r.sessionId);
      if (!session) continue;
      const row = this.#row(r.sessionId);
      if (r.kind === "detached") {
        // A socket elsewhere took the session over since: its report decides.
        if (row && row.member !== null && row.member !== from) continue;
        this.#put(r.sessionId, r.atMs + session.timeoutMs, null);
      } else {
        const member = r.kind === "attached" ? from : (row?.member ?? null);
        this.#put(r.sessionId, this.#gridded(r.atMs + session.timeoutMs), member);
      }
    }
  }

  nextDeadlineMs(): number | null {
    if (this.#next === undefined) {
      const row = this.#host.sql
        .exec<{ next: number | null }>("SELECT min(deadline_ms) AS next FROM session_deadline")
        .one();
      this.#next = row.next;
    }
    return this.#next;
  }

  /** Examines the sessions whose deadline passed: extends the live ones, closes the others. */
  async sweep(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      await this.#sweepDue();
    } finally {
      this.#sweeping = false;
    }
  }

  async #sweepDue(): Promise<void> {
    const { sql, store, now } = this.#host;
    const start = now();
    const due = sql
      .exec<Row>(
        "SELECT * FROM session_deadline WHERE deadline_ms <= ? ORDER BY deadline_ms LIMIT ?",
        start,
        sweepBatch,
      )
      .toArray();
    if (due.length === 0) return;
    this.sweeps++;
    const heard = await this.#lastHeard(due);
    const checked = now();
    for (const row of due) {
      const id = BigInt(row.session_id);
      const session = store.getSession(id);
      if (!session) {
        this.closed(id);
        continue;
      }
      const seen = heard.get(id);
      if (seen && seen.atMs + session.timeoutMs > checked) {
        this.#put(id, this.#gridded(seen.atMs + session.timeoutMs), seen.member);
      } else {
        this.#put(id, checked + closeRetryMs, row.member);
        this.#host.close(id);
      }
    }
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
      await Promise.all(this.#host.voters.map((member) => ask(member, unvouched)));
    }
    return heard;
  }

  #row(sessionId: bigint): Row | undefined {
    return this.#host.sql
      .exec<Row>("SELECT * FROM session_deadline WHERE session_id = ?", sessionId.toString())
      .toArray()[0];
  }

  #put(sessionId: bigint, deadlineMs: number, member: NodeId | null): void {
    this.#host.sql.exec(
      `INSERT INTO session_deadline (session_id, deadline_ms, member) VALUES (?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET deadline_ms = excluded.deadline_ms, member = excluded.member`,
      sessionId.toString(),
      deadlineMs,
      member,
    );
    this.#next = undefined;
  }

  #gridded(deadlineMs: number): number {
    const step = this.#host.checkIntervalMs;
    return Math.ceil(deadlineMs / step) * step;
  }
}
