// Scenarios for quotas under /zookeeper/quota: usage kept current, hard limits enforced.

import { describe, expect, it } from "vitest";
import { dec, enc, failureName, open, TreeHarness } from "./harness.ts";

/** What zkCli's setquota does: create the quota path, the limits node, then the stats node. */
function setQuota(h: TreeHarness, path: string, limits: string): void {
  let p = "/zookeeper/quota";
  for (const segment of path.split("/").slice(1)) {
    p += `/${segment}`;
    if (!h.tree.store.getNode(p)) h.create(p);
  }
  h.must({ op: "create", path: `${p}/zookeeper_limits`, data: enc(limits), acl: open, mode: 0 });
  h.must({
    op: "create",
    path: `${p}/zookeeper_stats`,
    data: enc("count=0,bytes=0"),
    acl: open,
    mode: 0,
  });
}

const stats = (h: TreeHarness, path: string) =>
  dec(h.tree.store.getNode(`/zookeeper/quota${path}/zookeeper_stats`)?.data ?? new Uint8Array());

describe("quotas", () => {
  it("counts the existing subtree when the stats node is created, then tracks writes", () => {
    const h = new TreeHarness();
    h.create("/app", "12345");
    h.create("/app/a", "xy");
    setQuota(h, "/app", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=10");
    expect(stats(h, "/app")).toBe("count=2,bytes=7");
    h.create("/app/b", "abc");
    expect(stats(h, "/app")).toBe("count=3,bytes=10");
    h.must({ op: "setData", path: "/app/b", data: enc("a"), version: -1 });
    expect(stats(h, "/app")).toBe("count=3,bytes=8");
    h.must({ op: "delete", path: "/app/a", version: -1 });
    expect(stats(h, "/app")).toBe("count=2,bytes=6");
    h.create("/apple", "zzz");
    expect(stats(h, "/app")).toBe("count=2,bytes=6");
  });

  it("answers QUOTAEXCEEDED past a hard count limit, changing nothing", () => {
    const h = new TreeHarness();
    h.create("/app");
    setQuota(h, "/app", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=3");
    h.create("/app/1");
    h.create("/app/2");
    const before = h.dump();
    const r = h.create("/app/3");
    expect(failureName(r)).toBe("QUOTAEXCEEDED");
    expect(!r.ok && r.failure.message).toContain("hard limit 3");
    expect(h.dump()).toBe(before);
  });

  it("answers QUOTAEXCEEDED past a hard byte limit on create and setData", () => {
    const h = new TreeHarness();
    h.create("/app");
    setQuota(h, "/app", "count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=-1");
    h.create("/app/a", "12345");
    expect(failureName(h.create("/app/b", "123456"))).toBe("QUOTAEXCEEDED");
    expect(
      failureName(
        h.write({ op: "setData", path: "/app/a", data: enc("12345678901"), version: -1 }),
      ),
    ).toBe("QUOTAEXCEEDED");
    expect(
      h.write({ op: "setData", path: "/app/a", data: enc("1234567890"), version: -1 }).ok,
    ).toBe(true);
  });

  it("only warns (allows) past soft limits, as ZooKeeper does", () => {
    const h = new TreeHarness();
    h.create("/soft");
    setQuota(h, "/soft", "count=1,bytes=1");
    expect(h.create("/soft/a", "abc").ok).toBe(true);
  });

  it("uses the deepest quota on the path", () => {
    const h = new TreeHarness();
    h.create("/a");
    h.create("/a/b");
    setQuota(h, "/a/b", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2");
    h.create("/a/b/1");
    expect(failureName(h.create("/a/b/2"))).toBe("QUOTAEXCEEDED");
    expect(h.create("/a/x").ok).toBe(true);
  });

  it("checks quota against writes still in flight (ZooKeeper checks only applied state)", () => {
    const h = new TreeHarness();
    h.create("/app");
    setQuota(h, "/app", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=3");
    const data = new Uint8Array();
    const mk = (path: string) => h.propose({ op: "create", path, data, acl: open, mode: 0 });
    expect(mk("/app/1").ok).toBe(true);
    expect(mk("/app/2").ok).toBe(true);
    expect(mk("/app/3").ok).toBe(false);
    h.commitAll();
    expect(stats(h, "/app")).toBe("count=3,bytes=0");
  });

  it("answers QUOTAEXCEEDED past the ensemble's own caps (maxZnodes, maxTreeBytes)", () => {
    // The fresh tree holds 4 nodes: /, /zookeeper, /zookeeper/quota, /zookeeper/config.
    const h = new TreeHarness({ maxZnodes: 6, maxTreeBytes: 10 });
    h.create("/a", "12345");
    h.create("/b", "123");
    const before = h.dump();
    const full = h.create("/c");
    expect(failureName(full)).toBe("QUOTAEXCEEDED");
    expect(!full.ok && full.failure.message).toBe(
      "The ensemble holds 6 znodes, its limit (maxZnodes)",
    );
    expect(h.dump()).toBe(before);
    h.must({ op: "delete", path: "/b", version: -1 });
    const tooBig = h.create("/c", "123456");
    expect(failureName(tooBig)).toBe("QUOTAEXCEEDED");
    expect(!tooBig.ok && tooBig.failure.message).toContain("(maxTreeBytes)");
    const grow = h.propose({ op: "setData", path: "/a", data: enc("1234567890x"), version: -1 });
    expect(!grow.ok && grow.failure.name).toBe("QUOTAEXCEEDED");
    // Shrinking is always allowed, and a create that fits is taken again.
    h.must({ op: "setData", path: "/a", data: enc("1"), version: -1 });
    expect(h.create("/c", "12").ok).toBe(true);
  });
});
