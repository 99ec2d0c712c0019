// Long-poll watches over HTTP: missed changes come back at once, a waiting poll is answered by
// the next write, an idle poll ends empty at its deadline, and old history says COMPACTED.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { stableLeader } from "./ensemble-harness.ts";

const call = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`http://edgekeeper.test${path}`, init));

interface Poll {
  zxid: number;
  events: Array<{ event: string; path: string; zxid: number }>;
}

describe("long-poll watch", () => {
  it("returns missed changes at once, then waits for the next one", async () => {
    await stableLeader();
    const created = (await (await call("/v1/znodes/lp", { method: "POST", body: "0" })).json()) as {
      zxid: number;
    };
    const since = created.zxid - 1;
    const missed = (await (await call(`/v1/watch/lp?since=${since}&wait=0`)).json()) as Poll;
    expect(missed.events).toEqual([{ event: "NodeCreated", path: "/lp", zxid: created.zxid }]);

    const waiting = call(`/v1/watch/lp?since=${missed.zxid}&wait=20`);
    const set = (await (await call("/v1/znodes/lp", { method: "PUT", body: "1" })).json()) as {
      zxid: number;
    };
    const next = (await (await waiting).json()) as Poll;
    expect(next.events).toEqual([{ event: "NodeDataChanged", path: "/lp", zxid: set.zxid }]);
  });

  it("follows a subtree with ?recursive (never child events) and ends empty at the deadline", async () => {
    await stableLeader();
    await call("/v1/znodes/tree", { method: "POST" });
    const start = (await (await call("/v1/watch/tree?recursive&wait=0")).json()) as Poll;
    const waiting = call(`/v1/watch/tree?recursive&since=${start.zxid}&wait=20`);
    await call("/v1/znodes/tree/leaf", { method: "POST" });
    const got = (await (await waiting).json()) as Poll;
    expect(got.events.map((e) => `${e.event} ${e.path}`)).toEqual(["NodeCreated /tree/leaf"]);
    const idle = (await (
      await call(`/v1/watch/tree?recursive&since=${got.zxid}&wait=0.3`)
    ).json()) as Poll;
    expect(idle.events).toEqual([]);
  });

  it("refuses bad parameters", async () => {
    expect((await call("/v1/watch/x?wait=600")).status).toBe(400);
    expect((await call("/v1/watch/x?since=-1")).status).toBe(400);
    expect((await call("/v1/watch/x?since=999999999&wait=0")).status).toBe(400);
  });
});
