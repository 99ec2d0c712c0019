// The in-memory twin of the member's SQLite tree store, for tests and the simulator.

import type { SessionRecord } from "../session/session-record.ts";
import type { NodeRecord } from "./node-record.ts";
import { parentOf } from "./path.ts";
import type { TreeEvent } from "./tree-event.ts";
import type { TreeMeta, TreeStore } from "./tree-store.ts";

export class MemoryTreeStore implements TreeStore {
  readonly #nodes = new Map<string, NodeRecord>();
  readonly #children = new Map<string, Set<string>>();
  readonly #sessions = new Map<bigint, SessionRecord>();
  #meta: TreeMeta | undefined;
  #changes: TreeEvent[] = [];

  getNode(path: string): NodeRecord | undefined {
    return this.#nodes.get(path);
  }

  createNode(path: string, node: NodeRecord): void {
    if (this.#nodes.has(path)) throw new Error(`create of existing ${path}`);
    this.putNode(path, node);
  }

  putNode(path: string, node: NodeRecord): void {
    if (!this.#nodes.has(path) && path !== "/") {
      const parent = parentOf(path);
      let set = this.#children.get(parent);
      if (!set) {
        set = new Set();
        this.#children.set(parent, set);
      }
      set.add(path.slice(parent === "/" ? 1 : parent.length + 1));
    }
    this.#nodes.set(path, node);
  }

  deleteNode(path: string): void {
    if (!this.#nodes.delete(path) || path === "/") return;
    const parent = parentOf(path);
    this.#children.get(parent)?.delete(path.slice(parent === "/" ? 1 : parent.length + 1));
  }

  getSession(id: bigint): SessionRecord | undefined {
    return this.#sessions.get(id);
  }

  putSession(session: SessionRecord): void {
    this.#sessions.set(session.id, session);
  }

  deleteSession(id: bigint): void {
    this.#sessions.delete(id);
  }

  sessionCount(): number {
    return this.#sessions.size;
  }

  treeUsage(): { count: number; bytes: number } {
    const meta = this.getMeta();
    return { count: meta?.nodeCount ?? 0, bytes: meta?.dataBytes ?? 0 };
  }

  ephemeralPaths(owner: bigint): string[] {
    return [...this.#nodes]
      .filter(([, node]) => node.ephemeralOwner === owner && owner > 0n)
      .map(([path]) => path)
      .sort(compare);
  }

  subtreeUsage(path: string): { count: number; bytes: number } {
    let count = 0;
    let bytes = 0;
    for (const [p, node] of this.#nodes) {
      if (p === path || isBelow(p, path)) {
        count++;
        bytes += node.data.length;
      }
    }
    return { count, bytes };
  }

  childNames(parent: string, after: string | undefined, limit: number): string[] {
    const names = [...(this.#children.get(parent) ?? [])].sort(compare);
    return names.filter((n) => after === undefined || n > after).slice(0, limit);
  }

  countDescendants(path: string): number {
    let count = 0;
    for (const p of this.#nodes.keys()) if (isBelow(p, path)) count++;
    return count;
  }

  extendedNodes(after: string | undefined, limit: number): Array<[string, NodeRecord]> {
    return this.#sorted()
      .filter(([p, node]) => node.ephemeralOwner < 0n && (after === undefined || p > after))
      .slice(0, limit);
  }

  nodesAfter(after: string | undefined, limit: number): Array<[string, NodeRecord]> {
    return this.#sorted()
      .filter(([p]) => after === undefined || p > after)
      .slice(0, limit);
  }

  sessionsAfter(after: bigint | undefined, limit: number): SessionRecord[] {
    const unsigned = (id: bigint) => BigInt.asUintN(64, id);
    return [...this.#sessions.values()]
      .filter((s) => after === undefined || unsigned(s.id) > unsigned(after))
      .sort((a, b) => (unsigned(a.id) < unsigned(b.id) ? -1 : 1))
      .slice(0, limit);
  }

  getMeta(): TreeMeta | undefined {
    return this.#meta;
  }

  putMeta(meta: TreeMeta): void {
    this.#meta = meta;
  }

  appendChanges(events: readonly TreeEvent[]): void {
    this.#changes.push(...events);
  }

  changesBetween(afterZxid: number, throughZxid: number): TreeEvent[] {
    return this.#changes.filter((e) => e.zxid > afterZxid && e.zxid <= throughZxid);
  }

  dropChangesThrough(zxid: number): void {
    this.#changes = this.#changes.filter((e) => e.zxid > zxid);
  }

  clear(): void {
    this.#nodes.clear();
    this.#children.clear();
    this.#sessions.clear();
    this.#meta = undefined;
    this.#changes = [];
  }

  #sorted(): Array<[string, NodeRecord]> {
    return [...this.#nodes].sort(([a], [b]) => compare(a, b));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isBelow(path: string, ancestor: string): boolean {
  return ancestor === "/" ? path !== "/" : path.startsWith(`${ancestor}/`);
}
