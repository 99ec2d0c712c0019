// `npm run bench -- --minimal`: the runtime's minimal shapes (src/bench/minimal/worker.ts) on the
// same runtime configuration as the ensemble — wrangler dev as `npm start` runs it — so every
// bench run measures how far edgekeeper's paths are from what this machine's runtime allows.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LatencySamples, type LatencySummary } from "./latency.ts";
import { freePort, type RunningService, startServing } from "./local-service.ts";
import { plainSocket } from "./plain-socket.ts";

export const minimalShapes = [
  "echo",
  "read",
  "insert",
  "group",
  "replicated",
  "spread",
  "sequential",
  "rpc",
  "http",
] as const;
export type MinimalShape = (typeof minimalShapes)[number];

export const shapeTitles: Record<MinimalShape, string> = {
  echo: "WebSocket echo from a DO",
  read: "WS + SQLite read of a 1 KiB row",
  insert: "WS + one INSERT per message (a commit each)",
  group: "WS + group commit (setTimeout(0) batches)",
  replicated: "leader + 2 followers: batch insert, one RPC per follower, answer on quorum",
  spread:
    "ZooKeeper's pattern: clients on all 3, followers forward in batches and answer once applied",
  sequential: "the same replicated write from one client: the floor under seqlat",
  rpc: "DO→DO RPC, one at a time",
  http: "HTTP → Worker → DO RPC",
};

export interface ShapeResult extends LatencySummary {
  readonly bench: "minimal";
  readonly shape: MinimalShape;
  readonly clients: number;
  readonly seconds: number;
  readonly ops: number;
  readonly opsPerSec: number;
  readonly errors: number;
}

export interface MinimalOptions {
  readonly clients: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly shapes: readonly MinimalShape[];
  readonly url?: string | undefined;
}

/** Starts the minimal Worker as `npm start` starts edgekeeper; stop() ends its process group. */
export async function startMinimal(): Promise<RunningService> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "edgekeeper-minimal-"));
  const args = ["dev", "-c", "src/bench/minimal/wrangler.toml", "--ip", "127.0.0.1"];
  args.push("--port", String(port), "--persist-to", stateDir);
  return startServing("node_modules/.bin/wrangler", args, `http://127.0.0.1:${port}`, "/rows", {
    readyTimeoutMs: 90_000,
    stateDir,
  });
}

export async function runMinimal(
  options: MinimalOptions,
  out: (line: string) => void,
): Promise<ShapeResult[]> {
  const service = options.url === undefined ? await startMinimal() : null;
  const url = options.url ?? service?.url ?? "";
  try {
    const results: ShapeResult[] = [];
    for (const shape of options.shapes) {
      const result = await runShape(url, shape, options);
      out(JSON.stringify(result));
      results.push(result);
    }
    return results;
  } finally {
    await service?.stop();
  }
}

async function runShape(url: string, shape: MinimalShape, options: MinimalOptions) {
  if (shape === "rpc") return rpcLoop(url, options);
  const replicated = shape === "replicated" || shape === "sequential";
  const spread = shape === "spread";
  const object = replicated ? "leader" : spread ? "spread-0" : "one";
  for (const o of spread ? ["spread-0", "spread-1", "spread-2"] : [object])
    await getJson(`${url}/reset?object=${o}`);
  const count = shape === "sequential" ? 1 : options.clients;
  const socketShape = shape === "sequential" ? "replicated" : shape;
  // The spread shape's clients go round the three members, as sessions spread over an ensemble.
  const objectOf = (c: number) => (spread ? `spread-${c % 3}&member=${c % 3}` : object);
  const clients =
    shape === "http"
      ? Array.from({ length: count }, () => httpClient(url))
      : await Promise.all(
          Array.from({ length: count }, (_, c) => socketClient(url, socketShape, objectOf(c))),
        );
  try {
    const warmEnd = performance.now() + options.warmupMs;
    const end = warmEnd + options.durationMs;
    const latencies = new LatencySamples();
    let errors = 0;
    let ops = 0;
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = c * 1_000_000; performance.now() < end; i++) {
          const started = performance.now();
          const ok = await client.call(i);
          const now = performance.now();
          if (started < warmEnd) continue;
          if (ok) {
            ops++;
            latencies.add(now - started);
          } else errors++;
        }
      }),
    );
    if (shape === "insert" || shape === "group" || replicated || spread) {
      // Every acknowledged write is a row (warm-up included): count what the clients were told;
      // the spread shape's rows are the leader's applied ones.
      const acknowledged = clients.reduce((sum, c) => sum + c.acknowledged, 0);
      const rowsPath = spread ? "tree-rows" : "rows";
      const { rows } = (await getJson(`${url}/${rowsPath}?object=${object}`)) as { rows: number };
      if (rows < acknowledged) errors += acknowledged - rows;
    }
    const seconds = options.durationMs / 1000;
    return {
      bench: "minimal",
      shape,
      clients: count,
      seconds,
      ops,
      opsPerSec: Math.round(ops / seconds),
      errors,
      ...latencies.summary(),
    } satisfies ShapeResult;
  } finally {
    for (const client of clients) client.close();
  }
}

interface ShapeClient {
  call(n: number): Promise<boolean>;
  acknowledged: number;
  close(): void;
}

async function socketClient(url: string, shape: MinimalShape, object: string) {
  const ws = plainSocket(`${url.replace(/^http/, "ws")}/${shape}?object=${object}`);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", () => reject(new Error(`${shape}: socket failed`)), {
      once: true,
    });
  });
  let waiting: ((reply: string) => void) | null = null;
  ws.addEventListener("message", (event) => waiting?.(String(event.data)));
  ws.addEventListener("close", () => waiting?.("closed"));
  const client: ShapeClient = {
    acknowledged: 0,
    async call(n) {
      const reply = await new Promise<string>((resolve) => {
        waiting = resolve;
        ws.send(String(n));
      });
      const expected = shape === "read" ? `${n}:${(n % 100) & 0xff}:1024` : String(n);
      if (reply !== expected) return false;
      client.acknowledged++;
      return true;
    },
    close: () => ws.close(),
  };
  return client;
}

function httpClient(url: string): ShapeClient {
  return {
    acknowledged: 0,
    async call(n) {
      const body = (await getJson(`${url}/ping?n=${n}`)) as { n: number };
      return body.n === n + 1;
    },
    close() {},
  };
}

/** One object awaits RPCs to another one at a time, inside the runtime (no client in the loop). */
async function rpcLoop(url: string, options: MinimalOptions): Promise<ShapeResult> {
  await getJson(`${url}/rpc-loop?count=1000`);
  const count = Math.max(1000, Math.round(options.durationMs * 15));
  const started = performance.now();
  const { ok } = (await getJson(`${url}/rpc-loop?count=${count}`)) as { ok: number };
  const seconds = (performance.now() - started) / 1000;
  return {
    bench: "minimal",
    shape: "rpc",
    clients: 1,
    seconds: Math.round(seconds * 100) / 100,
    ops: ok,
    opsPerSec: Math.round(ok / seconds),
    errors: count - ok,
    ...oneSample((seconds * 1000) / count),
  };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function oneSample(ms: number): LatencySummary {
  const samples = new LatencySamples();
  samples.add(ms);
  return samples.summary();
}
