// A copy-on-write layer over a tree: prepare applies transactions to one to see their effects
// (the earlier ops of a multi, the writes still in flight) without touching the real store.

import type { SessionRecord } from "../session/session-record.ts";
import type { NodeRecord } from "./node-record.ts";
import type { MutableTree, TreeReader } from "./tree-store.ts";

export class Overlay implements MutableTree {
  readonly base: TreeReader;
  /** Written nodes; null marks a deletion. */
  readonly nodes = new Map<string, NodeRecord | null>();
  readonly sessions = new Map<bigint, SessionRecord | null>();

  constructor(base: TreeReader) {
    this.base = base;
  }

  getNode(path: string): NodeRecord | undefined {
    const own = this.nodes.get(path);
    return own === undefined ? this.base.getNode(path) : (own ?? undefined);
  }

  putNode(path: string, node: NodeRecord): void {
    this.nodes.set(path, node);
  }

  createNode(path: string, node: NodeRecord): void {
    // Prepare has just read this path, so the check costs no query.
    if (this.getNode(path) !== undefined) throw new Error(`create of existing ${path}`);
    this.nodes.set(path, node);
  }

  deleteNode(path: string): void {
    this.nodes.set(path, null);
  }

  getSession(id: bigint): SessionRecord | undefined {
    const own = this.sessions.get(id);
    return own === undefined ? this.base.getSession(id) : (own ?? undefined);
  }

  putSession(session: SessionRecord): void {
    this.sessions.set(session.id, session);
  }

  deleteSession(id: bigint): void {
    this.sessions.set(id, null);
  }

  isClosing(id: bigint): boolean {
    return this.sessions.get(id) === null || (this.base.isClosing?.(id) ?? false);
  }

  ephemeralPaths(owner: bigint): string[] {
    return mergeEphemerals(this.base.ephemeralPaths(owner), this.nodes, owner);
  }

  /** The base's usage: a recount inside a pending layer is approximate until it applies. */
  subtreeUsage(path: string): { count: number; bytes: number } {
    return this.base.subtreeUsage(path);
  }

  sessionCount(): number {
    return this.base.sessionCount?.() ?? 0;
  }

  treeUsage(): { count: number; bytes: number } {
    return this.base.treeUsage?.() ?? { count: 0, bytes: 0 };
  }
}

/** Base ephemerals of `owner`, corrected by a layer of writes. */
export function mergeEphemerals(
  base: readonly string[],
  writes: ReadonlyMap<string, { readonly ephemeralOwner: bigint } | null>,
  owner: bigint,
): string[] {
  const out = new Set(base.filter((p) => !writes.has(p)));
  for (const [path, node] of writes) {
    if (node !== null && node.ephemeralOwner === owner) out.add(path);
  }
  return [...out].sort();
}
