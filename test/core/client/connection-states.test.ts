// The SDK's connection state machine: every transition Curator's model has, the local expiry a
// ZooKeeper client infers from its own clock, and the ends nothing leaves.

import { describe, expect, it } from "vitest";
import { type ConnectionState, ConnectionStates } from "../../../src/client/connection-states.ts";

function machine() {
  const seen: ConnectionState[] = [];
  const m = new ConnectionStates((s) => seen.push(s));
  return { m, seen };
}

describe("connection states", () => {
  it("connecting → connected → suspended → reconnected", () => {
    const { m, seen } = machine();
    expect(m.state).toBe("connecting");
    expect(m.connected).toBe(false);
    m.opened(1_000, 10_000);
    expect(m.connected).toBe(true);
    m.lost();
    expect(m.connected).toBe(false);
    m.opened(3_000, 10_000);
    expect(seen).toEqual(["connected", "suspended", "reconnected"]);
    expect(m.connected).toBe(true);
  });

  it("expires locally once the session timeout passed since the service was last heard", () => {
    const { m, seen } = machine();
    m.opened(0, 10_000);
    m.heard(4_000);
    m.lost();
    expect(m.expiresAtMs()).toBe(14_000);
    expect(m.expireIfOverdue(13_999)).toBe(false);
    expect(m.state).toBe("suspended");
    expect(m.expireIfOverdue(14_000)).toBe(true);
    expect(seen).toEqual(["connected", "suspended", "expired"]);
  });

  it("hearing while suspended does not extend the session", () => {
    const { m } = machine();
    m.opened(0, 10_000);
    m.lost();
    m.heard(9_000);
    expect(m.sinceHeardMs(9_000)).toBe(9_000);
    expect(m.expireIfOverdue(10_000)).toBe(true);
  });

  it("does not expire a connected session on its own", () => {
    const { m } = machine();
    m.opened(0, 10_000);
    expect(m.expireIfOverdue(60_000)).toBe(false);
    expect(m.state).toBe("connected");
  });

  it.each([
    ["expired", (m: ConnectionStates) => m.expired()],
    ["authFailed", (m: ConnectionStates) => m.authFailed()],
    ["closed", (m: ConnectionStates) => m.closed()],
  ] as const)("%s is an end nothing leaves", (end, reach) => {
    const { m, seen } = machine();
    m.opened(0, 10_000);
    reach(m);
    m.lost();
    m.opened(1, 10_000);
    m.expired();
    m.authFailed();
    m.closed();
    expect(m.state).toBe(end);
    expect(m.ended).toBe(true);
    expect(seen).toEqual(["connected", end]);
  });

  it("knows nothing of time before the first connection", () => {
    const { m } = machine();
    expect(m.sinceHeardMs(5)).toBe(Number.POSITIVE_INFINITY);
    expect(m.expiresAtMs()).toBeNull();
    m.authFailed();
    expect(m.state).toBe("authFailed");
  });
});
