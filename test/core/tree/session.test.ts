// Scenarios for sessions: timeout negotiation, ids, passwords, close deleting ephemerals.

import { describe, expect, it } from "vitest";
import { sessionIdFor } from "../../../src/core/session/session-record.ts";
import { failureName, TreeHarness } from "./harness.ts";

describe("sessions", () => {
  it("clamps the requested timeout into [min, max]", () => {
    const h = new TreeHarness({ minSessionTimeoutMs: 4000, maxSessionTimeoutMs: 40000 });
    const timeouts = [1, 4000, 15000, 40000, 1e9, -5, Number.NaN].map((timeoutMs) => {
      const r = h.must({ op: "createSession", timeoutMs });
      return r.type === "createSession" ? r.timeoutMs : -1;
    });
    expect(timeouts).toEqual([4000, 4000, 15000, 40000, 40000, 4000, 4000]);
  });

  it("derives unique 56-bit ids from zxids, most of them past 2^53", () => {
    const ids = new Set<bigint>();
    let large = 0;
    for (let zxid = 1; zxid <= 20000; zxid++) {
      const id = sessionIdFor(zxid);
      expect(id > 0n && id < 1n << 56n).toBe(true);
      if (id > BigInt(Number.MAX_SAFE_INTEGER)) large++;
      ids.add(id);
    }
    expect(ids.size).toBe(20000);
    // 7/8 of the 56-bit range lies above 2^53.
    expect(large).toBeGreaterThan(17000);
  });

  it("stores the id exactly (no rounding through numbers)", () => {
    const h = new TreeHarness();
    const id = h.session();
    expect(h.tree.store.getSession(id)?.id).toBe(id);
    expect(Number(id) === Number(id + 1n) || id < 2n ** 53n).toBe(true);
  });

  it("closing deletes exactly the session's ephemerals, with events, then the session", () => {
    const h = new TreeHarness();
    const s1 = h.session();
    const s2 = h.session();
    h.create("/app");
    h.create("/app/a", "", 1, { sessionId: s1 });
    h.create("/app/b", "", 3, { sessionId: s1 });
    h.create("/app/c", "", 1, { sessionId: s2 });
    const r = h.write({ op: "closeSession", sessionId: s1 });
    expect(r.ok && r.events.map((e) => `${e.type} ${e.path}`)).toEqual([
      "NodeDeleted /app/a",
      "NodeChildrenChanged /app",
      "NodeDeleted /app/b0000000001",
      "NodeChildrenChanged /app",
    ]);
    expect(h.tree.store.getSession(s1)).toBeUndefined();
    expect(h.tree.store.ephemeralPaths(s2)).toEqual(["/app/c"]);
    expect(h.tree.store.getNode("/app")?.numChildren).toBe(1);
  });

  it("lists ephemerals created by writes still in flight when the close is prepared", () => {
    const h = new TreeHarness();
    const s = h.session();
    h.propose(
      {
        op: "create",
        path: "/late",
        data: new Uint8Array(),
        acl: [{ perms: 31, scheme: "world", id: "anyone" }],
        mode: 1,
      },
      { sessionId: s },
    );
    const closing = h.propose({ op: "closeSession", sessionId: s });
    expect(closing.ok).toBe(true);
    expect(h.proposed.at(-1)?.txn).toMatchObject({ type: "closeSession", ephemerals: ["/late"] });
    h.commitAll();
    expect(h.tree.store.getNode("/late")).toBeUndefined();
  });

  it("answers SESSIONEXPIRED while a close is pending and UNKNOWNSESSION after", () => {
    const h = new TreeHarness();
    const s = h.session();
    h.propose({ op: "closeSession", sessionId: s });
    expect(failureName(h.propose({ op: "closeSession", sessionId: s }) as never)).toBe(
      "SESSIONEXPIRED",
    );
    expect(failureName(h.create("/x", "", 0, { sessionId: s }))).toBe("SESSIONEXPIRED");
    h.commitAll();
    expect(failureName(h.create("/y", "", 0, { sessionId: s }))).toBe("UNKNOWNSESSION");
    expect(failureName(h.write({ op: "closeSession", sessionId: 99n }))).toBe("UNKNOWNSESSION");
  });
});
