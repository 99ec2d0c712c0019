// Scenarios for the watch table, one per ZooKeeper triggering rule (zookeeperProgrammers.md,
// "Semantics of Watches"; WatchManager.triggerWatch; AddWatchMode).

import { describe, expect, it } from "vitest";
import { WatchTable } from "../../../src/core/session/watch-table.ts";
import type { EventType, TreeEvent } from "../../../src/core/tree/tree-event.ts";

const ev = (type: EventType, path: string, zxid = 7): TreeEvent => ({ type, path, zxid });
const heard = (t: WatchTable<string>, e: TreeEvent) => t.trigger(e).map((n) => n.watcher);

describe("one-shot watches", () => {
  it("a data watch fires once on change or delete, then is gone", () => {
    const t = new WatchTable<string>();
    t.add("w", "/a", "data");
    expect(heard(t, ev("NodeDataChanged", "/a"))).toEqual(["w"]);
    expect(heard(t, ev("NodeDataChanged", "/a"))).toEqual([]);
    t.add("w", "/a", "data");
    expect(heard(t, ev("NodeDeleted", "/a"))).toEqual(["w"]);
    expect(t.watchCount).toBe(0);
  });

  it("an exist watch (a data watch on a missing node) fires on creation", () => {
    const t = new WatchTable<string>();
    t.add("w", "/new", "data");
    expect(heard(t, ev("NodeCreated", "/new"))).toEqual(["w"]);
  });

  it("a child watch fires on NodeChildrenChanged and on the node's deletion, not on data changes", () => {
    const t = new WatchTable<string>();
    t.add("w", "/p", "child");
    expect(heard(t, ev("NodeDataChanged", "/p"))).toEqual([]);
    expect(heard(t, ev("NodeChildrenChanged", "/p"))).toEqual(["w"]);
    t.add("w", "/p", "child");
    expect(heard(t, ev("NodeDeleted", "/p"))).toEqual(["w"]);
    expect(t.watchCount).toBe(0);
  });

  it("a watcher with data and child watches on a deleted node hears the deletion once, both consumed", () => {
    const t = new WatchTable<string>();
    t.add("w", "/n", "data");
    t.add("w", "/n", "child");
    expect(t.trigger(ev("NodeDeleted", "/n"))).toHaveLength(1);
    expect(t.watchCount).toBe(0);
  });

  it("a data event leaves a child watch armed", () => {
    const t = new WatchTable<string>();
    t.add("w", "/n", "data");
    t.add("w", "/n", "child");
    t.trigger(ev("NodeDataChanged", "/n"));
    expect(t.contains("w", "/n", "children")).toBe(true);
    expect(t.contains("w", "/n", "data")).toBe(false);
  });

  it("several watchers all hear one event, each once, carrying its zxid", () => {
    const t = new WatchTable<string>();
    for (const w of ["a", "b", "c"]) t.add(w, "/x", "data");
    const n = t.trigger(ev("NodeDataChanged", "/x", 42));
    expect(n.map((x) => `${x.watcher}@${x.event.zxid}`)).toEqual(["a@42", "b@42", "c@42"]);
  });
});

describe("persistent watches", () => {
  it("PERSISTENT hears data, create, delete and child events on its path and stays", () => {
    const t = new WatchTable<string>();
    t.add("w", "/p", "persistent");
    for (const type of [
      "NodeCreated",
      "NodeDataChanged",
      "NodeChildrenChanged",
      "NodeDeleted",
    ] as const) {
      expect(heard(t, ev(type, "/p")), type).toEqual(["w"]);
    }
    expect(heard(t, ev("NodeDataChanged", "/p/child"))).toEqual([]);
    expect(t.contains("w", "/p", "persistent")).toBe(true);
  });

  it("PERSISTENT_RECURSIVE hears the subtree's created/deleted/changed, never NodeChildrenChanged", () => {
    const t = new WatchTable<string>();
    t.add("w", "/r", "persistentRecursive");
    expect(heard(t, ev("NodeCreated", "/r/a/b"))).toEqual(["w"]);
    expect(heard(t, ev("NodeDataChanged", "/r"))).toEqual(["w"]);
    expect(heard(t, ev("NodeDeleted", "/r/a"))).toEqual(["w"]);
    expect(heard(t, ev("NodeChildrenChanged", "/r"))).toEqual([]);
    expect(heard(t, ev("NodeChildrenChanged", "/r/a"))).toEqual([]);
    expect(heard(t, ev("NodeCreated", "/rr"))).toEqual([]);
  });

  it("a recursive watch on / hears everything", () => {
    const t = new WatchTable<string>();
    t.add("w", "/", "persistentRecursive");
    expect(heard(t, ev("NodeCreated", "/x/y"))).toEqual(["w"]);
  });

  it("a watcher with overlapping watches hears an event once and keeps its persistent watches", () => {
    const t = new WatchTable<string>();
    t.add("w", "/a", "persistentRecursive");
    t.add("w", "/a/b", "persistent");
    t.add("w", "/a/b", "data");
    expect(t.trigger(ev("NodeDataChanged", "/a/b"))).toHaveLength(1);
    expect(t.contains("w", "/a/b", "data")).toBe(false);
    expect(t.contains("w", "/a/b", "persistent")).toBe(true);
    expect(t.contains("w", "/a", "persistentRecursive")).toBe(true);
  });
});

describe("removal", () => {
  it("removes by WatcherType and reports whether anything was removed (NOWATCHER otherwise)", () => {
    const t = new WatchTable<string>();
    t.add("w", "/a", "data");
    t.add("w", "/a", "child");
    t.add("w", "/a", "persistent");
    expect(t.remove("w", "/a", "persistentRecursive")).toBe(false);
    expect(t.remove("w", "/a", "data")).toBe(true);
    expect(t.remove("w", "/a", "data")).toBe(false);
    expect(t.contains("w", "/a", "any")).toBe(true);
    expect(t.remove("w", "/a", "any")).toBe(true);
    expect(t.contains("w", "/a", "any")).toBe(false);
    expect(t.pathCount).toBe(0);
  });

  it("drops everything a closed connection had, recursive watches included", () => {
    const t = new WatchTable<string>();
    t.add("w", "/a", "persistentRecursive");
    t.add("w", "/b", "data");
    t.add("v", "/b", "data");
    t.removeWatcher("w");
    expect(heard(t, ev("NodeCreated", "/a/x"))).toEqual([]);
    expect(heard(t, ev("NodeDataChanged", "/b"))).toEqual(["v"]);
    expect(t.watcherCount).toBe(0);
  });

  it("lists a watcher's watches by kind for re-registration", () => {
    const t = new WatchTable<string>();
    t.add("w", "/a", "data");
    t.add("w", "/a", "persistent");
    t.add("w", "/b", "child");
    t.add("w", "/c", "persistentRecursive");
    expect(t.watchesOf("w")).toEqual({
      data: ["/a"],
      child: ["/b"],
      persistent: ["/a"],
      persistentRecursive: ["/c"],
    });
  });
});
