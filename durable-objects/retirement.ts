// The marker a removed member keeps after its storage is deleted: its number is never a member
// again, and the object refuses every request instead of starting an empty replica.

const table = "retired_member";

export function isRetired(sql: SqlStorage): boolean {
  return (
    sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = ?", table).one()
      .n > 0
  );
}

export function markRetired(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY)`);
}
