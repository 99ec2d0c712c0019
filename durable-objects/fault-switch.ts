// Test-only link faults between members, persisted so they outlive an eviction (the "network"
// is outside the member). Production builds never set FAULT_INJECTION, so every link is up.

import { hasTable } from "./schema.ts";

export interface LinkFaults {
  /** Peers this member's messages to are dropped. */
  readonly dropTo: readonly number[];
  /** Peers whose messages to this member are dropped. */
  readonly dropFrom: readonly number[];
  /** The member refuses client calls, as if unreachable from the Worker. */
  readonly down?: boolean;
}

export class FaultSwitch {
  readonly #sql: SqlStorage;
  readonly #enabled: boolean;
  #faults: LinkFaults = { dropTo: [], dropFrom: [] };

  constructor(sql: SqlStorage, enabled: boolean) {
    this.#sql = sql;
    this.#enabled = enabled;
    if (!enabled || !hasTable(sql, "test_fault")) return;
    const row = sql
      .exec<{ faults: string }>("SELECT faults FROM test_fault WHERE id = 1")
      .toArray()[0];
    if (row) this.#faults = JSON.parse(row.faults) as LinkFaults;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  get faults(): LinkFaults {
    return this.#faults;
  }

  set(faults: LinkFaults): void {
    if (!this.#enabled) throw new Error("fault injection is disabled in this deployment");
    this.#faults = {
      dropTo: [...faults.dropTo],
      dropFrom: [...faults.dropFrom],
      down: faults.down === true,
    };
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS test_fault (id INTEGER PRIMARY KEY CHECK (id = 1), faults TEXT NOT NULL)",
    );
    this.#sql.exec(
      "INSERT OR REPLACE INTO test_fault (id, faults) VALUES (1, ?)",
      JSON.stringify(this.#faults),
    );
  }

  /** Throws when the member plays dead for clients. */
  assertUp(): void {
    if (this.#faults.down) throw new Error("member is down (fault injection)");
  }

  canSend(to: number): boolean {
    return !this.#faults.dropTo.includes(to);
  }

  canReceive(from: number): boolean {
    return !this.#faults.dropFrom.includes(from);
  }
}
