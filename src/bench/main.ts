// `npm run bench` (src/bench/cli.ts parses its flags): starts the local ensemble as `npm start`
// does, runs the workloads over the WebSocket session protocol, and with `--compare zookeeper` runs
// the same workloads against a 3-server Apache ZooKeeper on loopback and prints the ratios.

import type { BenchSession, BenchTarget } from "./bench-target.ts";
import { edgekeeperTarget } from "./edgekeeper-target.ts";
import {
  type MinimalShape,
  minimalShapes,
  runMinimal,
  type ShapeResult,
  shapeTitles,
} from "./minimal.ts";
import { jsonLine, ratios, ratioTable, table } from "./report.ts";
import { runScale, type SnapshotDownload } from "./scale.ts";
import {
  type BenchOptions,
  runWorkload,
  type WorkloadName,
  type WorkloadResult,
  workloadNames,
} from "./workloads.ts";
import { zookeeperInstalled, zookeeperTarget } from "./zookeeper-target.ts";

export interface BenchIo {
  out(text: string): void;
  err(text: string): void;
}

export async function runBench(
  flags: ReadonlyMap<string, string | true>,
  io: BenchIo,
): Promise<number> {
  const text = (name: string) => {
    const v = flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const number = (name: string, fallback: number) => {
    const v = text(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const quick = flags.has("quick");
  const members = number("members", 3);
  if (members !== 3 && members !== 5) throw new Error("--members must be 3 or 5");
  const options: BenchOptions = {
    sessions: number("sessions", 32),
    durationMs: number("duration", quick ? 2 : 10) * 1000,
    warmupMs: number("warmup", quick ? 0.5 : 2) * 1000,
    valueBytes: number("value-size", 1024),
    watchers: number("watchers", quick ? 32 : 100),
    rounds: number("rounds", quick ? 10 : 50),
    seed: number("seed", Date.now() % 1_000_000),
  };
  const chosen = (text("workloads") ?? workloadNames.join(",")).split(",") as WorkloadName[];
  for (const w of chosen)
    if (!workloadNames.includes(w))
      throw new Error(`unknown workload ${w}; choose from ${workloadNames.join(", ")}`);
  const compare = text("compare");
  if (compare !== undefined && compare !== "zookeeper")
    throw new Error("--compare takes one value: zookeeper");
  if (compare && !zookeeperInstalled())
    throw new Error(
      "--compare zookeeper needs Debian's zookeeper package (apt-get install zookeeper)",
    );

  io.err(
    `bench: ${members} members, ${options.sessions} sessions, ${options.durationMs / 1000} s per workload ` +
      `(+${options.warmupMs / 1000} s warm-up), ${options.valueBytes} B values, seed ${options.seed}`,
  );
  const url = text("url");
  const shapes = (text("shapes") ?? minimalShapes.join(",")).split(",") as MinimalShape[];
  for (const shape of shapes)
    if (!minimalShapes.includes(shape))
      throw new Error(`unknown shape ${shape}; choose from ${minimalShapes.join(", ")}`);
  const minimalOptions = {
    clients: options.sessions,
    durationMs: Math.min(options.durationMs, 5_000),
    warmupMs: Math.min(options.warmupMs, 1_000),
    shapes,
  };
  if (flags.has("minimal")) {
    io.err(`bench: the runtime's minimal shapes, ${options.sessions} clients`);
    const limits = await runMinimal({ ...minimalOptions, url }, (line) => io.out(line));
    io.out("");
    io.out(shapeTable(limits));
    return limits.some((r) => r.errors > 0) ? 1 : 0;
  }
  if (flags.has("scale")) {
    const target = await edgekeeperTarget({ members, url, token: text("token") });
    try {
      const pool = await openSessions(target, options.sessions);
      const nodes = number("scale-nodes", 1_000_000);
      io.err(`bench: loading ${nodes} znodes of 100 B with ${options.sessions} sessions`);
      const result = await runScale(
        target,
        pool,
        {
          nodes,
          valueBytes: 100,
          sessions: options.sessions,
          reads: number("reads", 2000),
          seed: options.seed,
        },
        () => ensembleStatus(target.url, text("token")),
        () => downloadSnapshot(target.url, text("token"), text("auth-digest") ?? "bench:bench"),
        (line) => io.err(line),
      );
      await Promise.all(pool.map((s) => s.close().catch(() => {})));
      io.out(JSON.stringify({ bench: "edgekeeper", ...result }));
      return result.loadErrors > 0 ? 1 : 0;
    } finally {
      await target.stop();
    }
  }
  const results: WorkloadResult[] = [];
  const targets: Array<() => Promise<BenchTarget>> = [
    () => edgekeeperTarget({ members, url, token: text("token") }),
  ];
  if (compare) targets.push(() => zookeeperTarget({ servers: members }));
  // Workload paths are unique per run, so `--url` can measure the same service again.
  const runId = Date.now().toString(36);
  for (const start of targets) {
    const target = await start();
    try {
      io.err(`bench: ${target.name} is up; opening ${options.sessions} sessions`);
      const pool = await openSessions(target, options.sessions);
      try {
        for (const [run, workload] of chosen.entries()) {
          const result = await runWorkload(target, workload, pool, options, `${runId}-${run}`);
          results.push(result);
          io.out(jsonLine(result));
        }
      } finally {
        await Promise.all(pool.map((s) => s.close().catch(() => {})));
      }
    } finally {
      await target.stop();
    }
  }
  // A full local run also measures the runtime's minimal shapes, so every report shows the limit.
  const limits =
    url === undefined && !quick ? await runMinimal(minimalOptions, (line) => io.out(line)) : [];
  io.out("");
  io.out(table(results));
  if (limits.length > 0) {
    io.out("");
    io.out(shapeTable(limits));
  }
  const compared = ratios(results);
  if (compared.length > 0) {
    io.out("");
    io.out(ratioTable(compared));
    io.out(JSON.stringify({ bench: "edgekeeper", ratios: compared }));
  }
  return [...results, ...limits].some((r) => r.errors > 0) ? 1 : 0;
}

function shapeTable(results: readonly ShapeResult[]): string {
  const lines = ["runtime limit (minimal shapes, same runtime configuration)"];
  lines.push(
    `${"shape".padEnd(11)}${"clients".padStart(8)}${"ops/s".padStart(8)}${"p50 ms".padStart(9)}${"errors".padStart(8)}  what`,
  );
  for (const r of results)
    lines.push(
      `${r.shape.padEnd(11)}${String(r.clients).padStart(8)}${String(r.opsPerSec).padStart(8)}${r.p50Ms.toFixed(2).padStart(9)}${String(r.errors).padStart(8)}  ${shapeTitles[r.shape]}`,
    );
  return lines.join("\n");
}

/** Each member's tree size, log, snapshot and role, from the admin read-out. */
async function ensembleStatus(url: string, token: string | undefined): Promise<unknown> {
  const response = await fetch(`${url}/v1/admin/ensemble`, { headers: authHeaders(token) });
  const body = (await response.json()) as { members?: Array<Record<string, unknown>> };
  return (body.members ?? []).map((m) => ({
    member: m.member,
    role: m.role,
    nodeCount: m.nodeCount,
    dataBytes: m.dataBytes,
    appliedIndex: m.appliedIndex,
    snapshotIndex: m.snapshotIndex,
    storageBytes: m.storageBytes,
    logEntries: m.logEntries,
  }));
}

function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/**
 * Streams a follower's snapshot file, counting bytes (never holding it) and timing it. A snapshot
 * needs an authenticated caller with ALL on `/` (security.md): a fresh tree's root is open to
 * any digest identity; a deployment's may need its super digest (`--auth-digest super:…`).
 */
async function downloadSnapshot(
  url: string,
  token: string | undefined,
  digest: string,
): Promise<SnapshotDownload> {
  const headers = authHeaders(token);
  const members = (await (await fetch(`${url}/v1/admin/ensemble`, { headers })).json()) as {
    members?: Array<{ member: number; role: string }>;
  };
  const member = members.members?.find((m) => m.role === "follower")?.member ?? 0;
  const start = performance.now();
  const response = await fetch(`${url}/v1/admin/snapshot?member=${member}`, {
    headers: { ...headers, "x-auth-digest": digest },
  });
  if (!response.ok || !response.body)
    throw new Error(`snapshot download: HTTP ${response.status} ${await response.text()}`);
  let firstByteMs: number | undefined;
  let bytes = 0;
  for await (const chunk of response.body) {
    firstByteMs ??= performance.now() - start;
    bytes += chunk.length;
  }
  const round = (ms: number) => Math.round(ms / 100) / 10;
  return {
    member,
    index: Number(response.headers.get("x-edgekeeper-snapshot-index")),
    bytes,
    firstByteSeconds: round(firstByteMs ?? 0),
    seconds: round(performance.now() - start),
  };
}

/** Opens the sessions one at a time (as clients arriving), spread over the members in turn. */
async function openSessions(target: BenchTarget, count: number): Promise<BenchSession[]> {
  const pool: BenchSession[] = [];
  for (let i = 0; i < count; i++) pool.push(await target.connect(i));
  return pool;
}
