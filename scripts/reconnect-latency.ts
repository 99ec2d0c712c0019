// Measures how soon an SDK client is back after the service is: stops the local service, starts
// it again on the same port and storage, and times from the moment it answers HTTP to the
// client's "reconnected" — over many outages. Usage: node scripts/reconnect-latency.ts [outages]
// [downMs]. Starts and stops everything itself.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type RunningService, startService } from "../src/bench/local-service.ts";
import { EdgeKeeperClient } from "../src/client/index.ts";

const outages = Number(process.argv[2] ?? 20);
const downMs = Number(process.argv[3] ?? 2_000);
const stateDir = mkdtempSync(join(tmpdir(), "edgekeeper-reconnect-"));
const port = await freePort();
let service: RunningService | null = await startService({ port, stateDir });
const client = await EdgeKeeperClient.connect({ url: service.url, sessionTimeoutMs: 40_000 });
const delays: number[] = [];
try {
  for (let i = 0; i < outages; i++) {
    await service.stop();
    service = null;
    await client.until("suspended");
    await new Promise((r) => setTimeout(r, downMs));
    service = await startService({ port, stateDir });
    const back = Date.now();
    const state = await client.until("reconnected", "expired");
    if (state !== "reconnected") throw new Error(`outage ${i}: the client ended ${state}`);
    delays.push(Date.now() - back);
    await client.sync();
    console.log(`outage ${i + 1}: reconnected ${delays.at(-1)} ms after the service was back`);
  }
} finally {
  await client.close();
  await service?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
const sorted = [...delays].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
console.log(
  `reconnect after the service is back, over ${sorted.length} outages of ${downMs} ms: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)} ms`,
);
