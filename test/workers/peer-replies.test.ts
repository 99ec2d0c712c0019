// Answers to a peer's messages ride back on the call that brought them: only the messages to the
// caller, only while its messages are received; and across a real ensemble, followers answer the
// leader's appends without calls of their own.

import { describe, expect, it } from "vitest";
import { PeerReplies } from "../../durable-objects/peer-replies.ts";
import type { Message } from "../../src/core/consensus/message.ts";
import { converged, create, ids, member, show, stableLeader } from "./ensemble-harness.ts";

const heartbeat = (from: number, to: number): Message => ({
  type: "heartbeatResponse",
  from,
  to,
  term: 1,
  incarnation: 0,
  context: null,
  recovering: false,
});

describe("PeerReplies", () => {
  it("collects what goes to the caller while it runs, and nothing else or after", () => {
    const replies = new PeerReplies();
    const sentElsewhere: Message[] = [];
    const collected = replies.collect(0, () => {
      expect(replies.take(0, [heartbeat(1, 0)])).toBe(true);
      if (!replies.take(2, [heartbeat(1, 2)])) sentElsewhere.push(heartbeat(1, 2));
      expect(replies.take(0, [heartbeat(1, 0), heartbeat(1, 0)])).toBe(true);
    });
    expect(collected).toHaveLength(3);
    expect(sentElsewhere).toHaveLength(1);
    expect(replies.take(0, [heartbeat(1, 0)])).toBe(false);
  });

  it("stops collecting when the receive throws", () => {
    const replies = new PeerReplies();
    expect(() =>
      replies.collect(0, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(replies.take(0, [heartbeat(1, 0)])).toBe(false);
  });
});

describe("peer replies in the ensemble", () => {
  it("carry the followers' answers: writes commit while followers make no calls of their own", async () => {
    const leader = await stableLeader();
    const followers = ids.filter((i) => i !== leader);
    const sent = async () =>
      Promise.all(ids.map(async (i) => (await member(i).status()).costs.rpcSent.deliver ?? 0));
    const before = await sent();
    const writes = 20;
    for (let i = 0; i < writes; i++) {
      const answer = await create(leader, `/replied-${i}`);
      expect(answer.ok, show(answer)).toBe(true);
    }
    await converged();
    const after = await sent();
    const calls = ids.map((i) => (after[i] ?? 0) - (before[i] ?? 0));
    // Each write reached every follower by a call from the leader…
    expect(calls[leader], show(calls)).toBeGreaterThanOrEqual(writes);
    // …and came back as its result: one append round trip per call, not two.
    for (const f of followers) expect(calls[f], show(calls)).toBeLessThan(writes / 4);
  });
});
