// A follower's forwarded writes: alone at once, batched behind one in flight, answered in order,
// per leader; and across a real ensemble, fewer RPCs than writes with every answer right.

import { describe, expect, it } from "vitest";
import { ForwardBatches, type ForwardedWrite } from "../../durable-objects/forward-batches.ts";
import type { WriteAnswer } from "../../durable-objects/writes.ts";
import type { WriteRequest } from "../../src/core/tree/request.ts";
import { converged, create as createAt, ids, member, stableLeader } from "./ensemble-harness.ts";

const create = (path: string): WriteRequest => ({
  op: "create",
  path,
  data: new Uint8Array(),
  acl: [{ perms: 31, scheme: "world", id: "anyone" }],
  mode: 0,
});

const ok = (zxid: number): WriteAnswer => ({
  ok: true,
  zxid,
  result: { type: "delete" },
});

/** A leader whose answers the test releases by hand. */
function manualLeader() {
  const calls: Array<{
    to: number;
    writes: ForwardedWrite[];
    answer: (answers: WriteAnswer[]) => void;
  }> = [];
  const batches = new ForwardBatches(
    (to, writes) =>
      new Promise<WriteAnswer[]>((answer) => {
        calls.push({ to, writes, answer });
      }),
  );
  return { calls, batches };
}

const paths = (writes: ForwardedWrite[]) =>
  writes.map((w) => (w.request.op === "create" ? w.request.path : w.request.op));

const ctx = { authIds: [] };

const nextWindow = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("ForwardBatches", () => {
  it("sends a lone write at once and gathers the writes behind it into one call, in order", async () => {
    const { calls, batches } = manualLeader();
    const first = batches.forward(0, create("/a"), ctx);
    expect(calls.map((c) => paths(c.writes))).toEqual([["/a"]]);
    const later = ["/b", "/c", "/d"].map((p) => batches.forward(0, create(p), ctx));
    expect(calls).toHaveLength(1);
    await nextWindow();
    expect(calls.map((c) => paths(c.writes))).toEqual([["/a"], ["/b", "/c", "/d"]]);
    // The second batch went out before the first was answered: no write waits on another's answer.
    calls[1]?.answer([ok(2), ok(3), ok(4)]);
    expect(await Promise.all(later)).toEqual([ok(2), ok(3), ok(4)]);
    calls[0]?.answer([ok(1)]);
    expect(await first).toEqual(ok(1));
    expect(batches.counts).toEqual({ batches: 2, writes: 4 });
    // Nothing in flight again: the next write goes out alone, at once.
    void batches.forward(0, create("/e"), ctx);
    expect(calls.map((c) => paths(c.writes))).toEqual([["/a"], ["/b", "/c", "/d"], ["/e"]]);
  });

  it("keeps each leader's writes apart", async () => {
    const { calls, batches } = manualLeader();
    void batches.forward(1, create("/a"), ctx);
    void batches.forward(2, create("/b"), ctx);
    void batches.forward(1, create("/c"), ctx);
    void batches.forward(2, create("/d"), ctx);
    await nextWindow();
    expect(calls.map((c) => [c.to, paths(c.writes)])).toEqual([
      [1, ["/a"]],
      [2, ["/b"]],
      [1, ["/c"]],
      [2, ["/d"]],
    ]);
  });

  it("answers a write missing from a short reply with a connection loss, not a retry", async () => {
    const { calls, batches } = manualLeader();
    void batches.forward(0, create("/a"), ctx);
    const behind = [batches.forward(0, create("/b"), ctx), batches.forward(0, create("/c"), ctx)];
    await nextWindow();
    calls[1]?.answer([ok(7)]);
    const [b, c] = await Promise.all(behind);
    expect(b).toEqual(ok(7));
    expect(c).toMatchObject({ ok: false, failure: { name: "CONNECTIONLOSS" } });
    expect(c).not.toHaveProperty("retryable");
  });
});

describe("forwarded writes in the ensemble", () => {
  it("go to the leader in fewer calls than writes, each answered with its own result", async () => {
    const leader = await stableLeader();
    const follower = ids.find((i) => i !== leader) as number;
    const before = (await member(follower).status()).forwards;
    const writes = 40;
    const answers = await Promise.all(
      Array.from({ length: writes }, (_, i) => createAt(follower, `/forwarded-${i}`)),
    );
    expect(answers.map((a) => (a.ok && a.result.type === "create" ? a.result.path : a))).toEqual(
      Array.from({ length: writes }, (_, i) => `/forwarded-${i}`),
    );
    // Each write has its own zxid, in the order the follower took them.
    const zxids = answers.map((a) => (a.ok ? a.zxid : 0));
    expect([...zxids].sort((x, y) => x - y)).toEqual(zxids);
    expect(new Set(zxids).size).toBe(writes);
    const after = (await member(follower).status()).forwards;
    expect(after.writes - before.writes).toBe(writes);
    expect(after.batches - before.batches).toBeLessThan(writes);
    await converged();
  });
});
