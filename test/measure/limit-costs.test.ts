// Measures the worst request each default limit still allows: how long it holds a member. Not
// part of `npm test`: run `npm run measure -- limit-costs`. It prints figures and asserts only
// that each request was served (and the first past the limit refused).

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { defaultLimits } from "../../src/access/limits.ts";
import { stableLeader } from "../workers/ensemble-harness.ts";
import { SessionClient } from "../workers/session-client.ts";

const post = (path: string, body: unknown) =>
  exports.default.fetch(
    new Request(`http://edgekeeper.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await run();
  console.log(`${what}: ${(performance.now() - start).toFixed(0)} ms`);
  return out;
}

describe("the worst request each limit allows", () => {
  it("setWatches with maxSetWatchesPaths missing nodes, after a full change log", async () => {
    await stableLeader();
    const c = await SessionClient.open(1);
    await c.connect();
    // Fill the change log the missing nodes' synthetic events are looked up in.
    for (let i = 0; i < 50; i++) {
      const ops = Array.from({ length: 100 }, (_, j) => ({
        op: "create",
        path: `/churn-${i}-${j}`,
      }));
      expect((await post("/v1/multi", { ops })).status).toBe(200);
    }
    const paths = Array.from({ length: defaultLimits.maxSetWatchesPaths }, (_, i) => `/gone/${i}`);
    const reply = await timed(`setWatches, ${paths.length} data paths (all missing)`, () =>
      c.request({ op: "setWatches", lastZxid: 1, data: paths }),
    );
    expect(reply).not.toHaveProperty("error");
    const c2 = await SessionClient.open(1);
    await c2.connect();
    const exist = await timed(`setWatches, ${paths.length} exist paths`, () =>
      c2.request({ op: "setWatches", lastZxid: 1, exist: paths }),
    );
    expect(exist).not.toHaveProperty("error");
    const c3 = await SessionClient.open(1);
    await c3.connect();
    const over = await c3.request({
      op: "setWatches",
      lastZxid: 1,
      exist: [...paths, "/one-more"],
    });
    expect(over).toMatchObject({ error: { name: "BADARGUMENTS" } });
  });

  it("multiRead up to maxReplyBytes, and the largest log entry", async () => {
    const data = "d".repeat(200_000);
    expect((await post("/v1/znodes/big", { data })).status).toBe(201);
    const ops = Array.from({ length: 5 }, () => ({ op: "getData", path: "/big" }));
    const res = await timed("multiRead of 5 × 200,000 bytes (1,000,000 of 1 MiB)", () =>
      post("/v1/multi-read", { ops }),
    );
    expect(res.status).toBe(200);
    const refused = await timed("multiRead of 6 × 200,000 bytes (refused while building)", () =>
      post("/v1/multi-read", { ops: [...ops, { op: "getData", path: "/big" }] }),
    );
    expect(refused.status).toBe(413);
    const long = "p".repeat(4_000);
    const creates = Array.from({ length: 350 }, (_, i) => ({ op: "create", path: `/${long}${i}` }));
    const entry = await timed(
      "a multi of 350 creates with 4,000-character paths (≈1.4 MB entry)",
      () => post("/v1/multi", { ops: creates }),
    );
    expect(entry.status).toBe(200);
  });
});
