// The conformance suite every TreeStore must pass: the in-memory twin here, the member's SQLite
// store inside workerd. Orders and ranges are where implementations drift, so they are pinned.

import { describe, expect, it } from "vitest";
import {
  containerOwner,
  type NodeRecord,
  newRecord,
  ttlOwner,
} from "../../src/core/tree/node-record.ts";
import type { TreeStore } from "../../src/core/tree/tree-store.ts";
import type { StoreRunner } from "./consensus-storage.ts";

const open = [{ perms: 31, scheme: "world", id: "anyone" }];
const node = (data = "", owner = 0n, zxid = 1): NodeRecord =>
  newRecord(new TextEncoder().encode(data), open, owner, zxid, 1000);

function withTree(s: TreeStore, paths: string[]): void {
  for (const p of paths) s.putNode(p, node(p));
}

export function treeStoreConformance(name: string, use: StoreRunner<TreeStore>): void {
  describe(`${name} (TreeStore conformance)`, () => {
    it("puts, gets, replaces and deletes nodes with every field intact", () =>
      use(async (s) => {
        const n: NodeRecord = {
          ...node("x", -(1n << 63n) + 5n, 7),
          data: new Uint8Array([0, 1, 255]),
          acl: [{ perms: 3, scheme: "digest", id: "u:h=" }],
          version: -2147483648,
          cversion: 2147483647,
          aversion: 4,
          numChildren: 3,
          ctime: 1.7e12,
          mtime: 1.8e12,
          pzxid: 2 ** 53 - 1,
        };
        s.putNode("/a", n);
        expect(s.getNode("/a")).toEqual(n);
        s.putNode("/a", node("y"));
        expect(s.getNode("/a")).toEqual(node("y"));
        s.deleteNode("/a");
        expect(s.getNode("/a")).toBeUndefined();
        s.deleteNode("/a");
      }));

    it("creates a node that is absent, and refuses — never overwrites — one that is there", () =>
      use(async (s) => {
        withTree(s, ["/", "/a"]);
        s.createNode("/a/new", node("fresh"));
        expect(s.getNode("/a/new")?.data).toEqual(new TextEncoder().encode("fresh"));
        expect(s.childNames("/a", undefined, 10)).toEqual(["new"]);
        // A buffering store may only find out when it writes its batch: flush is part of the call.
        const flush = () => (s as { flush?: () => void }).flush?.();
        expect(() => {
          s.createNode("/a/new", node("again"));
          flush();
        }).toThrow();
        s.deleteNode("/a/new");
        s.createNode("/a/new", node("second"));
        flush();
        expect(s.getNode("/a/new")?.data).toEqual(new TextEncoder().encode("second"));
      }));

    it("lists child names in code-unit order, after a cursor, up to a limit", () =>
      use(async (s) => {
        withTree(s, [
          "/",
          "/p",
          "/p/b",
          "/p/a",
          "/p/a/deep",
          "/p-x",
          "/p/B",
          "/p/é",
          "/p/a0",
          "/q",
        ]);
        expect(s.childNames("/p", undefined, 100)).toEqual(["B", "a", "a0", "b", "é"]);
        expect(s.childNames("/p", "a", 2)).toEqual(["a0", "b"]);
        expect(s.childNames("/", undefined, 100)).toEqual(["p", "p-x", "q"]);
        expect(s.childNames("/none", undefined, 100)).toEqual([]);
        s.deleteNode("/p/b");
        expect(s.childNames("/p", undefined, 100)).toEqual(["B", "a", "a0", "é"]);
      }));

    it("counts descendants and measures subtrees without confusing siblings that share a prefix", () =>
      use(async (s) => {
        withTree(s, ["/", "/a", "/a/b", "/a/b/c", "/a/d", "/ab", "/a-", "/a-/x"]);
        expect(s.countDescendants("/a")).toBe(3);
        expect(s.countDescendants("/")).toBe(7);
        expect(s.countDescendants("/a/d")).toBe(0);
        expect(s.subtreeUsage("/a")).toEqual({
          count: 4,
          bytes: "/a".length + "/a/b".length + "/a/b/c".length + "/a/d".length,
        });
      }));

    it("finds ephemerals by owner and extended (container/TTL) nodes, sorted", () =>
      use(async (s) => {
        s.putNode("/", node());
        s.putNode("/e2", node("", 77n));
        s.putNode("/e1", node("", 77n));
        s.putNode("/other", node("", 78n));
        s.putNode("/c", node("", containerOwner));
        s.putNode("/t", node("", ttlOwner(1000)));
        expect(s.ephemeralPaths(77n)).toEqual(["/e1", "/e2"]);
        expect(s.ephemeralPaths(79n)).toEqual([]);
        expect(s.extendedNodes(undefined, 10).map(([p]) => p)).toEqual(["/c", "/t"]);
        expect(s.extendedNodes("/c", 10).map(([p]) => p)).toEqual(["/t"]);
      }));

    it("walks all nodes in path order in pages", () =>
      use(async (s) => {
        withTree(s, ["/b", "/", "/a/x", "/a", "/a-b"]);
        expect(s.nodesAfter(undefined, 2).map(([p]) => p)).toEqual(["/", "/a"]);
        expect(s.nodesAfter("/a", 10).map(([p]) => p)).toEqual(["/a-b", "/a/x", "/b"]);
      }));

    it("stores sessions with 64-bit ids and walks them in unsigned id order", () =>
      use(async (s) => {
        const big = (1n << 56n) - 3n;
        const record = {
          id: big,
          timeoutMs: 5000,
          createdZxid: 9,
          lastSeq: 7,
          lastZxid: 12,
          lastResult: new Uint8Array([1, 2, 0]),
        };
        s.putSession(record);
        s.putSession({ ...record, id: 5n, lastSeq: 0, lastZxid: 0, lastResult: new Uint8Array() });
        expect(s.getSession(big)).toEqual(record);
        expect(s.sessionsAfter(undefined, 10).map((x) => x.id)).toEqual([5n, big]);
        expect(s.sessionsAfter(5n, 10).map((x) => x.id)).toEqual([big]);
        s.deleteSession(5n);
        expect(s.getSession(5n)).toBeUndefined();
      }));

    it("keeps meta and a change log it can range over and trim", () =>
      use(async (s) => {
        expect(s.getMeta()).toBeUndefined();
        const meta = {
          lastZxid: 5,
          digest: (1n << 64n) - 1n,
          nodeCount: 3,
          dataBytes: 10,
          changeFloorZxid: 0,
        };
        s.putMeta(meta);
        expect(s.getMeta()).toEqual(meta);
        s.appendChanges([
          { type: "NodeCreated", path: "/a", zxid: 1 },
          { type: "NodeChildrenChanged", path: "/", zxid: 1 },
          { type: "NodeDataChanged", path: "/a", zxid: 3 },
        ]);
        s.appendChanges([{ type: "NodeDeleted", path: "/a", zxid: 4 }]);
        expect(s.changesBetween(0, 3).map((e) => `${e.type}@${e.zxid}`)).toEqual([
          "NodeCreated@1",
          "NodeChildrenChanged@1",
          "NodeDataChanged@3",
        ]);
        s.dropChangesThrough(1);
        expect(s.changesBetween(0, 10).map((e) => e.zxid)).toEqual([3, 4]);
      }));

    it("clears everything", () =>
      use(async (s) => {
        withTree(s, ["/", "/a"]);
        s.putSession({
          id: 1n,
          timeoutMs: 1,
          createdZxid: 1,
          lastSeq: 0,
          lastZxid: 0,
          lastResult: new Uint8Array(),
        });
        s.putMeta({ lastZxid: 1, digest: 0n, nodeCount: 2, dataBytes: 0, changeFloorZxid: 0 });
        s.clear();
        expect(s.getNode("/a")).toBeUndefined();
        expect(s.childNames("/", undefined, 10)).toEqual([]);
        expect(s.getSession(1n)).toBeUndefined();
        expect(s.getMeta()).toBeUndefined();
      }));
  });
}
