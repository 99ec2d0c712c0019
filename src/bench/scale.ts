// The scale workload: load many small znodes (default 1,000,000 × 100 B) into one ensemble with
// 100-create transactions over N sessions, then measure reads, the members' snapshot and memory.

import type { BenchSession, BenchTarget } from "./bench-target.ts";
import { LatencySamples, type LatencySummary } from "./latency.ts";
import { peakRssMiB } from "./process-memory.ts";

export interface ScaleOptions {
  readonly nodes: number;
  readonly valueBytes: number;
  readonly sessions: number;
  readonly reads: number;
  readonly seed: number;
}

export interface ScaleResult {
  readonly target: string;
  readonly workload: "scale";
  readonly nodesLoaded: number;
  readonly loadSeconds: number;
  readonly loadNodesPerSec: number;
  readonly loadErrors: number;
  readonly firstError?: string;
  /** Per 100-create transaction during the load (compactions included). */
  readonly loadTxn: LatencySummary;
  /** One session's sequential reads of random nodes after the load. */
  readonly readAfterLoad: LatencySummary;
  /** One member's tree downloaded as a snapshot file (/v1/admin/snapshot) after the load. */
  readonly snapshot: SnapshotDownload;
  readonly members: unknown;
  readonly serverPeakRssMiB: number;
  readonly clientPeakRssMiB: number;
}

export interface SnapshotDownload {
  readonly member: number;
  readonly index: number;
  readonly bytes: number;
  /** Until the first byte: the member freezing its tree into the snapshot tables. */
  readonly firstByteSeconds: number;
  readonly seconds: number;
}

const perTxn = 100;
const perParent = 1000;

export async function runScale(
  target: BenchTarget,
  pool: readonly BenchSession[],
  options: ScaleOptions,
  status: () => Promise<unknown>,
  snapshot: () => Promise<SnapshotDownload>,
  progress: (line: string) => void,
): Promise<ScaleResult> {
  const first = pool[0];
  if (!first) throw new Error("no sessions");
  const value = "v".repeat(options.valueBytes);
  const base = `/scale-${options.seed}`;
  await first.create(base, "");
  const parents = Math.ceil(options.nodes / perParent);
  for (let p = 0; p < parents; p += perTxn) {
    const count = Math.min(perTxn, parents - p);
    await first.createAll(
      Array.from({ length: count }, (_, i) => `${base}/p${p + i}`),
      "",
    );
  }
  const batches = Math.ceil(options.nodes / perTxn);
  let next = 0;
  let loaded = 0;
  let errors = 0;
  let firstError: string | undefined;
  const txn = new LatencySamples();
  const start = performance.now();
  let reported = start;
  const servers = target.serverPids();
  await Promise.all(
    pool.slice(0, options.sessions).map(async (session) => {
      for (;;) {
        const batch = next++;
        if (batch >= batches) return;
        const from = batch * perTxn;
        const count = Math.min(perTxn, options.nodes - from);
        const paths = Array.from({ length: count }, (_, i) => {
          const n = from + i;
          return `${base}/p${Math.floor(n / perParent)}/n${n % perParent}`;
        });
        const before = performance.now();
        try {
          await session.createAll(paths, value);
          txn.add(performance.now() - before);
          loaded += count;
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
        const now = performance.now();
        if (now - reported > 10_000) {
          reported = now;
          const seconds = (now - start) / 1000;
          progress(
            `scale: ${loaded} znodes in ${seconds.toFixed(0)} s (${Math.round(loaded / seconds)}/s), ` +
              `server peak ${peakRssMiB(servers).toFixed(0)} MiB, ${errors} errors`,
          );
        }
      }
    }),
  );
  const loadSeconds = (performance.now() - start) / 1000;
  const reads = new LatencySamples();
  let x = options.seed >>> 0 || 1;
  for (let i = 0; i < options.reads; i++) {
    // xorshift: a replayable choice of nodes.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const n = (x >>> 0) % Math.max(1, loaded);
    const before = performance.now();
    await first.getData(`${base}/p${Math.floor(n / perParent)}/n${n % perParent}`);
    reads.add(performance.now() - before);
  }
  return {
    target: target.name,
    workload: "scale",
    nodesLoaded: loaded,
    loadSeconds: Math.round(loadSeconds * 10) / 10,
    loadNodesPerSec: Math.round(loaded / loadSeconds),
    loadErrors: errors,
    ...(firstError === undefined ? {} : { firstError }),
    loadTxn: txn.summary(),
    readAfterLoad: reads.summary(),
    snapshot: await snapshot(),
    members: await status(),
    serverPeakRssMiB: peakRssMiB(servers),
    clientPeakRssMiB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  };
}
