// Sessions placed by the service: on the least-loaded member when the client names none, and
// moved over — a few at a time, their sessions intact — when a member that was away returns.

import { describe, expect, it } from "vitest";
import { EdgeKeeperClient } from "../../src/client/index.ts";
import {
  eventually,
  ids,
  member,
  openSocket,
  serviceFetch,
  stableLeader,
} from "./ensemble-harness.ts";

const loads = () => Promise.all(ids.map((i) => member(i).load()));
const spread = (counts: number[]) => Math.max(...counts) / Math.max(1, Math.min(...counts));

const connect = (pinned?: number) =>
  EdgeKeeperClient.connect({
    url: "http://edgekeeper.test",
    ...(pinned === undefined ? {} : { member: pinned }),
    openSocket,
    fetch: serviceFetch,
  });

describe("session placement", () => {
  it("spreads new sessions evenly over the members", async () => {
    await stableLeader();
    const clients: EdgeKeeperClient[] = [];
    for (let i = 0; i < 30; i++) clients.push(await connect());
    const counts = await loads();
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
    expect(spread(counts), `sessions per member: ${counts}`).toBeLessThanOrEqual(1.5);
    // A client may still name its member.
    const pinned = await connect(2);
    expect((await loads())[2]).toBe((counts[2] ?? 0) + 1);
    await Promise.all([...clients, pinned].map((c) => c.close()));
    await eventually("every socket closed", async () =>
      (await loads()).every((n) => n === 0) ? true : undefined,
    );
  });

  it("moves clients to a member that returns, a few at a time, with their sessions", async () => {
    await stableLeader();
    await member(2).setFaults({ dropTo: [], dropFrom: [], down: true });
    const clients: EdgeKeeperClient[] = [];
    for (let i = 0; i < 30; i++) clients.push(await connect());
    await member(2).setFaults({ dropTo: [], dropFrom: [] });
    const away = await loads();
    expect(away[2]).toBe(0);
    expect(away.reduce((a, b) => a + b, 0)).toBe(30);
    const sessions = clients.map((c) => c.sessionId);
    const suspended = new Set<string>();
    for (const c of clients)
      c.onState((s) => {
        if (s === "suspended") suspended.add(c.sessionId ?? "");
      });
    // Member 2 is back. The balance is checked when a session is placed: a client connects.
    const seen: string[] = [];
    const counts = await eventually(
      "an even spread after the member returned",
      async () => {
        const probe = await connect();
        await probe.close();
        const now = await loads();
        seen.push(now.join("/"));
        return now.reduce((a, b) => a + b, 0) === 30 && spread(now) <= 1.5 ? now : undefined;
      },
      30_000,
    ).catch((error) => {
      throw new Error(`${error}; loads seen: ${[...new Set(seen)].join(" ")}`);
    });
    expect(spread(counts), `sessions per member: ${counts}`).toBeLessThanOrEqual(1.5);
    // Moved, not lost: the same sessions, each resumed, none expired.
    expect(clients.map((c) => c.sessionId)).toEqual(sessions);
    expect(suspended.size).toBeGreaterThanOrEqual(8);
    expect(suspended.size).toBeLessThanOrEqual(12);
    await eventually("every client back", async () =>
      clients.every((c) => c.connected) ? true : undefined,
    );
    await Promise.all(clients.map((c) => c.close()));
  }, 60_000);
});
