// Scenarios for containers and TTL nodes: which the leader may reap, and the reap transaction.

import { describe, expect, it } from "vitest";
import { failureName, TreeHarness } from "./harness.ts";

describe("containers", () => {
  it("become reapable once their last child goes, not before they ever had one", () => {
    const h = new TreeHarness();
    h.create("/c", "", 4);
    expect(h.tree.reapCandidates(h.nowMs, 10)).toEqual([]);
    expect(failureName(h.write({ op: "reap", path: "/c" }))).toBe("BADARGUMENTS");
    h.create("/c/x");
    expect(h.tree.reapCandidates(h.nowMs, 10)).toEqual([]);
    expect(failureName(h.write({ op: "reap", path: "/c" }))).toBe("NOTEMPTY");
    h.must({ op: "delete", path: "/c/x", version: -1 });
    expect(h.tree.reapCandidates(h.nowMs, 10)).toEqual(["/c"]);
    const r = h.write({ op: "reap", path: "/c" });
    expect(r.ok && r.events.map((e) => e.type)).toEqual(["NodeDeleted", "NodeChildrenChanged"]);
    expect(h.tree.store.getNode("/c")).toBeUndefined();
  });

  it("refuses to reap ordinary nodes", () => {
    const h = new TreeHarness();
    h.create("/p");
    expect(failureName(h.write({ op: "reap", path: "/p" }))).toBe("BADARGUMENTS");
    expect(failureName(h.write({ op: "reap", path: "/none" }))).toBe("NONODE");
  });
});

describe("TTL nodes", () => {
  it("expire when unmodified for longer than the TTL and childless", () => {
    const h = new TreeHarness();
    h.create("/t", "", 5, {}, 1000);
    expect(h.tree.reapCandidates(h.nowMs + 1000, 10)).toEqual([]);
    expect(h.tree.reapCandidates(h.nowMs + 1001, 10)).toEqual(["/t"]);
    h.nowMs += 800;
    h.must({ op: "setData", path: "/t", data: new Uint8Array([1]), version: -1 });
    expect(h.tree.reapCandidates(h.nowMs + 1000, 10)).toEqual([]);
    h.create("/t/child");
    expect(h.tree.reapCandidates(h.nowMs + 5000, 10)).toEqual([]);
    h.must({ op: "delete", path: "/t/child", version: -1 });
    h.nowMs += 1001;
    expect(h.write({ op: "reap", path: "/t" }).ok).toBe(true);
  });

  it("are re-checked when the reap is prepared (a write in between saves the node)", () => {
    const h = new TreeHarness();
    h.create("/t", "", 5, {}, 1000);
    const candidates = h.tree.reapCandidates(h.nowMs + 2000, 10);
    expect(candidates).toEqual(["/t"]);
    h.nowMs += 2000;
    h.must({ op: "setData", path: "/t", data: new Uint8Array([1]), version: -1 });
    expect(failureName(h.write({ op: "reap", path: "/t" }))).toBe("BADARGUMENTS");
  });
});
