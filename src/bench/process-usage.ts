// CPU time of processes, from Linux's /proc: the benchmark reports per workload how many cores
// the server processes kept busy, the busiest process alone, and the CPU each operation cost
// them — so a ratio can be read as "less work per operation" or "more cores for the same work".

import { readFileSync } from "node:fs";

/** Linux reports a process's CPU in USER_HZ ticks, 100 per second on every architecture. */
const ticksPerSecond = 100;

/** Each process's user + system CPU so far, in ticks; a process that is gone is left out. */
export function cpuTicks(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state …": utime and stime are fields 14 and 15, counted after the ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

export interface CpuUse {
  /** Cores the processes kept busy together over the window. */
  readonly serverCores: number;
  /** Cores the busiest process alone kept busy: 1.0 is a saturated single-threaded process. */
  readonly serverBusiestCores: number;
  /** The processes' CPU per operation, in microseconds. */
  readonly serverCpuUsPerOp: number;
}

/** What the processes used between two readings `seconds` apart, over `ops` operations. */
export function cpuUse(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  seconds: number,
  ops: number,
): CpuUse {
  let total = 0;
  let busiest = 0;
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (start === undefined) continue;
    total += end - start;
    busiest = Math.max(busiest, end - start);
  }
  const cores = (ticks: number) => (seconds > 0 ? ticks / ticksPerSecond / seconds : 0);
  return {
    serverCores: round2(cores(total)),
    serverBusiestCores: round2(cores(busiest)),
    serverCpuUsPerOp: ops > 0 ? Math.round((total / ticksPerSecond / ops) * 1e6) : 0,
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
