// Two holders at once is the failure a coordination service exists to prevent. Five contender
// processes compete for a LeaderLatch (then a Mutex); the holder is paused (SIGSTOP) past its
// session timeout, someone else takes over, and the paused one is resumed — twenty times. A
// resource that accepts a write only with a fencing token at least the highest it has seen must
// accept nothing from a deposed holder, and a resumed holder must know it lost before it acts.

import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killGroup } from "../../src/bench/local-service.ts";
import { type RunningService, startService } from "./service.ts";

const root = join(import.meta.dirname, "../..");
const node = join(root, "node_modules/.bin/node");
const contenderScript = join(import.meta.dirname, "fenced-contender.ts");
const rounds = Number(process.env.FENCING_ROUNDS ?? 20);
const contenders = 5;

interface Record {
  id: string;
  pid: number;
  at: number;
  leading?: boolean;
  resumed?: boolean;
  hasLeadership?: boolean;
  write?: number;
  ended?: string;
}

let service: RunningService;

beforeAll(async () => {
  // Silent sessions are checked every second, so a paused holder's session ends ≈ 5 s after.
  service = await startService({ vars: { SESSION_CHECK_MS: "1000" } });
});

afterAll(async () => {
  await service?.stop();
});

/** The fenced resource: refuses a token lower than the highest it accepted. */
function fencedResource(): Promise<{
  server: Server;
  url: string;
  accepted: Array<{ id: string; token: number; at: number }>;
  refused: Array<{ id: string; token: number; at: number }>;
}> {
  const accepted: Array<{ id: string; token: number; at: number }> = [];
  const refused: Array<{ id: string; token: number; at: number }> = [];
  let highest = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const { id, token } = JSON.parse(body) as { id: string; token: number };
      const entry = { id, token, at: Date.now() };
      if (token >= highest) {
        highest = token;
        accepted.push(entry);
        res.writeHead(200).end();
      } else {
        refused.push(entry);
        res.writeHead(409).end();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ server, url: `http://127.0.0.1:${port}/write`, accepted, refused });
    }),
  );
}

/** `what` may be a function: then it says what it saw when the wait ran out, not when it began. */
async function waitFor<T>(
  what: string | (() => string),
  probe: () => T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(["latch", "mutex"])("pausing the %s holder", (kind) => {
  it(`never lets a deposed holder act (${rounds} rounds, ${contenders} contenders)`, async () => {
    const resource = await fencedResource();
    const records: Record[] = [];
    const procs: ChildProcess[] = [];
    try {
      for (let i = 0; i < contenders; i++) {
        const p = spawn(node, [contenderScript, service.url, resource.url, `c${i}`, kind], {
          detached: true,
          stdio: ["ignore", "pipe", "inherit"],
        });
        procs.push(p);
        let buffer = "";
        p.stdout?.on("data", (d) => {
          buffer += d;
          const lines = buffer.split("\n");
          buffer = lines.pop() ?? "";
          for (const line of lines) if (line.trim()) records.push(JSON.parse(line) as Record);
        });
      }
      const holderNow = () => {
        const state = new Map<string, boolean>();
        for (const r of records) if (r.leading !== undefined) state.set(r.id, r.leading);
        const holders = [...state].filter(([, leading]) => leading).map(([id]) => id);
        return holders.length === 1 ? holders[0] : undefined;
      };
      const believedOnResume: boolean[] = [];
      const paused = new Set<string>();
      for (let round = 0; round < rounds; round++) {
        const holder = await waitFor(`a single holder (round ${round})`, holderNow);
        const proc = procs[Number(holder.slice(1))] as ChildProcess;
        await waitFor("the holder's first write", () =>
          resource.accepted.some((w) => w.id === holder) ? true : undefined,
        );
        const pausedAt = Date.now();
        process.kill(proc.pid as number, "SIGSTOP");
        paused.add(holder);
        // Someone else holds it and writes: the paused holder's session expired meanwhile.
        const recordsAtPause = records.length;
        await waitFor(
          () =>
            `a new holder (round ${round}; records since the pause: ${JSON.stringify(records.slice(recordsAtPause).slice(-20))})`,
          () =>
            resource.accepted.some((w) => w.id !== holder && w.at > pausedAt) ? true : undefined,
        ).catch(async (error: unknown) => {
          // What the ensemble looked like when the wait ran out, for whoever reads the failure.
          const ensemble = await fetch(`${service.url}/v1/admin/ensemble`)
            .then((r) => r.text())
            .catch((e: unknown) => `unavailable: ${String(e)}`);
          throw new Error(`${String(error)}; ensemble: ${ensemble.slice(0, 4000)}`);
        });
        await new Promise((r) => setTimeout(r, 300));
        process.kill(proc.pid as number, "SIGCONT");
        const resumed = await waitFor(`${holder} to report its resume`, () =>
          records.find((r) => r.id === holder && r.resumed && r.at > pausedAt),
        );
        believedOnResume.push(resumed.hasLeadership === true);
        // Nothing the resumed holder starts after it runs again may carry its old token.
        const deposedWrites = records.filter(
          (r) => r.id === holder && r.write !== undefined && r.at >= resumed.at,
        );
        const newest = Math.max(...resource.accepted.map((w) => w.token));
        expect(
          deposedWrites.filter((w) => (w.write as number) < newest),
          `round ${round}`,
        ).toEqual([]);
      }
      console.log(
        `fencing (${kind}): ${rounds} rounds, ${resource.accepted.length} writes accepted, ${resource.refused.length} refused, resumed holders believing they still held: ${believedOnResume.filter(Boolean).length}`,
      );
      expect(believedOnResume.every((b) => !b)).toBe(true);
      // Accepted writes never go back in token order. A write the fence refused can only be one
      // a holder sent just before it was paused, arriving after its successor's.
      const tokens = resource.accepted.map((w) => w.token);
      expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
      for (const w of resource.refused) expect(paused.has(w.id), `refused ${w.id}`).toBe(true);
    } finally {
      for (const p of procs) {
        try {
          process.kill(p.pid as number, "SIGCONT");
        } catch {
          // Already gone.
        }
        await killGroup(p);
      }
      resource.server.close();
    }
  }, 600_000);
});
