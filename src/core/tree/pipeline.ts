// The leader's view of the tree with every proposed-but-unapplied transaction in effect, so
// prepare can pipeline writes. It is derived by applying the same transactions to one merged
// overlay, and shrinks as the real tree applies them — no hand-kept shadow of tree logic.

import type { SessionRecord } from "../session/session-record.ts";
import { applyCommand, type Origin } from "./command.ts";
import type { NodeRecord } from "./node-record.ts";
import { mergeEphemerals, Overlay } from "./overlay.ts";
import type { TreeReader } from "./tree-store.ts";
import type { Txn } from "./txn.ts";

interface Written<T> {
  readonly value: T | null;
  /** The zxid of the newest pending transaction that wrote it. */
  readonly zxid: number;
}

export class Pipeline implements TreeReader {
  readonly #base: TreeReader;
  readonly #nodes = new Map<string, Written<NodeRecord>>();
  readonly #sessions = new Map<bigint, Written<SessionRecord>>();
  readonly #pending: Array<{ zxid: number; paths: string[]; sessionIds: bigint[] }> = [];

  /** `base` is the applied tree; it must change only through transactions pushed here first. */
  constructor(base: TreeReader) {
    this.#base = base;
  }

  get size(): number {
    return this.#pending.length;
  }

  /** Makes a proposed transaction (at log index `zxid`) visible to later prepares. */
  push(txn: Txn, zxid: number, origin?: Origin): void {
    const last = this.#pending.at(-1);
    if (last !== undefined && zxid <= last.zxid) {
      throw new Error(`pipeline: zxid ${zxid} pushed after ${last.zxid}`);
    }
    const layer = new Overlay(this);
    applyCommand(layer, { txn, origin }, zxid, false);
    for (const [path, value] of layer.nodes) this.#nodes.set(path, { value, zxid });
    for (const [id, value] of layer.sessions) this.#sessions.set(id, { value, zxid });
    this.#pending.push({
      zxid,
      paths: [...layer.nodes.keys()],
      sessionIds: [...layer.sessions.keys()],
    });
  }

  /**
   * Call after the real tree applied everything through `zxid`: those layers are now in the
   * base. An entry whose newest writer is still pending stays.
   */
  appliedThrough(zxid: number): void {
    while (this.#pending.length > 0 && (this.#pending[0]?.zxid ?? Infinity) <= zxid) {
      const done = this.#pending.shift();
      if (done === undefined) break;
      for (const path of done.paths) {
        if (this.#nodes.get(path)?.zxid === done.zxid) this.#nodes.delete(path);
      }
      for (const id of done.sessionIds) {
        if (this.#sessions.get(id)?.zxid === done.zxid) this.#sessions.delete(id);
      }
    }
  }

  /** Forgets every pending transaction (leadership lost, or the log was truncated). */
  reset(): void {
    this.#nodes.clear();
    this.#sessions.clear();
    this.#pending.length = 0;
  }

  getNode(path: string): NodeRecord | undefined {
    const own = this.#nodes.get(path);
    return own === undefined ? this.#base.getNode(path) : (own.value ?? undefined);
  }

  getSession(id: bigint): SessionRecord | undefined {
    const own = this.#sessions.get(id);
    return own === undefined ? this.#base.getSession(id) : (own.value ?? undefined);
  }

  isClosing(id: bigint): boolean {
    return this.#sessions.get(id)?.value === null;
  }

  ephemeralPaths(owner: bigint): string[] {
    const writes = new Map<string, NodeRecord | null>();
    for (const [path, w] of this.#nodes) writes.set(path, w.value);
    return mergeEphemerals(this.#base.ephemeralPaths(owner), writes, owner);
  }

  subtreeUsage(path: string): { count: number; bytes: number } {
    return this.#base.subtreeUsage(path);
  }

  sessionCount(): number {
    return this.#base.sessionCount?.() ?? 0;
  }

  treeUsage(): { count: number; bytes: number } {
    return this.#base.treeUsage?.() ?? { count: 0, bytes: 0 };
  }
}
