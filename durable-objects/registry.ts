// The registry of ensembles: one Durable Object (named "registry") holding each ensemble's
// record in SQLite. Creating and deleting go through it so that two requests cannot create the
// same name twice; the Worker caches what it reads (ensemble-dispatch.ts).

import { DurableObject } from "cloudflare:workers";
import type { EnsembleLimits, EnsembleRecord } from "../src/core/ensemble-record.ts";
import type { LiveMembers } from "../src/core/live-members.ts";
import type { Env } from "../src/env.ts";

export type RegistryState = "creating" | "ready" | "deleting";

export interface RegisteredEnsemble extends EnsembleRecord {
  readonly state: RegistryState;
  readonly createdMs: number;
}

interface Row extends Record<string, SqlStorageValue> {
  name: string;
  size: number;
  regions: string;
  limits: string;
  state: string;
  created_ms: number;
}

const toEnsemble = (r: Row): RegisteredEnsemble => ({
  name: r.name,
  size: r.size as 3 | 5,
  regions: JSON.parse(r.regions) as EnsembleRecord["regions"],
  ...(r.limits === "{}" ? {} : { limits: JSON.parse(r.limits) as EnsembleLimits }),
  state: r.state as RegistryState,
  createdMs: r.created_ms,
});

export class Registry extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS ensemble (
      name TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      regions TEXT NOT NULL,
      limits TEXT NOT NULL,
      state TEXT NOT NULL,
      created_ms INTEGER NOT NULL
    )`);
    // Any ensemble's membership once it has changed (the default one's too, which has no record).
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS membership (
      name TEXT PRIMARY KEY,
      members TEXT NOT NULL
    )`);
  }

  /** The membership recorded after the ensemble's last change; null: as it was created. */
  async membership(name: string): Promise<LiveMembers | null> {
    const row = this.#sql
      .exec<{ members: string }>("SELECT members FROM membership WHERE name = ?", name)
      .toArray()[0];
    return row ? (JSON.parse(row.members) as LiveMembers) : null;
  }

  async setMembership(name: string, members: LiveMembers): Promise<void> {
    this.#sql.exec(
      "INSERT OR REPLACE INTO membership (name, members) VALUES (?, ?)",
      name,
      JSON.stringify(members),
    );
  }

  /**
   * Claims the name (state "creating"), or answers the record already there: the same record
   * again lets an interrupted create be finished by repeating it; a different one is a conflict.
   */
  async claim(
    record: EnsembleRecord,
  ): Promise<
    { ok: true; ensemble: RegisteredEnsemble } | { ok: false; existing: RegisteredEnsemble }
  > {
    const existing = this.#get(record.name);
    if (existing) {
      const same =
        existing.size === record.size &&
        JSON.stringify(existing.regions) === JSON.stringify(record.regions) &&
        JSON.stringify(existing.limits ?? {}) === JSON.stringify(record.limits ?? {}) &&
        existing.state !== "deleting";
      return same ? { ok: true, ensemble: existing } : { ok: false, existing };
    }
    this.#sql.exec(
      "INSERT INTO ensemble (name, size, regions, limits, state, created_ms) VALUES (?, ?, ?, ?, 'creating', ?)",
      record.name,
      record.size,
      JSON.stringify(record.regions),
      JSON.stringify(record.limits ?? {}),
      Date.now(),
    );
    return { ok: true, ensemble: this.#get(record.name) as RegisteredEnsemble };
  }

  async setState(name: string, state: RegistryState): Promise<void> {
    this.#sql.exec("UPDATE ensemble SET state = ? WHERE name = ?", state, name);
  }

  async get(name: string): Promise<RegisteredEnsemble | null> {
    return this.#get(name) ?? null;
  }

  async list(): Promise<RegisteredEnsemble[]> {
    return this.#sql.exec<Row>("SELECT * FROM ensemble ORDER BY name").toArray().map(toEnsemble);
  }

  async remove(name: string): Promise<void> {
    this.#sql.exec("DELETE FROM ensemble WHERE name = ?", name);
    this.#sql.exec("DELETE FROM membership WHERE name = ?", name);
  }

  #get(name: string): RegisteredEnsemble | undefined {
    const row = this.#sql.exec<Row>("SELECT * FROM ensemble WHERE name = ?", name).toArray()[0];
    return row ? toEnsemble(row) : undefined;
  }
}
