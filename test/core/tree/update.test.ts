// Scenarios for delete, setData, setACL and check: versions, errors and what each leaves alone.

import { describe, expect, it } from "vitest";
import { enc, failureName, open, TreeHarness } from "./harness.ts";

describe("delete", () => {
  it("removes the node, bumps the parent's pzxid but not its cversion, and emits events", () => {
    const h = new TreeHarness();
    h.create("/p");
    h.create("/p/c");
    const r = h.write({ op: "delete", path: "/p/c", version: 0 });
    expect(r.ok && r.events).toEqual([
      {
        type: "NodeDeleted",
        path: "/p/c",
        zxid: 3,
        acl: [{ perms: 31, scheme: "world", id: "anyone" }],
      },
      { type: "NodeChildrenChanged", path: "/p", zxid: 3 },
    ]);
    expect(h.tree.store.getNode("/p")).toMatchObject({ numChildren: 0, cversion: 1, pzxid: 3 });
  });

  it("checks the version (-1 matches any) and refuses non-empty nodes", () => {
    const h = new TreeHarness();
    h.create("/a");
    h.create("/a/b");
    expect(failureName(h.write({ op: "delete", path: "/a/b", version: 3 }))).toBe("BADVERSION");
    expect(failureName(h.write({ op: "delete", path: "/a", version: -1 }))).toBe("NOTEMPTY");
    expect(failureName(h.write({ op: "delete", path: "/nope", version: -1 }))).toBe("NONODE");
    expect(failureName(h.write({ op: "delete", path: "/nope/x", version: -1 }))).toBe("NONODE");
    expect(h.write({ op: "delete", path: "/a/b", version: -1 }).ok).toBe(true);
  });

  it("refuses the reserved paths with BADARGUMENTS", () => {
    const h = new TreeHarness();
    for (const path of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]) {
      expect(failureName(h.write({ op: "delete", path, version: -1 })), path).toBe("BADARGUMENTS");
    }
  });
});

describe("setData", () => {
  it("replaces data, bumps version, mzxid and mtime only, and emits NodeDataChanged", () => {
    const h = new TreeHarness();
    h.create("/a", "one");
    h.nowMs += 500;
    const r = h.write({ op: "setData", path: "/a", data: enc("two!"), version: 0 });
    expect(r.ok && r.result.type === "setData" && r.result.stat).toMatchObject({
      czxid: 1,
      mzxid: 2,
      pzxid: 1,
      version: 1,
      dataLength: 4,
      mtime: h.nowMs,
      ctime: h.nowMs - 500,
    });
    expect(r.ok && r.events).toEqual([{ type: "NodeDataChanged", path: "/a", zxid: 2 }]);
  });

  it("answers BADVERSION and NONODE, changing nothing", () => {
    const h = new TreeHarness();
    h.create("/a", "one");
    const before = h.dump();
    expect(failureName(h.write({ op: "setData", path: "/a", data: enc("x"), version: 5 }))).toBe(
      "BADVERSION",
    );
    expect(failureName(h.write({ op: "setData", path: "/b", data: enc("x"), version: -1 }))).toBe(
      "NONODE",
    );
    expect(h.dump()).toBe(before);
  });

  it("wraps the version like a Java int and skips -1 (ZOOKEEPER-4743)", () => {
    const h = new TreeHarness();
    h.create("/v");
    const node = h.tree.store.getNode("/v");
    if (!node) throw new Error("missing");
    h.tree.store.putNode("/v", { ...node, version: 2147483647 });
    const a = h.must({ op: "setData", path: "/v", data: enc("a"), version: 2147483647 });
    expect(a.type === "setData" && a.stat.version).toBe(-2147483648);
    h.tree.store.putNode("/v", { ...(h.tree.store.getNode("/v") ?? node), version: -2 });
    const b = h.must({ op: "setData", path: "/v", data: enc("b"), version: -2 });
    expect(b.type === "setData" && b.stat.version).toBe(0);
  });
});

describe("setACL and getACL", () => {
  it("bumps aversion only, checks it, and fires no watch event", () => {
    const h = new TreeHarness();
    h.create("/a");
    const acl = [{ perms: 17, scheme: "world", id: "anyone" }];
    const r = h.write({ op: "setACL", path: "/a", acl, version: 0 });
    expect(r.ok && r.result.type === "setACL" && r.result.stat).toMatchObject({
      aversion: 1,
      version: 0,
      mzxid: 1,
    });
    expect(r.ok && r.events).toEqual([]);
    expect(failureName(h.write({ op: "setACL", path: "/a", acl, version: 0 }))).toBe("BADVERSION");
    expect(h.reads.getAcl("/a", [])).toMatchObject({ ok: true, value: { acl } });
  });
});

describe("check", () => {
  it("passes on the right version and answers BADVERSION/NONODE otherwise", () => {
    const h = new TreeHarness();
    h.create("/a");
    expect(h.write({ op: "check", path: "/a", version: 0 }).ok).toBe(true);
    expect(h.write({ op: "check", path: "/a", version: -1 }).ok).toBe(true);
    expect(failureName(h.write({ op: "check", path: "/a", version: 1 }))).toBe("BADVERSION");
    expect(failureName(h.write({ op: "check", path: "/b", version: 0 }))).toBe("NONODE");
  });
});

