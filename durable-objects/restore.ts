// Restoring an ensemble from a backup file, on one member: the file is staged in restore_ tables
// and checked against its digest while the member keeps serving; then, fenced (no consensus, no
// clients, on every member at once), the member replaces its tree with the staged one and starts
// its log afresh at the file's index in a new term, the same on every member.

import type { HardState } from "../src/core/consensus/entry.ts";
import type { Membership } from "../src/core/consensus/membership.ts";
import { SnapshotRestorer } from "../src/core/tree/snapshot.ts";
import type { TreeMeta } from "../src/core/tree/tree-store.ts";
import { restorePrefix, treeTableStatements } from "./schema.ts";
import { copyTree } from "./snapshot-transfers.ts";
import type { SqlRaftStorage } from "./sql-raft-storage.ts";
import { SqlTreeStore } from "./sql-tree-store.ts";

const prefix = restorePrefix;
const fenceTable = "restore_fence";

/** What a member staged: the backup's index and digest, for the router to compare. */
export interface Staged {
  readonly index: number;
  readonly digest: string;
  readonly nodes: number;
}

/** Whether this member is fenced for a restore (it survives eviction until the restore ends). */
export function isFenced(sql: SqlStorage): boolean {
  return (
    sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = ?", fenceTable)
      .one().n > 0
  );
}

export function setFence(sql: SqlStorage, fenced: boolean): void {
  sql.exec(
    fenced
      ? `CREATE TABLE IF NOT EXISTS ${fenceTable} (id INTEGER PRIMARY KEY)`
      : `DROP TABLE IF EXISTS ${fenceTable}`,
  );
}

export class RestoreStage {
  readonly #sql: SqlStorage;
  #transfer: string | null = null;
  #next = 0;
  #restorer: SnapshotRestorer | null = null;
  #staged: TreeMeta | null = null;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * One piece of the file, in order (`seq` from 0); with `last`, checks the whole against its
   * digest and totals. Throws on a piece out of order or bytes that are not a valid snapshot —
   * the staged copy is then dropped.
   */
  push(transfer: string, seq: number, data: Uint8Array, last: boolean): Staged | null {
    try {
      if (seq === 0) {
        this.abort();
        for (const statement of treeTableStatements(prefix)) this.#sql.exec(statement);
        this.#transfer = transfer;
        this.#next = 0;
        this.#restorer = new SnapshotRestorer(new SqlTreeStore(this.#sql, prefix));
      }
      const restorer = this.#restorer;
      if (restorer === null || transfer !== this.#transfer || seq !== this.#next)
        throw new Error(`piece ${seq} of ${transfer} does not follow what was staged`);
      this.#next++;
      restorer.push(data);
      if (!last) return null;
      const meta = restorer.finish();
      this.#staged = meta;
      this.#restorer = null;
      return { index: meta.lastZxid, digest: meta.digest.toString(16), nodes: meta.nodeCount };
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /**
   * The verified backup in the restore_ tables, if one is there: its meta is written only once
   * the digest and totals checked out (it outlives this object, which a fence ends).
   */
  stagedMeta(): TreeMeta | null {
    if (this.#staged) return this.#staged;
    const table = this.#sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM sqlite_master WHERE name = ?",
        `${prefix}tree_meta`,
      )
      .one().n;
    if (table === 0) return null;
    return new SqlTreeStore(this.#sql, prefix).getMeta() ?? null;
  }

  /**
   * Inside the caller's transaction: the staged tree becomes the live one, and the log starts at
   * a snapshot of it (index the file's, `term` the one every member was given) — nothing of the
   * old log, sessions' local deadlines or change log is kept.
   */
  apply(raft: SqlRaftStorage, term: number, members: Membership): TreeMeta {
    const staged = this.stagedMeta();
    if (staged === null) throw new Error("nothing staged to restore");
    copyTree(this.#sql, prefix, "");
    this.#sql.exec("DELETE FROM session_deadline");
    const hard: HardState = {
      term,
      vote: null,
      commit: staged.lastZxid,
      voteFloor: 0,
      incarnation: 0, // drawn anew at start: acknowledgements from before count for nothing
      lead: null,
    };
    const meta = { index: staged.lastZxid, term, voters: members.voters };
    raft.resetTo(
      members.learners.length > 0 ? { ...meta, learners: members.learners } : meta,
      hard,
    );
    this.abort();
    return staged;
  }

  /** Drops the staged copy. */
  abort(): void {
    for (const table of ["znode", "zsession", "tree_meta", "change_batch"])
      this.#sql.exec(`DROP TABLE IF EXISTS ${prefix}${table}`);
    this.#transfer = null;
    this.#restorer = null;
    this.#staged = null;
  }
}
