// Scenarios for ACLs: schemes, which permission each operation needs, auth expansion, super.

import { describe, expect, it } from "vitest";
import { type Acl, Perm } from "../../../src/core/tree/acl.ts";
import { authenticate, digestId } from "../../../src/core/tree/auth.ts";
import { enc, failureName, TreeHarness } from "./harness.ts";

const world = (perms: number): Acl => ({ perms, scheme: "world", id: "anyone" });

function ids(credential: string, superDigest?: string) {
  const r = authenticate("digest", credential, { superDigest });
  if ("name" in r) throw new Error(r.message);
  return r;
}

describe("digest ids", () => {
  it("match ZooKeeper's DigestAuthenticationProvider (base64 of SHA-1 of user:password)", () => {
    // zkCli: `addauth digest super:admin` ↔ DigestAuthenticationProvider.generateDigest("super:admin")
    expect(digestId("super:admin")).toBe("super:xQJmxLMiHGwaqBvst5y6rkB6HQs=");
  });

  it("refuses unknown schemes and malformed credentials with AUTHFAILED", () => {
    expect(authenticate("kerberos", "x")).toMatchObject({ name: "AUTHFAILED" });
    expect(authenticate("digest", "nocolon")).toMatchObject({ name: "AUTHFAILED" });
  });
});

describe("permissions per operation", () => {
  const alice = ids("alice:secret");
  const bob = ids("bob:other");

  function guarded(perms: number): TreeHarness {
    const h = new TreeHarness();
    h.must({ op: "create", path: "/g", data: enc("d"), acl: [world(Perm.ALL)], mode: 0 });
    h.must({ op: "create", path: "/g/c", data: enc("d"), acl: [world(Perm.ALL)], mode: 0 });
    h.must({
      op: "setACL",
      path: "/g",
      acl: [{ perms, scheme: "digest", id: digestId("alice:secret") }],
      version: -1,
    });
    return h;
  }

  it("create needs CREATE on the parent", () => {
    const h = guarded(Perm.ALL & ~Perm.CREATE);
    const op = { op: "create" as const, path: "/g/n", data: enc(""), acl: [world(31)], mode: 0 };
    expect(failureName(h.write(op, { authIds: alice }))).toBe("NOAUTH");
    expect(failureName(guarded(Perm.CREATE).write(op, { authIds: alice }))).toBe("OK");
    expect(failureName(guarded(Perm.CREATE).write(op, { authIds: bob }))).toBe("NOAUTH");
  });

  it("delete needs DELETE on the parent", () => {
    const op = { op: "delete" as const, path: "/g/c", version: -1 };
    expect(failureName(guarded(Perm.ALL & ~Perm.DELETE).write(op, { authIds: alice }))).toBe(
      "NOAUTH",
    );
    expect(failureName(guarded(Perm.DELETE).write(op, { authIds: alice }))).toBe("OK");
  });

  it("setData needs WRITE, setACL needs ADMIN, check needs READ", () => {
    const setData = { op: "setData" as const, path: "/g", data: enc("x"), version: -1 };
    const setAcl = { op: "setACL" as const, path: "/g", acl: [world(31)], version: -1 };
    const check = { op: "check" as const, path: "/g", version: -1 };
    const noWrite = guarded(Perm.ALL & ~Perm.WRITE);
    expect(failureName(noWrite.write(setData, { authIds: alice }))).toBe("NOAUTH");
    expect(failureName(noWrite.write(check, { authIds: alice }))).toBe("OK");
    expect(failureName(guarded(Perm.ALL & ~Perm.ADMIN).write(setAcl, { authIds: alice }))).toBe(
      "NOAUTH",
    );
    expect(failureName(guarded(Perm.ALL & ~Perm.READ).write(check, { authIds: alice }))).toBe(
      "NOAUTH",
    );
    expect(failureName(guarded(Perm.ADMIN).write(setAcl, { authIds: alice }))).toBe("OK");
  });

  it("reads need READ (exists too, since 3.9.2); getACL needs READ or ADMIN and masks digests without ADMIN", () => {
    const h = guarded(Perm.WRITE);
    expect(h.reads.getData("/g", alice)).toMatchObject({ ok: false, failure: { name: "NOAUTH" } });
    expect(h.reads.exists("/g", alice)).toMatchObject({ ok: false, failure: { name: "NOAUTH" } });
    expect(h.reads.getChildren("/g", alice)).toMatchObject({
      ok: false,
      failure: { name: "NOAUTH" },
    });
    expect(h.reads.getAllChildrenNumber("/g", alice)).toMatchObject({
      ok: false,
      failure: { name: "NOAUTH" },
    });
    expect(h.reads.getAcl("/g", alice)).toMatchObject({ ok: false, failure: { name: "NOAUTH" } });
    const readable = guarded(Perm.READ);
    expect(readable.reads.getAcl("/g", alice)).toMatchObject({
      ok: true,
      value: { acl: [{ id: "alice:x" }] },
    });
    const admin = guarded(Perm.ADMIN);
    expect(admin.reads.getAcl("/g", alice)).toMatchObject({
      ok: true,
      value: { acl: [{ id: digestId("alice:secret") }] },
    });
    expect(readable.reads.getData("/g", alice).ok).toBe(true);
  });

  it("lets the super digest through everything", () => {
    const superDigest = digestId("super:admin");
    const h = guarded(0);
    const root = ids("super:admin", superDigest);
    expect(root.map((a) => a.scheme)).toEqual(["digest", "super"]);
    expect(h.reads.getData("/g", root).ok).toBe(true);
    expect(
      failureName(
        h.write({ op: "setData", path: "/g", data: enc("s"), version: -1 }, { authIds: root }),
      ),
    ).toBe("OK");
  });
});

