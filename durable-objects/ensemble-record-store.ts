// A member's copy of its ensemble's record (name, size, regions), for ensembles created through
// /v1/ensembles: the constructor reads it to know its peers. The default ensemble has none.

import type { EnsembleRecord } from "../src/core/ensemble-record.ts";
import { hasTable } from "./schema.ts";

/** What a member of an ensemble that does not exist answers when asked to serve. */
export const noEnsemble = "no such ensemble";
/** The reason a deleted ensemble's members end with (ctx.abort). */
export const ensembleDeleted = "ensemble deleted";

export function storedRecord(sql: SqlStorage): EnsembleRecord | null {
  if (!hasTable(sql, "ensemble_record")) return null;
  const row = sql
    .exec<{ record: string }>("SELECT record FROM ensemble_record WHERE id = 1")
    .toArray()[0];
  return row ? (JSON.parse(row.record) as EnsembleRecord) : null;
}

export function storeRecord(sql: SqlStorage, record: EnsembleRecord): void {
  sql.exec(
    "CREATE TABLE IF NOT EXISTS ensemble_record (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)",
  );
  sql.exec(
    "INSERT OR REPLACE INTO ensemble_record (id, record) VALUES (1, ?)",
    JSON.stringify(record),
  );
}
