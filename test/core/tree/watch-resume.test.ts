// Re-arming watches after a reconnect: ZooKeeper's synthetic events, and persistent watches that
// replay what they missed or report COMPACTED.

import { describe, expect, it } from "vitest";
import { resumeWatches, type WatchSet } from "../../../src/core/session/watch-resume.ts";
import { WatchTable } from "../../../src/core/session/watch-table.ts";
import { enc, TreeHarness } from "./harness.ts";

const none: WatchSet = { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };

describe("resumeWatches", () => {
  it("fires ZooKeeper's synthetic events for nodes that moved past the last-seen zxid", () => {
    const h = new TreeHarness();
    h.create("/same");
    h.create("/changed");
    h.create("/gone");
    h.create("/parent");
    const seen = h.tree.lastZxid;
    h.must({ op: "setData", path: "/changed", data: enc("x"), version: -1 });
    h.must({ op: "delete", path: "/gone", version: -1 });
    h.create("/born");
    h.create("/parent/kid");
    const table = new WatchTable<string>();
    const r = resumeWatches(
      h.tree,
      table,
      "w",
      seen,
      {
        ...none,
        data: ["/same", "/changed", "/gone"],
        exist: ["/born", "/still-missing"],
        child: ["/parent", "/same"],
      },
      { replayPersistent: false },
    );
    if ("name" in r) throw new Error(r.message);
    expect(r.events.map((e) => `${e.type} ${e.path} @${e.zxid}`)).toEqual([
      "NodeDataChanged /changed @5",
      "NodeDeleted /gone @6",
      "NodeCreated /born @7",
      "NodeChildrenChanged /parent @8",
    ]);
    expect(table.contains("w", "/same", "data")).toBe(true);
    expect(table.contains("w", "/same", "children")).toBe(true);
    expect(table.contains("w", "/still-missing", "data")).toBe(true);
    expect(table.contains("w", "/changed", "data")).toBe(false);
  });

  it("replays every change a persistent watch missed, in order (beyond ZooKeeper)", () => {
    const h = new TreeHarness();
    h.create("/r");
    const seen = h.tree.lastZxid;
    h.create("/r/a", "1");
    h.must({ op: "setData", path: "/r/a", data: enc("2"), version: -1 });
    h.must({ op: "delete", path: "/r/a", version: -1 });
    h.create("/elsewhere");
    const table = new WatchTable<string>();
    const r = resumeWatches(
      h.tree,
      table,
      "w",
      seen,
      { ...none, persistentRecursive: ["/r"], persistent: ["/r"] },
      {
        replayPersistent: true,
      },
    );
    if ("name" in r) throw new Error(r.message);
    expect(r.events.map((e) => `${e.type} ${e.path}`)).toEqual([
      "NodeCreated /r/a",
      "NodeChildrenChanged /r",
      "NodeDataChanged /r/a",
      "NodeDeleted /r/a",
      "NodeChildrenChanged /r",
    ]);
    expect(r.compacted).toEqual([]);
    expect(table.contains("w", "/r", "persistentRecursive")).toBe(true);
  });

  it("says COMPACTED instead of silence when the history is gone", () => {
    const h = new TreeHarness({ changeLogZxids: 3 });
    h.create("/p");
    const seen = h.tree.lastZxid;
    for (let i = 0; i < 5; i++)
      h.must({ op: "setData", path: "/p", data: enc(String(i)), version: -1 });
    const table = new WatchTable<string>();
    const r = resumeWatches(
      h.tree,
      table,
      "w",
      seen,
      { ...none, persistent: ["/p"] },
      { replayPersistent: true },
    );
    if ("name" in r) throw new Error(r.message);
    expect(r.compacted).toEqual([
      { path: "/p", failure: expect.objectContaining({ name: "COMPACTED" }) },
    ]);
    expect(table.contains("w", "/p", "persistent")).toBe(true);
  });

  it("refuses a last-seen zxid from the future", () => {
    const h = new TreeHarness();
    h.create("/a");
    const r = resumeWatches(h.tree, new WatchTable<string>(), "w", 99, none, {
      replayPersistent: false,
    });
    expect(r).toMatchObject({ name: "BADARGUMENTS" });
  });
});
