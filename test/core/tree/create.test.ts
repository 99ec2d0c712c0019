// Scenarios for create, from ZooKeeper's documented behaviour (zookeeperProgrammers.md, CreateMode).

import { describe, expect, it } from "vitest";
import { containerOwner, ttlOwner } from "../../../src/core/tree/node-record.ts";
import { enc, failureName, open, TreeHarness } from "./harness.ts";

describe("create", () => {
  it("returns the path and a Stat with ZooKeeper's initial values", () => {
    const h = new TreeHarness();
    const r = h.create("/app", "hello");
    expect(r.ok).toBe(true);
    if (!r.ok || r.result.type !== "create") return;
    expect(r.result.path).toBe("/app");
    expect(r.result.stat).toEqual({
      czxid: r.zxid,
      mzxid: r.zxid,
      ctime: h.nowMs,
      mtime: h.nowMs,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
      pzxid: r.zxid,
    });
  });

  it("bumps the parent's cversion, numChildren and pzxid but not its version or mzxid", () => {
    const h = new TreeHarness();
    h.create("/p");
    const before = h.tree.store.getNode("/p");
    const r = h.create("/p/c");
    const parent = h.tree.store.getNode("/p");
    expect(parent?.cversion).toBe(1);
    expect(parent?.numChildren).toBe(1);
    expect(parent?.pzxid).toBe(r.ok ? r.zxid : -1);
    expect(parent?.version).toBe(before?.version);
    expect(parent?.mzxid).toBe(before?.mzxid);
  });

  it("emits NodeCreated for the node then NodeChildrenChanged for its parent, with the zxid", () => {
    const h = new TreeHarness();
    const r = h.create("/a");
    expect(r.ok && r.events).toEqual([
      { type: "NodeCreated", path: "/a", zxid: 1 },
      { type: "NodeChildrenChanged", path: "/", zxid: 1 },
    ]);
  });

  it("answers NODEEXISTS for an existing path and for the root", () => {
    const h = new TreeHarness();
    h.create("/a");
    expect(failureName(h.create("/a"))).toBe("NODEEXISTS");
    expect(failureName(h.create("/"))).toBe("NODEEXISTS");
    expect(failureName(h.create("/zookeeper"))).toBe("NODEEXISTS");
  });

  it("answers NONODE when the parent is missing", () => {
    const h = new TreeHarness();
    const r = h.create("/missing/child");
    expect(failureName(r)).toBe("NONODE");
  });

  it("names sequential nodes with %010d of the parent's cversion, gaps included", () => {
    const h = new TreeHarness();
    h.create("/q");
    expect(h.createdPath("/q/item-", "", 2)).toBe("/q/item-0000000000");
    expect(h.createdPath("/q/item-", "", 2)).toBe("/q/item-0000000001");
    h.create("/q/plain"); // cversion 3 now
    h.must({ op: "delete", path: "/q/plain", version: -1 }); // delete leaves cversion alone
    expect(h.createdPath("/q/item-", "", 2)).toBe("/q/item-0000000003");
    expect(h.createdPath("/q/", "", 2)).toBe("/q/0000000004");
  });

  it("formats a wrapped (negative) cversion as Java's %010d does", () => {
    const h = new TreeHarness();
    h.create("/w");
    const node = h.tree.store.getNode("/w");
    if (!node) throw new Error("no node");
    h.tree.store.putNode("/w", { ...node, cversion: 2147483647 });
    expect(h.createdPath("/w/s", "", 2)).toBe("/w/s2147483647");
    expect(h.createdPath("/w/s", "", 2)).toBe("/w/s-2147483648");
    expect(h.tree.store.getNode("/w")?.cversion).toBe(-2147483647);
  });

  it("makes ephemeral nodes owned by the session, and refuses them children", () => {
    const h = new TreeHarness();
    const s = h.session();
    const r = h.create("/e", "", 1, { sessionId: s });
    expect(r.ok && r.result.type === "create" && r.result.stat.ephemeralOwner).toBe(s);
    expect(failureName(h.create("/e/child"))).toBe("NOCHILDRENFOREPHEMERALS");
    expect(h.createdPath("/es-", "", 3, { sessionId: s })).toBe("/es-0000000001");
  });

  it("refuses an ephemeral without a session, and with an unknown one", () => {
    const h = new TreeHarness();
    expect(failureName(h.create("/e", "", 1))).toBe("BADARGUMENTS");
    expect(failureName(h.create("/e", "", 1, { sessionId: 12345n }))).toBe("UNKNOWNSESSION");
    expect(failureName(h.create("/p", "", 0, { sessionId: 12345n }))).toBe("UNKNOWNSESSION");
    expect(h.tree.store.getNode("/e")).toBeUndefined();
  });

  it("encodes container and TTL owners as ZooKeeper does, and reports them to clients as 0", () => {
    const h = new TreeHarness();
    const c = h.create("/c", "", 4);
    expect(h.tree.store.getNode("/c")?.ephemeralOwner).toBe(containerOwner);
    expect(containerOwner).toBe(-9223372036854775808n);
    expect(c.ok && c.result.type === "create" && c.result.stat.ephemeralOwner).toBe(0n);
    h.create("/t", "", 5, {}, 5000);
    expect(BigInt.asUintN(64, h.tree.store.getNode("/t")?.ephemeralOwner ?? 0n)).toBe(
      0xff00000000001388n,
    );
    expect(ttlOwner(5000)).toBe(h.tree.store.getNode("/t")?.ephemeralOwner);
    expect(h.reads.exists("/t", [])).toMatchObject({ ok: true, value: { ephemeralOwner: 0n } });
    expect(h.createdPath("/t-", "", 6, {}, 1000)).toMatch(/^\/t-\d{10}$/);
  });

  it("reports cversion as ZooKeeper does: changes (creates + deletes), while sequence numbers count creates", () => {
    const h = new TreeHarness();
    h.create("/p");
    h.create("/p/a");
    h.create("/p/b");
    h.must({ op: "delete", path: "/p/a", version: -1 });
    // Stored: 2 creates. Reported: 2 × 2 − 1 child = 3 changes. Next suffix: the stored count.
    expect(h.tree.store.getNode("/p")?.cversion).toBe(2);
    expect(h.reads.exists("/p", [])).toMatchObject({
      ok: true,
      value: { cversion: 3, numChildren: 1 },
    });
    expect(h.createdPath("/p/s-", "", 2)).toBe("/p/s-0000000002");
  });

  it("validates TTLs: required for TTL modes, refused for others, bounded", () => {
    const h = new TreeHarness();
    expect(failureName(h.create("/t", "", 5))).toBe("BADARGUMENTS");
    expect(failureName(h.create("/t", "", 5, {}, 0))).toBe("BADARGUMENTS");
    expect(failureName(h.create("/t", "", 5, {}, 0x10000000000))).toBe("BADARGUMENTS");
    expect(failureName(h.create("/t", "", 0, {}, 1000))).toBe("BADARGUMENTS");
    expect(failureName(h.create("/t", "", 7))).toBe("BADARGUMENTS");
    const off = new TreeHarness({ ttlNodesEnabled: false });
    expect(failureName(off.create("/t", "", 5, {}, 1000))).toBe("UNIMPLEMENTED");
  });

  it("refuses data past the limit with BADARGUMENTS and creates nothing", () => {
    const h = new TreeHarness({ maxDataBytes: 10 });
    const r = h.write({ op: "create", path: "/big", data: new Uint8Array(11), acl: open, mode: 0 });
    expect(failureName(r)).toBe("BADARGUMENTS");
    expect(!r.ok && r.failure.message).toContain("limit is 10");
    expect(h.tree.store.getNode("/big")).toBeUndefined();
    expect(h.create("/ok", "0123456789").ok).toBe(true);
  });

  it("refuses malformed paths with BADARGUMENTS", () => {
    const h = new TreeHarness();
    for (const bad of [
      "",
      "a",
      "/a/",
      "//a",
      "/a//b",
      "/a/./b",
      "/a/../b",
      "/.",
      "/a\u0000b",
      "/a\u0001",
      "/\ud800",
      "/\uffff",
    ]) {
      expect(failureName(h.create(bad)), JSON.stringify(bad)).toBe("BADARGUMENTS");
    }
    expect(failureName(h.create(`/${"x".repeat(5000)}`))).toBe("BADARGUMENTS");
    expect(h.create("/a.b").ok).toBe(true);
    expect(h.create("/..a").ok).toBe(true);
  });

  it("keeps binary data exactly", () => {
    const h = new TreeHarness();
    const data = Uint8Array.from({ length: 256 }, (_, i) => i);
    h.must({ op: "create", path: "/bin", data, acl: open, mode: 0 });
    const r = h.reads.getData("/bin", []);
    expect(r.ok && [...r.value.data]).toEqual([...data]);
  });

  it("creates the reserved /zookeeper subtree with config read-only", () => {
    const h = new TreeHarness();
    expect(
      h.reads.getChildren("/zookeeper", []).ok && h.reads.getChildren("/zookeeper", []),
    ).toMatchObject({
      value: { children: ["config", "quota"] },
    });
    expect(failureName(h.create("/zookeeper/config/x"))).toBe("NOAUTH");
    expect(
      failureName(
        h.write({ op: "setData", path: "/zookeeper/config", data: enc("x"), version: -1 }),
      ),
    ).toBe("NOAUTH");
  });
});
