// The SDK inside workerd, connected through the Worker's fetch: when the member holding its
// socket crashes, it carries on with the same session, its watches, and no missed
// persistent-watch event.

import { describe, expect, it } from "vitest";
import { EdgeKeeperClient, type WatchEvent } from "../../src/client/index.ts";
import { eventually, member, openSocket, serviceFetch, stableLeader } from "./ensemble-harness.ts";

describe("SDK reconnect", () => {
  it("survives the crash of its member with its session, watches and every event", async () => {
    const leader = await stableLeader();
    const home = (leader + 1) % 3;
    const zk = await EdgeKeeperClient.connect({
      url: "http://edgekeeper.test",
      member: home,
      openSocket,
      fetch: serviceFetch,
    });
    const writer = await EdgeKeeperClient.connect({
      url: "http://edgekeeper.test",
      member: leader,
      openSocket,
      fetch: serviceFetch,
    });
    const session = zk.sessionId;
    const events: WatchEvent[] = [];
    await zk.create("/r", "0");
    await zk.addWatch("/r", (e) => events.push(e), { recursive: true });
    const states: string[] = [];
    zk.onState((s) => states.push(s));
    await member(home)
      .crash()
      .catch(() => {});
    // Writes while the client is away: a persistent watch must not miss them.
    const written: number[] = [];
    for (let i = 0; i < 3; i++) written.push((await writer.setData("/r", String(i + 1))).mzxid);
    await eventually("reconnect", async () => (zk.state === "reconnected" ? true : undefined));
    expect(states).toEqual(["suspended", "reconnected"]);
    expect(zk.sessionId).toBe(session);
    await writer.create("/r/after");
    await eventually("every event", async () => (events.length >= 4 ? true : undefined));
    expect(events.map((e) => e.zxid).slice(0, 3)).toEqual(written);
    expect(events.at(-1)).toMatchObject({ event: "NodeCreated", path: "/r/after" });
    expect(new TextDecoder().decode((await zk.getData("/r")).data)).toBe("3");
    await zk.close();
    await writer.close();
  });
});
