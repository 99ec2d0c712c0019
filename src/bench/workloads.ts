// The benchmark's workloads, the same for every target: closed loops over N sessions (each
// session has one request outstanding), one session's sequential creates, watch fan-out, and
// 10-op transactions.

import type { BenchSession, BenchTarget } from "./bench-target.ts";
import { LatencySamples, type LatencySummary } from "./latency.ts";
import { peakRssMiB, resetPeaks } from "./process-memory.ts";
import { type ProcessReading, readProcesses, type ServerUse, serverUse } from "./process-usage.ts";

export const workloadNames = ["create", "set", "get", "mixed", "seqlat", "watch", "multi"] as const;
export type WorkloadName = (typeof workloadNames)[number];

export interface BenchOptions {
  readonly sessions: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly valueBytes: number;
  readonly watchers: number;
  readonly rounds: number;
  readonly seed: number;
}

export interface WorkloadResult extends LatencySummary {
  readonly target: string;
  readonly workload: WorkloadName;
  readonly sessions: number;
  readonly seconds: number;
  readonly ops: number;
  readonly opsPerSec: number;
  readonly errors: number;
  readonly firstError?: string;
  /** For watch: each watcher's delay after the write's acknowledgement; for the others, per op. */
  readonly latency: "op" | "write-ack to each watcher";
  /** For watch: the last watcher's delay per round. */
  readonly lastWatcher?: LatencySummary;
  readonly serverPeakRssMiB: number;
  readonly clientPeakRssMiB: number;
  /** The server processes' CPU and disk writes over the measured window (absent without pids). */
  readonly serverUse?: ServerUse;
}

/** A small seeded generator (mulberry32) so a run's mix can be replayed with its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sharedNodes = 100;

export async function runWorkload(
  target: BenchTarget,
  name: WorkloadName,
  pool: readonly BenchSession[],
  options: BenchOptions,
  run: string,
): Promise<WorkloadResult> {
  const value = "x".repeat(options.valueBytes);
  const base = `/bench-${run}-${name}`;
  const first = pool[0];
  if (!first) throw new Error("no sessions");
  await first.create(base, "");
  const sessions = name === "seqlat" ? [first] : pool.slice(0, options.sessions);
  const random = seeded(options.seed);
  const servers = target.serverPids();
  resetPeaks(servers);
  let outcome: Loop;
  let lastWatcher: LatencySummary | undefined;
  switch (name) {
    case "create":
    case "seqlat":
    case "multi": {
      await Promise.all(sessions.map((s, i) => s.create(`${base}/s${i}`, "")));
      const counters = sessions.map(() => 0);
      outcome = await closedLoop(sessions, options, servers, (s, i) => {
        const n = counters[i] ?? 0;
        counters[i] = n + 1;
        if (name !== "multi") return s.create(`${base}/s${i}/n${n}`, value);
        const paths = Array.from({ length: 10 }, (_, k) => `${base}/s${i}/t${n}-${k}`);
        return s.createAll(paths, value);
      });
      break;
    }
    case "set": {
      await Promise.all(sessions.map((s, i) => s.create(`${base}/s${i}`, value)));
      outcome = await closedLoop(sessions, options, servers, (s, i) =>
        s.setData(`${base}/s${i}`, value),
      );
      break;
    }
    case "get":
    case "mixed": {
      for (let k = 0; k < sharedNodes; k += 10)
        await first.createAll(
          Array.from({ length: 10 }, (_, j) => `${base}/n${k + j}`),
          value,
        );
      outcome = await closedLoop(sessions, options, servers, (s) => {
        const path = `${base}/n${Math.floor(random() * sharedNodes)}`;
        return name === "mixed" && random() < 0.1 ? s.setData(path, value) : s.getData(path);
      });
      break;
    }
    case "watch": {
      const watched = await watchFanOut(target, first, `${base}/node`, value, options, servers);
      outcome = watched.loop;
      lastWatcher = watched.last;
      break;
    }
  }
  const summary = outcome.latency.summary();
  return {
    target: target.name,
    workload: name,
    sessions: name === "watch" ? options.watchers : sessions.length,
    seconds: Math.round(outcome.seconds * 100) / 100,
    ops: outcome.ops,
    opsPerSec: Math.round(outcome.ops / outcome.seconds),
    errors: outcome.errors,
    ...(outcome.firstError === undefined ? {} : { firstError: outcome.firstError }),
    ...summary,
    latency: name === "watch" ? "write-ack to each watcher" : "op",
    ...(lastWatcher === undefined ? {} : { lastWatcher }),
    serverPeakRssMiB: peakRssMiB(servers),
    clientPeakRssMiB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    ...(outcome.serverUse === undefined ? {} : { serverUse: outcome.serverUse }),
  };
}

interface Loop {
  readonly latency: LatencySamples;
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly seconds: number;
  readonly serverUse?: ServerUse;
}

/** Reads the servers' CPU and disk writes at a window's start and end, and what they used. */
function useWindow(servers: readonly number[]): {
  start(): void;
  end(): void;
  use(ops: number): ServerUse | undefined;
} {
  let first: { readings: Map<number, ProcessReading>; at: number } | undefined;
  let last: { readings: Map<number, ProcessReading>; at: number } | undefined;
  return {
    start: () => {
      first = { readings: readProcesses(servers), at: performance.now() };
    },
    end: () => {
      last ??= { readings: readProcesses(servers), at: performance.now() };
    },
    use: (ops) =>
      servers.length === 0 || first === undefined || last === undefined
        ? undefined
        : serverUse(first.readings, last.readings, (last.at - first.at) / 1000, ops),
  };
}

