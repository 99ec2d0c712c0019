// Restore from a backup: a snapshot file downloaded from one ensemble seeds another (created
// empty), digest for digest; it then serves and takes writes. A corrupt file changes nothing; an
// ensemble holding data is restored over only when forced.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MemoryTreeStore } from "../../src/core/tree/memory-tree-store.ts";
import { restoreSnapshot } from "../../src/core/tree/snapshot.ts";
import { callJson, create, eventually, stableLeader } from "./ensemble-harness.ts";

const fetchRaw = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(new Request(`http://edgekeeper.test${path}`, init));

const backupHeaders = { "x-auth-digest": "operator:pw" };

async function backupOf(prefix: string): Promise<{ bytes: Uint8Array; index: number }> {
  const res = await fetchRaw(`${prefix}/admin/snapshot?member=0`, { headers: backupHeaders });
  expect(res.status).toBe(200);
  return {
    bytes: new Uint8Array(await res.arrayBuffer()),
    index: Number(res.headers.get("x-edgekeeper-snapshot-index")),
  };
}

/** Every member's digest at its applied index, once all members agree. */
const agreedDigest = (prefix: string) =>
  eventually(`${prefix}'s members to agree`, async () => {
    const view = await callJson(`${prefix}/admin/ensemble`);
    const members = view.body.members as Array<{
      digest: string;
      appliedIndex: number;
      role: string;
    }>;
    const digests = new Set(members.map((m) => `${m.appliedIndex}:${m.digest}`));
    return members.some((m) => m.role === "leader") && digests.size === 1 ? members[0] : undefined;
  });

describe("restore from a backup", () => {
  it("seeds a new ensemble with the backup's tree, digest for digest, and it serves on", async () => {
    const leader = await stableLeader();
    for (let n = 0; n < 30; n++)
      expect((await create(leader, `/kept-${n}`, "k".repeat(n * 50))).ok).toBe(true);
    const source = await backupOf("/v1");
    expect(
      (await callJson("/v1/ensembles", { method: "POST", json: { name: "restored" } })).status,
    ).toBe(201);
    await agreedDigest("/v1/e/restored");

    const res = await fetchRaw("/v1/e/restored/admin/restore", {
      method: "POST",
      headers: backupHeaders,
      body: source.bytes,
    });
    const answer = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ command: "restore", index: source.index, members: 3 });

    // Every member holds the backup's tree: the same digest, and a backup of the restored
    // ensemble holds the same tree (at the index after its new leader's no-op).
    const sourceDigest = restoreSnapshot(new MemoryTreeStore(), [source.bytes]).digest;
    expect(answer.digest).toBe(sourceDigest.toString(16));
    expect((await agreedDigest("/v1/e/restored"))?.digest).toBe(sourceDigest.toString());
    const restored = await backupOf("/v1/e/restored");
    expect(restored.index).toBeGreaterThan(source.index);
    expect(restoreSnapshot(new MemoryTreeStore(), [restored.bytes]).digest).toBe(sourceDigest);
    const node = await callJson("/v1/e/restored/znodes/kept-29");
    expect(node.status).toBe(200);
    expect(node.body).toMatchObject({ stat: { dataLength: 29 * 50 } });
    // It takes writes after the restore, at zxids past the backup's.
    const write = await callJson("/v1/e/restored/znodes/after-restore", {
      method: "POST",
      json: { data: "new" },
    });
    expect(write.status, JSON.stringify(write.body)).toBe(201);
    const afterWrite = await agreedDigest("/v1/e/restored");
    expect(afterWrite?.appliedIndex).toBeGreaterThan(source.index);
  });

  it("refuses a corrupt file and a non-empty ensemble, changing nothing", async () => {
    await stableLeader();
    const before = await agreedDigest("/v1");
    const { bytes } = await backupOf("/v1");
    const corrupt = bytes.slice();
    corrupt[Math.floor(corrupt.length / 2)] = (corrupt[Math.floor(corrupt.length / 2)] ?? 0) ^ 0xff;
    expect(
      (await callJson("/v1/ensembles", { method: "POST", json: { name: "target" } })).status,
    ).toBe(201);
    await agreedDigest("/v1/e/target");
    const targetBefore = await agreedDigest("/v1/e/target");
    const bad = await fetchRaw("/v1/e/target/admin/restore", {
      method: "POST",
      headers: backupHeaders,
      body: corrupt,
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { name: "BADARGUMENTS" } });
    const truncated = await fetchRaw("/v1/e/target/admin/restore", {
      method: "POST",
      headers: backupHeaders,
      body: bytes.subarray(0, bytes.length - 10),
    });
    expect(truncated.status).toBe(400);
    const targetAfter = await agreedDigest("/v1/e/target");
    expect(targetAfter?.digest).toBe(targetBefore?.digest);
    // The default ensemble holds nodes: refused unless forced.
    const refused = await fetchRaw("/v1/admin/restore", {
      method: "POST",
      headers: backupHeaders,
      body: bytes,
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { name: "NOTEMPTY" } });
    const still = await agreedDigest("/v1");
    expect(still?.digest).toBe(before?.digest);
  });

  it("restores over data when forced", async () => {
    const leader = await stableLeader();
    expect((await create(leader, "/old-only", "x")).ok).toBe(true);
    const { bytes, index } = await backupOf("/v1");
    expect((await create(leader, "/after-backup", "y")).ok).toBe(true);
    const res = await fetchRaw("/v1/admin/restore?force=true", {
      method: "POST",
      headers: backupHeaders,
      body: bytes,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ index });
    await agreedDigest("/v1");
    expect((await callJson("/v1/znodes/old-only")).status).toBe(200);
    expect((await callJson("/v1/znodes/after-backup")).status).toBe(404);
  });
});
