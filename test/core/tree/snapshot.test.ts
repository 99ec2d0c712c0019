// Snapshots: deterministic bytes, chunked, verified by digest on restore; the txn codec round-trips.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MemoryTreeStore } from "../../../src/core/tree/memory-tree-store.ts";
import { restoreSnapshot, snapshotChunks } from "../../../src/core/tree/snapshot.ts";
import { recomputedDigest } from "../../../src/core/tree/tree-digest.ts";
import type { Txn } from "../../../src/core/tree/txn.ts";
import { decodeTxn, encodeTxn } from "../../../src/core/tree/txn-codec.ts";
import { ZnodeTree } from "../../../src/core/tree/znode-tree.ts";
import { enc, open, TreeHarness } from "./harness.ts";

function populated(): TreeHarness {
  const h = new TreeHarness();
  const s = h.session();
  h.create("/a", "alpha");
  h.create("/a/b", "beta");
  h.create("/a/e", "", 1, { sessionId: s });
  h.create("/c", "", 4);
  h.create("/t", "x", 5, {}, 60000);
  for (let i = 0; i < 50; i++) h.create(`/a/n${i}`, "y".repeat(i * 10));
  return h;
}

describe("snapshots", () => {
  it("restore to an identical tree with the same digest", () => {
    const h = populated();
    const copy = new MemoryTreeStore();
    const meta = restoreSnapshot(copy, snapshotChunks(h.tree.store, 512));
    expect(meta.digest).toBe(h.tree.meta().digest);
    const restored = new TreeHarness({}, copy);
    expect(restored.dump()).toBe(h.dump());
    expect(new ZnodeTree(copy).lastZxid).toBe(h.tree.lastZxid);
  });

  it("are the same bytes for the same tree, however chunked", () => {
    const join = (chunks: Iterable<Uint8Array>) =>
      Buffer.concat([...chunks].map((c) => Buffer.from(c)));
    const a = populated();
    const b = populated();
    expect(
      join(snapshotChunks(a.tree.store, 100)).equals(join(snapshotChunks(b.tree.store, 1 << 20))),
    ).toBe(true);
    expect([...snapshotChunks(a.tree.store, 100)].length).toBeGreaterThan(10);
  });

  it("restore from the file's bytes split anywhere, as an upload arrives", () => {
    const h = populated();
    const file = Buffer.concat([...snapshotChunks(h.tree.store)].map((c) => Buffer.from(c)));
    for (const size of [1, 7, 100, 4096]) {
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < file.length; at += size) pieces.push(file.subarray(at, at + size));
      const copy = new MemoryTreeStore();
      expect(restoreSnapshot(copy, pieces).digest).toBe(h.tree.meta().digest);
      expect(new TreeHarness({}, copy).dump()).toBe(h.dump());
    }
    // Cut short mid-entry: the rest never comes.
    const cut = [file.subarray(0, 1000), file.subarray(1000, file.length - 5)];
    expect(() => restoreSnapshot(new MemoryTreeStore(), cut)).toThrow(/truncated/);
    const trailing = [file, new Uint8Array([1, 2, 3])];
    expect(() => restoreSnapshot(new MemoryTreeStore(), trailing)).toThrow(/after its end/);
  });

  it("refuse corrupt or truncated input", () => {
    const h = populated();
    const chunks = [...snapshotChunks(h.tree.store, 256)];
    expect(() => restoreSnapshot(new MemoryTreeStore(), chunks.slice(0, -1))).toThrow(/truncated/);
    const flipped = chunks.map((c) => c.slice());
    const victim = flipped[3];
    if (!victim) throw new Error("too few chunks");
    victim[victim.length - 3] = (victim[victim.length - 3] ?? 0) ^ 0xff;
    expect(() => restoreSnapshot(new MemoryTreeStore(), flipped)).toThrow();
  });

  it("let the restored tree carry on applying with equal digests", () => {
    const h = populated();
    const copy = new MemoryTreeStore();
    restoreSnapshot(copy, snapshotChunks(h.tree.store));
    const other = new ZnodeTree(copy);
    const txn: Txn = { type: "setData", path: "/a", data: enc("new"), version: 1, timeMs: 5 };
    const zxid = h.tree.lastZxid + 1;
    h.tree.apply(txn, zxid);
    other.apply(txn, zxid);
    expect(other.meta().digest).toBe(h.tree.meta().digest);
  });
});

/** The tree the fixture holds, built again by this build (data of 0–5 bytes, an ephemeral). */
function formatOneTree(): TreeHarness {
  const h = new TreeHarness();
  const s = h.session();
  h.create("/a", "alpha");
  h.create("/a/é☃", "beta!");
  h.create("/a/e", "", 1, { sessionId: s });
  h.create("/c", "", 4);
  h.create("/t", "x", 5, {}, 60000);
  for (let i = 2; i < 5; i++) h.create(`/a/n${i}`, "y".repeat(i));
  return h;
}

describe("format-1 snapshots (backups taken before fingerprint version 2)", () => {
  // Written by the build at 064ef63 from formatOneTree(); its header's digest is of version 1.
  const file = new Uint8Array(
    readFileSync(new URL("fixtures/snapshot-format-1.bin", import.meta.url)),
  );

  it("restore, checked by their own digest, and keep this build's", () => {
    const h = formatOneTree();
    const copy = new MemoryTreeStore();
    const meta = restoreSnapshot(copy, [file]);
    expect(new TreeHarness({}, copy).dump()).toBe(h.dump());
    expect(meta.digest).toBe(h.tree.meta().digest);
    expect(meta.digest).toBe(recomputedDigest(copy));
    expect(meta.digest).not.toBe(1322009395455372216n); // the header's, of version 1
    expect(recomputedDigest(copy, 1)).toBe(1322009395455372216n);
    expect(copy.getMeta()?.digest).toBe(meta.digest);
  });

  it("refuse a changed byte of a node's data", () => {
    const changed = file.slice();
    const beta = Buffer.from(changed).indexOf("beta!");
    expect(beta).toBeGreaterThan(0);
    changed[beta] = "B".charCodeAt(0);
    expect(() => restoreSnapshot(new MemoryTreeStore(), [changed])).toThrow(/digest mismatch/);
  });
});

describe("txn codec", () => {
  it("round-trips every transaction type exactly", () => {
    const txns: Txn[] = [
      {
        type: "create",
        path: "/a",
        data: enc("x"),
        acl: open,
        ephemeralOwner: -(1n << 63n),
        parentCversion: -5,
        timeMs: 1.7e12,
      },
      { type: "delete", path: "/a/ü" },
      {
        type: "setData",
        path: "/a",
        data: new Uint8Array([0, 255]),
        version: 2147483647,
        timeMs: 0,
      },
      { type: "setACL", path: "/a", acl: [{ perms: 1, scheme: "ip", id: "::1" }], aversion: 3 },
      { type: "check", path: "/a" },
      {
        type: "multi",
        ops: [
          { type: "check", path: "/a" },
          { type: "delete", path: "/b" },
        ],
      },
      { type: "createSession", timeoutMs: 30000 },
      { type: "closeSession", sessionId: 0xfedcba987654321n, ephemerals: ["/e1", "/e2"] },
    ];
    for (const txn of txns) expect(decodeTxn(encodeTxn(txn))).toEqual(txn);
    expect(() => decodeTxn(encodeTxn(txns[0] as Txn).subarray(0, 10))).toThrow(/truncated/);
    expect(() => decodeTxn(new Uint8Array([9, 1]))).toThrow(/version/);
  });
});
