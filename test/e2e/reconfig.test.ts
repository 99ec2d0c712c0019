// The membership changed under a write load in the real local service: SDK clients write while the
// ensemble grows 3 → 5 (two voters added) and shrinks back (its leader removed first); no
// acknowledged write is lost, no client sees an error beyond a retried request, and the test
// prints how long each change took and the write throughput before, during and after.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EdgeKeeperClient, KeeperError } from "../../src/client/index.ts";
import { type RunningService, startService } from "./service.ts";

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

async function reconfig(json: unknown) {
  const res = await fetch(`${service.url}/v1/admin/members`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(json),
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as { member: number; voters: number[]; tookMs: number };
}

describe("membership changes under a write load", () => {
  it("grows 3 → 5 and shrinks back with every acknowledged write kept", async () => {
    const writers = 8;
    const clients = await Promise.all(
      Array.from({ length: writers }, () => EdgeKeeperClient.connect({ url: service.url })),
    );
    await clients[0]?.create("/reconfig", "");
    const acked: string[] = [];
    const visible: string[] = [];
    let retried = 0;
    let running = true;
    const ackedAt: number[] = [];
    const write = async (zk: EdgeKeeperClient, w: number) => {
      for (let i = 0; running; i++) {
        const path = `/reconfig/w${w}-${i}`;
        for (let attempt = 0; ; attempt++) {
          try {
            await zk.create(path, "x");
            break;
          } catch (error) {
            // A create whose answer was lost may have been applied: its retry finds it.
            if (error instanceof KeeperError && error.error === "NODEEXISTS" && attempt > 0) break;
            if (error instanceof KeeperError && error.error === "CONNECTIONLOSS" && attempt < 20) {
              retried++;
              continue;
            }
            visible.push(`${path}: ${String(error)}`);
            break;
          }
        }
        acked.push(path);
        ackedAt.push(performance.now());
      }
    };
    const load = Promise.all(clients.map((zk, w) => write(zk, w)));
    const rate = (from: number, to: number) =>
      Math.round((ackedAt.filter((t) => t >= from && t < to).length * 1000) / (to - from));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    await pause(2_000);
    const t0 = performance.now();
    const three = await reconfig({ action: "add", role: "voter" });
    const four = await reconfig({ action: "add", role: "voter" });
    const t1 = performance.now();
    await pause(1_000);
    const t2 = performance.now();
    const members = (await (await fetch(`${service.url}/v1/admin/members`)).json()) as {
      leader: number;
    };
    const outLeader = await reconfig({ action: "remove", member: members.leader });
    const other = outLeader.voters.find((v) => v !== members.leader && v !== 0) as number;
    const outOther = await reconfig({ action: "remove", member: other });
    const t3 = performance.now();
    await pause(1_000);
    running = false;
    await load;
    const end = performance.now();

    expect(three.voters).toEqual([0, 1, 2, 3]);
    expect(four.voters).toEqual([0, 1, 2, 3, 4]);
    expect(outOther.voters).toHaveLength(3);
    expect(visible).toEqual([]);
    const reader = await EdgeKeeperClient.connect({ url: service.url });
    await reader.sync();
    const stored = new Set((await reader.getChildren("/reconfig")).children);
    expect(acked.filter((p) => !stored.has(p.slice("/reconfig/".length)))).toEqual([]);
    console.log(
      `reconfig under load (${writers} SDK writers): add voter ${three.tookMs} ms and ${four.tookMs} ms, ` +
        `remove the leader (${members.leader}) ${outLeader.tookMs} ms, remove ${other} ${outOther.tookMs} ms; ` +
        `acked creates/s: before ${rate(t0 - 2_000, t0)}, growing ${rate(t0, t1)}, grown ${rate(t1, t2)}, ` +
        `shrinking ${rate(t2, t3)}, after ${rate(t3, end)}; ${acked.length} acked, ${retried} retried`,
    );
    for (const zk of [...clients, reader]) await zk.close();
  });
});
