// CPU time and disk writes of processes, from Linux's /proc: the benchmark reports per workload
// how many cores the server processes kept busy, the busiest process alone, and the CPU and the
// bytes bound for disk each operation cost them — so a ratio can be read as "less work per
// operation" or "more cores for the same work".

import { readFileSync } from "node:fs";

/** Linux reports a process's CPU in USER_HZ ticks, 100 per second on every architecture. */
const ticksPerSecond = 100;

export interface ProcessReading {
  /** User + system CPU so far, in ticks. */
  readonly ticks: number;
  /** Bytes it has caused to be written to storage (page-cache pages it dirtied), or null. */
  readonly diskBytes: number | null;
}

/** Each process's CPU and disk writes so far; a process that is gone is left out. */
export function readProcesses(pids: readonly number[]): Map<number, ProcessReading> {
  const readings = new Map<number, ProcessReading>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state …": utime and stime are fields 14 and 15, counted after the ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    readings.set(pid, {
      ticks: Number(fields[11]) + Number(fields[12]),
      diskBytes: diskWriteBytes(pid),
    });
  }
  return readings;
}

/** `write_bytes` of /proc/<pid>/io: readable for one's own processes only. */
function diskWriteBytes(pid: number): number | null {
  try {
    const match = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export interface ServerUse {
  /** Cores the processes kept busy together over the window. */
  readonly serverCores: number;
  /** Cores the busiest process alone kept busy: 1.0 is a saturated single-threaded process. */
  readonly serverBusiestCores: number;
  /** The processes' CPU per operation, in microseconds. */
  readonly serverCpuUsPerOp: number;
  /** Bytes the processes dirtied for disk per operation (WAL, logs, snapshots); absent unknown. */
  readonly serverDiskBytesPerOp?: number;
}

/** What the processes used between two readings `seconds` apart, over `ops` operations. */
export function serverUse(
  before: ReadonlyMap<number, ProcessReading>,
  after: ReadonlyMap<number, ProcessReading>,
  seconds: number,
  ops: number,
): ServerUse {
  let total = 0;
  let busiest = 0;
  let disk: number | null = 0;
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (start === undefined) continue;
    total += end.ticks - start.ticks;
    busiest = Math.max(busiest, end.ticks - start.ticks);
    disk =
      disk === null || end.diskBytes === null || start.diskBytes === null
        ? null
        : disk + end.diskBytes - start.diskBytes;
  }
  const cores = (ticks: number) => (seconds > 0 ? ticks / ticksPerSecond / seconds : 0);
  return {
    serverCores: round2(cores(total)),
    serverBusiestCores: round2(cores(busiest)),
    serverCpuUsPerOp: ops > 0 ? Math.round((total / ticksPerSecond / ops) * 1e6) : 0,
    ...(disk === null || ops === 0 ? {} : { serverDiskBytesPerOp: Math.round(disk / ops) }),
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
