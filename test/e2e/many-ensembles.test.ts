// One local runtime hosting 50 ensembles (150 member Durable Objects): each created and written
// to, then left idle — every member goes to sleep with no alarm booked. It prints how long that
// took and the runtime's memory (issue 21's scale check).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupPids, peakRssMiB, resetPeaks, rssMiB } from "../../src/bench/process-memory.ts";
import { type RunningService, startService } from "./service.ts";

const ensembles = Array.from({ length: 50 }, (_, i) => `e${String(i).padStart(2, "0")}`);
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${service.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Member {
  reachable: boolean;
  quiescent?: boolean;
  alarmAtMs?: number | null;
}

describe("many ensembles in one runtime", () => {
  it("hosts 50 ensembles, each written to, all asleep with no alarm once idle", async () => {
    const workerd = groupPids(service.pid, "workerd");
    resetPeaks(workerd);
    const baselineMiB = rssMiB(workerd);
    const started = performance.now();
    // Five at a time: each create starts three members.
    for (let i = 0; i < ensembles.length; i += 5) {
      await Promise.all(
        ensembles.slice(i, i + 5).map(async (name) => {
          const created = await api("/v1/ensembles", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name }),
          });
          expect(created.status, name).toBe(201);
          const wrote = await api(`/v1/e/${name}/znodes/config`, { method: "POST", body: name });
          expect(wrote.status, name).toBe(201);
        }),
      );
    }
    const createdMs = performance.now() - started;
    expect(((await api("/v1/ensembles")).body.ensembles as unknown[]).length).toBe(51);

    // Idle: every member of every ensemble goes to sleep and books nothing.
    const asleepFrom = performance.now();
    const awake = new Set(ensembles);
    const deadline = Date.now() + 120_000;
    while (awake.size > 0 && Date.now() < deadline) {
      for (const name of [...awake]) {
        const view = await api(`/v1/e/${name}/admin/ensemble`);
        const members = view.body.members as Member[];
        if (members.every((m) => m.reachable && m.quiescent && m.alarmAtMs === null))
          awake.delete(name);
      }
      if (awake.size > 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect([...awake]).toEqual([]);
    // Each keeps its own data.
    for (const name of ["e00", "e25", "e49"])
      expect((await api(`/v1/e/${name}/znodes/config`)).body).toMatchObject({ data: name });
    console.log(
      `50 ensembles (150 members): created and written in ${(createdMs / 1000).toFixed(1)} s; all asleep with no alarm ${((performance.now() - asleepFrom) / 1000).toFixed(1)} s later; the runtime's workerd ${baselineMiB} MiB before, ${rssMiB(workerd)} MiB after (peak ${peakRssMiB(workerd)} MiB)`,
    );
  }, 300_000);
});
