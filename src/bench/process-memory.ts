// Peak resident memory of processes, from Linux's /proc: the benchmark reports it per workload
// for the server processes (reset before each workload) and for itself.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";

/** The pids in a process group whose command name starts with `command`. */
export function groupPids(groupId: number, command: string): number[] {
  const pids: number[] = [];
  for (const entry of safeList("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = safeRead(`/proc/${entry}/stat`);
    if (stat === null) continue;
    // "pid (comm) state ppid pgrp …": comm may hold spaces, so split after the last ')'.
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === groupId && comm.startsWith(command)) pids.push(Number(entry));
  }
  return pids;
}

/** Restarts the peak-RSS counter (VmHWM) of each process; ignored where Linux refuses. */
export function resetPeaks(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      // Not ours or gone: its peak then counts from its start.
    }
  }
}

/** The sum of the processes' peak resident memory since their last reset, in MiB. */
export function peakRssMiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const match = /VmHWM:\s+(\d+) kB/.exec(safeRead(`/proc/${pid}/status`) ?? "");
    kib += Number(match?.[1] ?? 0);
  }
  return Math.round(kib / 102.4) / 10;
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** The sum of the processes' resident memory now, in MiB. */
export function rssMiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const match = /VmRSS:\s+(\d+) kB/.exec(safeRead(`/proc/${pid}/status`) ?? "");
    kib += Number(match?.[1] ?? 0);
  }
  return Math.round(kib / 102.4) / 10;
}
