// Prepare against writes in flight: versions, sequence numbers and existence see pending
// transactions, and the pipeline drains as the tree applies them.

import { describe, expect, it } from "vitest";
import { enc, open, TreeHarness } from "./harness.ts";

describe("pipeline", () => {
  it("lets pipelined writes build on each other before any applies", () => {
    const h = new TreeHarness();
    expect(h.propose({ op: "create", path: "/a", data: enc("0"), acl: open, mode: 0 }).ok).toBe(
      true,
    );
    expect(h.propose({ op: "create", path: "/a/b", data: enc(""), acl: open, mode: 0 }).ok).toBe(
      true,
    );
    expect(h.propose({ op: "setData", path: "/a", data: enc("1"), version: 0 }).ok).toBe(true);
    expect(h.propose({ op: "setData", path: "/a", data: enc("2"), version: 1 }).ok).toBe(true);
    expect(h.propose({ op: "setData", path: "/a", data: enc("x"), version: 1 })).toMatchObject({
      ok: false,
      failure: { name: "BADVERSION" },
    });
    expect(
      h.propose({ op: "create", path: "/a", data: enc(""), acl: open, mode: 0 }),
    ).toMatchObject({
      ok: false,
      failure: { name: "NODEEXISTS" },
    });
    expect(h.tree.store.getNode("/a")).toBeUndefined();
    expect(h.pipeline.size).toBe(4);
    h.commitAll();
    expect(h.pipeline.size).toBe(0);
    expect(h.tree.store.getNode("/a")).toMatchObject({ version: 2, numChildren: 1 });
  });

  it("chooses distinct sequence numbers for sequential creates in flight", () => {
    const h = new TreeHarness();
    h.create("/q");
    for (let i = 0; i < 3; i++)
      h.propose({ op: "create", path: "/q/n-", data: enc(""), acl: open, mode: 2 });
    const paths = h.proposed.map((p) => (p.txn.type === "create" ? p.txn.path : ""));
    expect(paths).toEqual(["/q/n-0000000000", "/q/n-0000000001", "/q/n-0000000002"]);
    h.commitAll();
    expect(h.tree.store.childNames("/q", undefined, 10)).toEqual([
      "n-0000000000",
      "n-0000000001",
      "n-0000000002",
    ]);
  });

  it("keeps a pending value that a later pending write still owns when an earlier one applies", () => {
    const h = new TreeHarness();
    h.create("/a", "0");
    h.propose({ op: "setData", path: "/a", data: enc("1"), version: 0 });
    h.propose({ op: "setData", path: "/a", data: enc("2"), version: 1 });
    const [first] = h.proposed.splice(0, 1);
    if (!first) throw new Error("nothing proposed");
    h.tree.apply(first.txn, first.zxid);
    h.pipeline.appliedThrough(first.zxid);
    expect(h.pipeline.getNode("/a")?.version).toBe(2);
    expect(h.pipeline.size).toBe(1);
  });

  it("forgets everything on reset (leadership lost)", () => {
    const h = new TreeHarness();
    h.propose({ op: "create", path: "/a", data: enc(""), acl: open, mode: 0 });
    h.pipeline.reset();
    expect(h.pipeline.getNode("/a")).toBeUndefined();
    expect(h.pipeline.size).toBe(0);
  });
});
