// The synchronous storage the znode tree reads and writes through: SQLite in the member, an
// in-memory twin in tests and the simulator. Nothing above it holds the whole tree.

import type { SessionRecord } from "../session/session-record.ts";
import type { NodeRecord } from "./node-record.ts";
import type { TreeEvent } from "./tree-event.ts";

/** What prepare needs to see: the tree as it will be once pending transactions apply. */
export interface TreeReader {
  getNode(path: string): NodeRecord | undefined;
  getSession(id: bigint): SessionRecord | undefined;
  /** Paths of the ephemerals `owner` holds, sorted. */
  ephemeralPaths(owner: bigint): string[];
  /** Nodes (the root of the subtree included) and data bytes under `path`. */
  subtreeUsage(path: string): { count: number; bytes: number };
  /** True while a close of session `id` is pending (prepare answers SESSIONEXPIRED then). */
  isClosing?(id: bigint): boolean;
  /** Open sessions (applied ones: writes in flight are not counted). */
  sessionCount?(): number;
  /** Znodes and data bytes in the whole tree (applied ones: writes in flight are not counted). */
  treeUsage?(): { count: number; bytes: number };
}

/** What apply writes through. */
export interface MutableTree extends TreeReader {
  putNode(path: string, node: NodeRecord): void;
  /**
   * Puts a node that does not exist (a create): a store may skip looking for an old one, but
   * must fail — never overwrite — when one is there.
   */
  createNode(path: string, node: NodeRecord): void;
  deleteNode(path: string): void;
  putSession(session: SessionRecord): void;
  deleteSession(id: bigint): void;
}

/** Totals kept beside the tree so no read-out has to scan it. */
export interface TreeMeta {
  readonly lastZxid: number;
  /** Sum of node and session fingerprints, modulo 2^64. */
  readonly digest: bigint;
  readonly nodeCount: number;
  readonly dataBytes: number;
  /** Every change with a zxid above this is still in the change log. */
  readonly changeFloorZxid: number;
}

export interface TreeStore extends MutableTree {
  /** Child names of `parent` in code-unit order, strictly after `after`, at most `limit`. */
  childNames(parent: string, after: string | undefined, limit: number): string[];
  /** All nodes below `path` (not counting it). */
  countDescendants(path: string): number;
  /** Containers and TTL nodes (ephemeralOwner < 0) in path order, strictly after `after`. */
  extendedNodes(after: string | undefined, limit: number): Array<[string, NodeRecord]>;
  /** Every node in path order, strictly after `after` (snapshots). */
  nodesAfter(after: string | undefined, limit: number): Array<[string, NodeRecord]>;
  /** Sessions in id order (as unsigned), strictly after `after`. */
  sessionsAfter(after: bigint | undefined, limit: number): SessionRecord[];
  getMeta(): TreeMeta | undefined;
  putMeta(meta: TreeMeta): void;
  /** Events in zxid order, each zxid's together, every zxid above those already appended. */
  appendChanges(events: readonly TreeEvent[]): void;
  /** Changes with `afterZxid` < zxid <= `throughZxid`, in the order they were appended. */
  changesBetween(afterZxid: number, throughZxid: number): TreeEvent[];
  /** Forgets changes with zxid <= `zxid`. */
  dropChangesThrough(zxid: number): void;
  /** Removes everything (before restoring a snapshot). */
  clear(): void;
}
