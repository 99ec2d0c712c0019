// A follower's forwarded writes: one RPC per batch, answers in order, a failed call answered for
// every write in it, and no write left waiting on a late timer.

import { describe, expect, it } from "vitest";
import { ForwardBatches, type ForwardedWrite } from "../../durable-objects/forward-batches.ts";
import type { WriteAnswer } from "../../durable-objects/writes.ts";
import type { WriteRequest } from "../../src/core/tree/request.ts";

const write = (path: string): WriteRequest => ({
  op: "delete",
  path,
  version: -1,
});

const answerFor = (w: ForwardedWrite): WriteAnswer => ({
  ok: false,
  failure: { name: "NONODE", message: w.request.op === "delete" ? w.request.path : "?" },
});

const failed = (to: number, error: unknown): WriteAnswer => ({
  ok: false,
  failure: { name: "CONNECTIONLOSS", message: `${to}: ${String(error)}` },
});

/** A leader whose answers the test releases by hand. */
function heldLeader() {
  const calls: Array<{ to: number; paths: string[]; release: () => void; fail: () => void }> = [];
  const send = (to: number, writes: ForwardedWrite[]) =>
    new Promise<WriteAnswer[]>((resolve, reject) => {
      calls.push({
        to,
        paths: writes.map((w) => (w.request.op === "delete" ? w.request.path : "?")),
        release: () => resolve(writes.map(answerFor)),
        fail: () => reject(new Error("leader crashed")),
      });
    });
  return { calls, send };
}

const message = (a: WriteAnswer) => (a.ok ? "ok" : a.failure.message);

describe("forwarded writes", () => {
  it("sends a lone write at once and gathers the next ones into one call", async () => {
    const leader = heldLeader();
    const batches = new ForwardBatches(leader.send, failed);
    const first = batches.forward(1, write("/a"), { authIds: [] });
    expect(leader.calls.map((c) => c.paths)).toEqual([["/a"]]);
    const rest = ["/b", "/c", "/d"].map((p) => batches.forward(1, write(p), { authIds: [] }));
    await scheduler.wait(1);
    expect(leader.calls.map((c) => c.paths)).toEqual([["/a"], ["/b", "/c", "/d"]]);
    for (const c of leader.calls) c.release();
    expect(message(await first)).toBe("/a");
    expect((await Promise.all(rest)).map(message)).toEqual(["/b", "/c", "/d"]);
  });

  it("sends what waits when a call returns, without waiting for a timer", async () => {
    const leader = heldLeader();
    const batches = new ForwardBatches(leader.send, failed);
    const first = batches.forward(1, write("/a"), { authIds: [] });
    const second = batches.forward(1, write("/b"), { authIds: [] });
    // Released before any timer could run: the waiting write goes on the answer.
    leader.calls[0]?.release();
    expect(message(await first)).toBe("/a");
    expect(leader.calls.map((c) => c.paths)).toEqual([["/a"], ["/b"]]);
    leader.calls[1]?.release();
    expect(message(await second)).toBe("/b");
  });

  it("answers every write of a failed call, and keeps leaders apart", async () => {
    const leader = heldLeader();
    const batches = new ForwardBatches(leader.send, failed);
    const a = batches.forward(1, write("/a"), { authIds: [] });
    const b = batches.forward(2, write("/b"), { authIds: [] });
    const c = batches.forward(1, write("/c"), { authIds: [] });
    const d = batches.forward(1, write("/d"), { authIds: [] });
    await scheduler.wait(1);
    expect(leader.calls.map((x) => [x.to, x.paths])).toEqual([
      [1, ["/a"]],
      [2, ["/b"]],
      [1, ["/c", "/d"]],
    ]);
    leader.calls[0]?.release();
    leader.calls[1]?.release();
    leader.calls[2]?.fail();
    expect([await a, await b].map(message)).toEqual(["/a", "/b"]);
    expect([await c, await d].map(message)).toEqual([
      "1: Error: leader crashed",
      "1: Error: leader crashed",
    ]);
  });
});
