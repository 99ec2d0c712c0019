// How benchmark results are printed: one JSON line per workload as it finishes, then a table,
// and edgekeeper/ZooKeeper ratios when both ran in the same invocation.

import type { WorkloadName, WorkloadResult } from "./workloads.ts";

export function jsonLine(result: WorkloadResult): string {
  return JSON.stringify({ bench: "edgekeeper", ...result });
}

export function table(results: readonly WorkloadResult[]): string {
  const header = [
    "target",
    "workload",
    "sessions",
    "ops/s",
    "p50 ms",
    "p99 ms",
    "p99.9 ms",
    "errors",
    "server MiB",
    "client MiB",
    "cores",
    "busiest",
    "CPU µs/op",
    "disk B/op",
  ];
  const rows = results.map((r) => [
    r.target,
    r.workload,
    String(r.sessions),
    String(r.opsPerSec),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    r.p999Ms.toFixed(2),
    String(r.errors),
    r.serverPeakRssMiB.toFixed(0),
    r.clientPeakRssMiB.toFixed(0),
    r.serverUse?.serverCores.toFixed(2) ?? "-",
    r.serverUse?.serverBusiestCores.toFixed(2) ?? "-",
    r.serverUse === undefined ? "-" : String(r.serverUse.serverCpuUsPerOp),
    r.serverUse?.serverDiskBytesPerOp === undefined
      ? "-"
      : String(r.serverUse.serverDiskBytesPerOp),
  ]);
  return align([header, ...rows]);
}

/**
 * What each workload is judged on and its goal (issue 18): a ratio to ZooKeeper in the same run,
 * or, for one client's write latency, an absolute bound in milliseconds.
 */
const criteria: Record<
  WorkloadName,
  {
    label: string;
    value: (r: WorkloadResult) => number;
    higherIsBetter: boolean;
    goal: { ratio: number } | { atMost: number };
  }
> = {
  create: { label: "ops/s", value: (r) => r.opsPerSec, higherIsBetter: true, goal: { ratio: 1 } },
  set: { label: "ops/s", value: (r) => r.opsPerSec, higherIsBetter: true, goal: { ratio: 1 } },
  get: { label: "ops/s", value: (r) => r.opsPerSec, higherIsBetter: true, goal: { ratio: 0.5 } },
  mixed: { label: "ops/s", value: (r) => r.opsPerSec, higherIsBetter: true, goal: { ratio: 0.6 } },
  seqlat: { label: "p50 ms", value: (r) => r.p50Ms, higherIsBetter: false, goal: { atMost: 3 } },
  watch: { label: "p99 ms", value: (r) => r.p99Ms, higherIsBetter: false, goal: { ratio: 1 } },
  multi: { label: "txn/s", value: (r) => r.opsPerSec, higherIsBetter: true, goal: { ratio: 1 } },
};

export interface Ratio {
  readonly workload: WorkloadName;
  readonly measure: string;
  readonly edgekeeper: number;
  readonly zookeeper: number;
  /** edgekeeper / ZooKeeper. */
  readonly ratio: number;
  readonly target: string;
  readonly met: boolean;
}

export function ratios(results: readonly WorkloadResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const ek of results.filter((r) => r.target === "edgekeeper")) {
    const zk = results.find((r) => r.target === "zookeeper" && r.workload === ek.workload);
    if (!zk) continue;
    const c = criteria[ek.workload];
    const a = c.value(ek);
    const b = c.value(zk);
    const exact = b === 0 ? Number.POSITIVE_INFINITY : a / b;
    // Shown to two places; judged unrounded (0.597 of a ≥ 0.6 goal is not met).
    const ratio = Math.round(exact * 100) / 100;
    out.push({
      workload: ek.workload,
      measure: c.label,
      edgekeeper: a,
      zookeeper: b,
      ratio,
      ...("atMost" in c.goal
        ? { target: `≤ ${c.goal.atMost} ms`, met: a <= c.goal.atMost }
        : {
            target: `${c.higherIsBetter ? "≥" : "≤"} ${c.goal.ratio}×`,
            met: c.higherIsBetter ? exact >= c.goal.ratio : exact <= c.goal.ratio,
          }),
    });
  }
  return out;
}

export function ratioTable(rows: readonly Ratio[]): string {
  return align([
    ["workload", "measure", "edgekeeper", "zookeeper", "ratio", "target", "met"],
    ...rows.map((r) => [
      r.workload,
      r.measure,
      String(r.edgekeeper),
      String(r.zookeeper),
      r.ratio.toFixed(2),
      r.target,
      r.met ? "yes" : "no",
    ]),
  ]);
}

function align(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join("  "),
    )
    .join("\n");
}
