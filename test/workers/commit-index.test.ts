// The commit index is written lazily (HardState.commit): a member that restarts after a crash
// while busy knows less than it applied, and must not serve its clients an older tree than the
// one it served before — it catches up through a read point first (Replica.current).

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
} from "./ensemble-harness.ts";

const text = new TextDecoder();

describe("a member restarted behind what it served", () => {
  it("answers its clients only after it caught up with what it had applied", async () => {
    const leader = await stableLeader();
    await converged();
    const follower = ids.find((i) => i !== leader) as number;
    // The follower hears the leader but cannot answer it: the leader never counts it caught up,
    // so never tells it to sleep, the moment its commit index would be written. Nor can it reach
    // the other member, so its (pre)votes change no term.
    const others = ids.filter((i) => i !== follower);
    await member(follower).setFaults({ dropTo: others, dropFrom: [] });
    // A compaction writes the tree's rows (and so its index) too: within two writes one does not.
    let behind: { zxid: number; after: MemberStatus } | undefined;
    for (let n = 0; n < 3 && behind === undefined; n++) {
      const path = `/fenced-${n}`;
      const answer = await create(leader, path, `value ${n}`);
      if (!answer.ok) throw new Error(show(answer));
      const zxid = answer.zxid;
      await eventually("the follower to apply the write", async () => {
        const s = await member(follower).status();
        return s.appliedIndex >= zxid ? s : undefined;
      });
      await evictDurableObject(member(follower));
      const after = await member(follower).status();
      if (after.appliedIndex < zxid) behind = { zxid, after };
    }
    if (behind === undefined) throw new Error("every restart found its writes flushed");
    expect(behind.after.caughtUp).toBe(false);
    expect(behind.after.lastIndex).toBeGreaterThanOrEqual(behind.zxid);

    // Cut off from the leader it cannot catch up, so it serves nothing rather than an old tree.
    const refused = await member(follower).read({ op: "getData", path: "/fenced-0" });
    expect(refused.ok, show(refused)).toBe(false);
    expect(!refused.ok && refused.failure.name).toBe("CONNECTIONLOSS");

    await member(follower).setFaults({ dropTo: [], dropFrom: [] });
    const read = await member(follower).read({ op: "exists", path: "/fenced-0" });
    expect(read.ok, show(read)).toBe(true);
    expect(read.zxid).toBeGreaterThanOrEqual(behind.zxid);
    const data = await member(follower).read({ op: "getData", path: "/fenced-0" });
    expect(data.ok && "data" in data.value && text.decode(data.value.data)).toBe("value 0");
    expect((await member(follower).status()).caughtUp).toBe(true);
  });
});