describe("ACL validation", () => {
  it("expands auth to the session's digest ids and refuses it without one", () => {
    const h = new TreeHarness();
    const alice = ids("alice:pw");
    const op = {
      op: "create" as const,
      path: "/mine",
      data: enc(""),
      acl: [{ perms: 31, scheme: "auth", id: "" }],
      mode: 0,
    };
    expect(failureName(h.write(op))).toBe("INVALIDACL");
    h.must(op, { authIds: [...alice, { scheme: "ip", id: "127.0.0.1" }] });
    expect(h.tree.store.getNode("/mine")?.acl).toEqual([
      { perms: 31, scheme: "digest", id: digestId("alice:pw") },
    ]);
  });

  it("refuses empty lists, unknown schemes, bad ids and bad perms with INVALIDACL", () => {
    const h = new TreeHarness();
    const bad: Acl[][] = [
      [],
      [{ perms: 31, scheme: "x509", id: "CN=a" }],
      [{ perms: 31, scheme: "world", id: "everyone" }],
      [{ perms: 31, scheme: "digest", id: "nohash" }],
      [{ perms: 31, scheme: "ip", id: "300.1.1.1" }],
      [{ perms: 31, scheme: "ip", id: "10.0.0.0/33" }],
      [{ perms: 32, scheme: "world", id: "anyone" }],
    ];
    for (const acl of bad) {
      expect(
        failureName(h.write({ op: "create", path: "/a", data: enc(""), acl, mode: 0 })),
        JSON.stringify(acl),
      ).toBe("INVALIDACL");
    }
    expect(h.tree.store.getNode("/a")).toBeUndefined();
  });

  it("matches ip ACLs by address and prefix, IPv4 and IPv6", () => {
    const h = new TreeHarness();
    h.must({
      op: "create",
      path: "/lan",
      data: enc("x"),
      acl: [
        { perms: Perm.READ, scheme: "ip", id: "10.1.0.0/16" },
        { perms: Perm.READ, scheme: "ip", id: "fd00::/8" },
      ],
      mode: 0,
    });
    const from = (id: string) => [{ scheme: "ip", id }];
    expect(h.reads.getData("/lan", from("10.1.200.3")).ok).toBe(true);
    expect(h.reads.getData("/lan", from("10.2.0.1")).ok).toBe(false);
    expect(h.reads.getData("/lan", from("fd12:3456::1")).ok).toBe(true);
    expect(h.reads.getData("/lan", from("fe80::1")).ok).toBe(false);
  });

  it("removes duplicate entries", () => {
    const h = new TreeHarness();
    h.must({ op: "create", path: "/d", data: enc(""), acl: [world(31), world(31)], mode: 0 });
    expect(h.tree.store.getNode("/d")?.acl).toEqual([world(31)]);
  });
});