/** Each session runs `op` back to back; a warm-up first, then the measured duration. */
async function closedLoop(
  sessions: readonly BenchSession[],
  options: BenchOptions,
  servers: readonly number[],
  op: (session: BenchSession, index: number) => Promise<void>,
): Promise<Loop> {
  const latency = new LatencySamples();
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  // The usage window is the counted one: ops are counted by when they start, inside it.
  const usage = useWindow(servers);
  const timers = [
    setTimeout(() => usage.start(), options.warmupMs),
    setTimeout(() => usage.end(), options.warmupMs + options.durationMs),
  ];
  await Promise.all(
    sessions.map(async (session, i) => {
      for (;;) {
        const before = performance.now();
        if (before >= end) return;
        const counted = before >= measureFrom;
        try {
          await op(session, i);
          if (counted) latency.add(performance.now() - before);
        } catch (error) {
          if (counted) errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  for (const timer of timers) clearTimeout(timer);
  usage.end();
  // Ops that started inside the window and ended after it count: the window is their span.
  const seconds = (Math.max(performance.now(), end) - measureFrom) / 1000;
  const used = usage.use(latency.count);
  return {
    latency,
    ops: latency.count,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    seconds,
    ...(used === undefined ? {} : { serverUse: used }),
  };
}

/**
 * W watcher sessions each arm a one-shot data watch on one node; one writer sets it; each
 * watcher's delay is measured from the write's acknowledgement. R rounds, one at a time.
 */
async function watchFanOut(
  target: BenchTarget,
  writer: BenchSession,
  path: string,
  value: string,
  options: BenchOptions,
  servers: readonly number[],
): Promise<{ loop: Loop; last: LatencySummary }> {
  await writer.create(path, value);
  const watchers: BenchSession[] = [];
  for (let i = 0; i < options.watchers; i++) watchers.push(await target.connect(i + 1));
  const each = new LatencySamples();
  const last = new LatencySamples();
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const usage = useWindow(servers);
  usage.start();
  try {
    for (let round = 0; round < options.rounds; round++) {
      const armed = await Promise.all(watchers.map((w) => w.watchData(path)));
      try {
        await writer.setData(path, value);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        continue;
      }
      const acked = performance.now();
      const arrivals = await Promise.all(armed.map((a) => a.fired));
      let latest = Number.NEGATIVE_INFINITY;
      for (const at of arrivals) {
        // An event can beat the writer's own acknowledgement: that counts as no delay.
        each.add(Math.max(0, at - acked));
        latest = Math.max(latest, at);
      }
      last.add(Math.max(0, latest - acked));
    }
  } finally {
    await Promise.all(watchers.map((w) => w.close().catch(() => {})));
  }
  usage.end();
  const seconds = (performance.now() - start) / 1000;
  const used = usage.use(each.count);
  return {
    loop: {
      latency: each,
      ops: each.count,
      errors,
      ...(firstError === undefined ? {} : { firstError }),
      seconds,
      ...(used === undefined ? {} : { serverUse: used }),
    },
    last: last.summary(),
  };
}
