// Scenarios for multi: atomicity, one zxid, ZooKeeper's per-op error encoding, ops seeing earlier ops.

import { describe, expect, it } from "vitest";
import type { WriteOp } from "../../../src/core/tree/request.ts";
import { enc, failureName, open, TreeHarness } from "./harness.ts";

const create = (path: string, mode = 0): WriteOp => ({
  op: "create",
  path,
  data: enc(""),
  acl: open,
  mode,
});

describe("multi", () => {
  it("applies every op under one zxid and returns one result per op", () => {
    const h = new TreeHarness();
    h.create("/a", "x");
    const r = h.write({
      op: "multi",
      ops: [
        create("/b"),
        create("/b/c"),
        { op: "setData", path: "/a", data: enc("y"), version: 0 },
        { op: "check", path: "/a", version: 1 },
        { op: "delete", path: "/b/c", version: 0 },
      ],
    });
    expect(r.ok).toBe(true);
    if (!r.ok || r.result.type !== "multi") return;
    expect(r.result.results.map((x) => x.type)).toEqual([
      "create",
      "create",
      "setData",
      "check",
      "delete",
    ]);
    expect(new Set(r.events.map((e) => e.zxid))).toEqual(new Set([r.zxid]));
    expect(h.tree.store.getNode("/b/c")).toBeUndefined();
    expect(h.tree.store.getNode("/b")).toMatchObject({
      czxid: r.zxid,
      cversion: 1,
      numChildren: 0,
    });
  });

  it("fails atomically: OK before, the real code, RUNTIMEINCONSISTENCY after, nothing applied", () => {
    const h = new TreeHarness();
    h.create("/a");
    const before = h.dump();
    const r = h.write({
      op: "multi",
      ops: [create("/x"), { op: "check", path: "/a", version: 7 }, create("/y"), create("/z")],
    });
    expect(failureName(r)).toBe("BADVERSION");
    expect(!r.ok && r.opErrors).toEqual([
      "OK",
      "BADVERSION",
      "RUNTIMEINCONSISTENCY",
      "RUNTIMEINCONSISTENCY",
    ]);
    expect(h.dump()).toBe(before);
    expect(h.tree.lastZxid).toBe(1);
  });

  it("numbers sequential creates in one multi consecutively", () => {
    const h = new TreeHarness();
    h.create("/q");
    const r = h.must({
      op: "multi",
      ops: [create("/q/n-", 2), create("/q/n-", 2), create("/q/n-", 2)],
    });
    expect(r.type === "multi" && r.results.map((x) => (x.type === "create" ? x.path : ""))).toEqual(
      ["/q/n-0000000000", "/q/n-0000000001", "/q/n-0000000002"],
    );
  });

  it("lets a later op see an earlier one (create then setData of the same node)", () => {
    const h = new TreeHarness();
    const r = h.must({
      op: "multi",
      ops: [create("/n"), { op: "setData", path: "/n", data: enc("v"), version: 0 }],
    });
    expect(
      r.type === "multi" && r.results[1]?.type === "setData" && r.results[1].stat.version,
    ).toBe(1);
  });

  it("fails when a later op depends on a node an earlier op deleted", () => {
    const h = new TreeHarness();
    h.create("/n");
    const r = h.write({
      op: "multi",
      ops: [
        { op: "delete", path: "/n", version: -1 },
        { op: "setData", path: "/n", data: enc("v"), version: -1 },
      ],
    });
    expect(!r.ok && r.opErrors).toEqual(["OK", "NONODE"]);
    expect(h.tree.store.getNode("/n")).toBeDefined();
  });

  it("accepts an empty multi", () => {
    const h = new TreeHarness();
    expect(h.must({ op: "multi", ops: [] })).toEqual({ type: "multi", results: [] });
  });

  it("caps the total data of a multi at the data limit", () => {
    const h = new TreeHarness({ maxDataBytes: 10 });
    const op = (path: string): WriteOp => ({
      op: "create",
      path,
      data: new Uint8Array(6),
      acl: open,
      mode: 0,
    });
    expect(failureName(h.write({ op: "multi", ops: [op("/a"), op("/b")] }))).toBe("BADARGUMENTS");
  });
});