describe("reads", () => {
  it("getChildren lists names in order with the parent's Stat, and pages", () => {
    const h = new TreeHarness();
    h.create("/p");
    for (const name of ["b", "a", "c", "aa"]) h.create(`/p/${name}`);
    const all = h.reads.getChildren("/p", []);
    expect(all.ok && all.value.children).toEqual(["a", "aa", "b", "c"]);
    expect(all.ok && all.value.stat.numChildren).toBe(4);
    const page1 = h.reads.getChildren("/p", [], { limit: 2 });
    expect(page1.ok && page1.value).toMatchObject({ children: ["a", "aa"], more: true });
    const page2 = h.reads.getChildren("/p", [], { limit: 2, after: "aa" });
    expect(page2.ok && page2.value).toMatchObject({ children: ["b", "c"], more: false });
    expect(h.reads.getChildren("/none", [])).toMatchObject({
      ok: false,
      failure: { name: "NONODE" },
    });
  });

  it("refuses an unpaged listing too large for one reply", () => {
    const h = new TreeHarness({ maxReplyBytes: 100 });
    h.create("/p");
    for (let i = 0; i < 20; i++) h.create(`/p/child-${i}`);
    expect(h.reads.getChildren("/p", [])).toMatchObject({
      ok: false,
      failure: { name: "BADARGUMENTS" },
    });
    expect(h.reads.getChildren("/p", [], { limit: 5 }).ok).toBe(true);
  });

  it("getAllChildrenNumber counts every descendant", () => {
    const h = new TreeHarness();
    h.create("/a");
    h.create("/a/b");
    h.create("/a/b/c");
    h.create("/a/d");
    h.create("/ab");
    expect(h.reads.getAllChildrenNumber("/a", [])).toEqual({ ok: true, value: 3 });
    expect(h.reads.getAllChildrenNumber("/", [])).toEqual({ ok: true, value: 8 });
  });

  it("getEphemerals lists the session's own ephemerals by string prefix", () => {
    const h = new TreeHarness();
    const s1 = h.session();
    const s2 = h.session();
    h.create("/app");
    h.create("/app-e1", "", 1, { sessionId: s1 });
    h.create("/app/e2", "", 1, { sessionId: s1 });
    h.create("/other", "", 1, { sessionId: s1 });
    h.create("/app/e3", "", 1, { sessionId: s2 });
    expect(h.reads.getEphemerals(s1, "/app")).toEqual(["/app-e1", "/app/e2"]);
    expect(h.reads.getEphemerals(s1, "/")).toEqual(["/app-e1", "/app/e2", "/other"]);
    expect(h.reads.getEphemerals(s2, "")).toEqual(["/app/e3"]);
  });

  it("exists and getData answer NONODE for a missing node and BADARGUMENTS for a bad path", () => {
    const h = new TreeHarness();
    expect(h.reads.exists("/x", [])).toMatchObject({ ok: false, failure: { name: "NONODE" } });
    expect(h.reads.getData("x", [])).toMatchObject({
      ok: false,
      failure: { name: "BADARGUMENTS" },
    });
  });

  it("multiRead answers each op on its own", () => {
    const h = new TreeHarness();
    h.create("/a", "A");
    const results = h.reads.multiRead(
      [
        { op: "getData", path: "/a" },
        { op: "getChildren", path: "/missing" },
        { op: "getChildren", path: "/" },
      ],
      [],
    );
    if ("name" in results) throw new Error(results.message);
    expect(results.map((r) => r.op)).toEqual(["getData", "error", "getChildren"]);
    expect(results[1]).toMatchObject({ failure: { name: "NONODE" } });
    expect(results[2]).toMatchObject({ children: ["a", "zookeeper"] });
  });

  it("bounds multiRead's reply as it builds it (maxReplyBytes), whatever the ops", () => {
    const h = new TreeHarness({ maxReplyBytes: 10_000 });
    h.create("/big", "x".repeat(4_000));
    for (let i = 0; i < 200; i++) h.create(`/big-parent-${i % 2}-${i}`);
    const twice = h.reads.multiRead(
      [
        { op: "getData", path: "/big" },
        { op: "getData", path: "/big" },
      ],
      [],
    );
    expect(Array.isArray(twice)).toBe(true);
    const thrice = h.reads.multiRead(
      Array.from({ length: 3 }, () => ({ op: "getData" as const, path: "/big" })),
      [],
    );
    expect(thrice).toMatchObject({ name: "BADARGUMENTS", message: /the limit is 10000$/ });
    // A listing is cut off while it is built, not after.
    const listing = h.reads.multiRead(
      [
        { op: "getData", path: "/big" },
        { op: "getChildren", path: "/" },
      ],
      [],
    );
    expect(listing).toMatchObject({ name: "BADARGUMENTS", message: /maxReplyBytes/ });
  });
});

describe("limits", () => {
  it("caps ACL entries and multi size", () => {
    const h = new TreeHarness({ maxAclEntries: 2, maxMultiOps: 2 });
    const acl = [1, 2, 4].map((perms) => ({ perms, scheme: "world", id: "anyone" }));
    expect(failureName(h.write({ op: "create", path: "/a", data: enc(""), acl, mode: 0 }))).toBe(
      "INVALIDACL",
    );
    const ops = [1, 2, 3].map((i) => ({
      op: "create" as const,
      path: `/m${i}`,
      data: enc(""),
      acl: open,
      mode: 0,
    }));
    expect(failureName(h.write({ op: "multi", ops }))).toBe("BADARGUMENTS");
  });
});
