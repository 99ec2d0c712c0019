// The ensemble member Durable Object: for now a single member that keeps znodes in its SQLite.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env.ts";

/** What a read returns: the bytes and the part of ZooKeeper's Stat this slice maintains. */
export interface StoredNode {
  data: Uint8Array;
  stat: NodeStat;
}

export interface NodeStat {
  version: number;
  ctime: number;
  mtime: number;
  dataLength: number;
}

interface NodeRow extends Record<string, SqlStorageValue> {
  data: ArrayBuffer;
  version: number;
  ctime: number;
  mtime: number;
}

export class Member extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Synchronous SQL inside the constructor runs before any request is delivered.
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS znode (
         path TEXT PRIMARY KEY,
         data BLOB NOT NULL,
         version INTEGER NOT NULL,
         ctime INTEGER NOT NULL,
         mtime INTEGER NOT NULL
       ) WITHOUT ROWID`,
    );
  }

  /** Sets a node's data, creating the node (version 0) if it does not exist yet. */
  async putNode(path: string, data: Uint8Array): Promise<NodeStat> {
    const nowMs = Date.now();
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<NodeRow>(
        `INSERT INTO znode (path, data, version, ctime, mtime) VALUES (?, ?, 0, ?, ?)
         ON CONFLICT (path) DO UPDATE SET data = excluded.data, version = version + 1,
           mtime = excluded.mtime
         RETURNING data, version, ctime, mtime`,
        path,
        data,
        nowMs,
        nowMs,
      )
      .one();
    return statOf(row);
  }

  /** Reads a node, or null when there is none at `path`. */
  async getNode(path: string): Promise<StoredNode | null> {
    const rows = this.ctx.storage.sql
      .exec<NodeRow>("SELECT data, version, ctime, mtime FROM znode WHERE path = ?", path)
      .toArray();
    const row = rows[0];
    return row ? { data: new Uint8Array(row.data), stat: statOf(row) } : null;
  }
}

function statOf(row: NodeRow): NodeStat {
  return {
    version: row.version,
    ctime: row.ctime,
    mtime: row.mtime,
    dataLength: row.data.byteLength,
  };
}
