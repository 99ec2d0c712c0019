// The applied tree reaches SQLite in batches (replica.ts): a member evicted with applied rows still
// in memory applies the log's tail again and comes back digest for digest, and the log is never
// compacted past the rows on disk. This project's TREE_FLUSH_MS (a minute) keeps rows in memory
// until a compaction or a query writes them.

import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import {
  converged,
  create,
  eventually,
  ids,
  member,
  show,
  stableLeader,
  statuses,
} from "./ensemble-harness.ts";

describe("the applied tree's batched writes", () => {
  it("brings back an evicted member's unflushed rows from the log", async () => {
    const leader = await stableLeader();
    await converged();
    const follower = ids.find((i) => i !== leader) as number;
    // A compaction flushes: within two writes one leaves rows unflushed (compactions are 40 apart).
    let before: MemberStatus | undefined;
    for (let n = 0; n < 3 && before === undefined; n++) {
      const answer = await create(leader, `/unflushed-${n}`, `value ${n}`);
      expect(answer.ok, show(answer)).toBe(true);
      const view = await converged();
      const seen = view.find((s) => s.id === follower) as MemberStatus;
      if (seen.flushedIndex < seen.appliedIndex) before = seen;
    }
    if (before === undefined) throw new Error("every write was flushed at once");
    expect(before.flushedIndex).toBeGreaterThanOrEqual(before.snapshotIndex);

    await evictDurableObject(member(follower));
    // Its commit index may be behind too (written lazily): a client read catches it up first.
    const read = await member(follower).read({ op: "getData", path: "/unflushed-0" });
    expect(read.ok && "data" in read.value && new TextDecoder().decode(read.value.data)).toBe(
      "value 0",
    );
    const after = await member(follower).status();
    expect(after.appliedIndex).toBe(before.appliedIndex);
    expect(after.digest).toBe(before.digest);
    expect(after.nodeCount).toBe(before.nodeCount);
  });

  it("writes the rows through every entry a compaction drops, on every member", async () => {
    const leader = await stableLeader();
    for (let n = 0; n < 90; n++) {
      const answer = await create(leader, `/compacted-${n}`);
      expect(answer.ok, show(answer)).toBe(true);
    }
    const view = await converged();
    for (const s of view) {
      expect(s.snapshotIndex, `member ${s.id}`).toBeGreaterThan(0);
      expect(s.flushedIndex, `member ${s.id}`).toBeGreaterThanOrEqual(s.snapshotIndex);
      expect(s.counters.treeFlushes, `member ${s.id}`).toBeGreaterThan(0);
    }
    // Evicted all at once, the ensemble comes back with what it had applied.
    for (const i of ids) await evictDurableObject(member(i));
    await stableLeader();
    const back = await eventually("the ensemble to reapply", async () => {
      const all = await statuses();
      return all.every((s) => s.appliedIndex >= (view[0]?.appliedIndex ?? 0)) ? all : undefined;
    });
    for (const s of back)
      expect(s.flushedIndex, `member ${s.id} after restart`).toBeGreaterThanOrEqual(
        s.snapshotIndex,
      );
    const again = await converged();
    const probe = await member(again[0]?.id ?? 0).read({ op: "exists", path: "/compacted-89" });
    expect(probe.ok, show(probe)).toBe(true);
  });
});
