// The benchmark runs from a clone as documented: a short run of `npm run bench` against its
// own local ensemble, plus the percentile and ratio arithmetic its report rests on.

import { execFile, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LatencySamples } from "../../src/bench/latency.ts";
import { minimalShapes, type ShapeResult } from "../../src/bench/minimal.ts";
import { readProcesses, serverUse } from "../../src/bench/process-usage.ts";
import { ratios } from "../../src/bench/report.ts";
import type { WorkloadResult } from "../../src/bench/workloads.ts";

const root = join(import.meta.dirname, "../..");

describe("npm run bench", () => {
  it("computes exact nearest-rank percentiles", () => {
    const samples = new LatencySamples();
    for (let ms = 1000; ms >= 1; ms--) samples.add(ms);
    expect(samples.summary()).toEqual({
      count: 1000,
      p50Ms: 500,
      p99Ms: 990,
      p999Ms: 999,
      maxMs: 1000,
    });
  });

  it("turns process readings into cores, the busiest process's cores, CPU and disk bytes per op", () => {
    const at = (ticks: number, diskBytes: number | null) => ({ ticks, diskBytes });
    const before = new Map([
      [10, at(1_000, 4_096)],
      [11, at(500, 0)],
      [12, at(7, 0)],
    ]);
    // Over 2 s: pid 10 used 1.5 s, pid 11 0.5 s; pid 12 is gone, pid 13 started in between.
    const after = new Map([
      [10, at(1_150, 4_096 + 8_192_000)],
      [11, at(550, 4_000_000)],
      [13, at(40, 1)],
    ]);
    expect(serverUse(before, after, 2, 4_000)).toEqual({
      serverCores: 1,
      serverBusiestCores: 0.75,
      serverCpuUsPerOp: 500,
      serverDiskBytesPerOp: 3_048,
    });
    expect(serverUse(before, after, 2, 0).serverCpuUsPerOp).toBe(0);
    // A process whose writes cannot be read leaves the disk figure out rather than short.
    const unreadable = new Map([...after, [11, at(550, null)]]);
    expect(serverUse(before, unreadable, 2, 4_000)).not.toHaveProperty("serverDiskBytesPerOp");
    // This process's own reading is there; a pid that does not exist is left out.
    const mine = readProcesses([process.pid, 0x7fffffff]);
    expect([...mine.keys()]).toEqual([process.pid]);
    expect(mine.get(process.pid)?.ticks).toBeGreaterThanOrEqual(0);
    expect(mine.get(process.pid)?.diskBytes).toBeGreaterThanOrEqual(0);
  });

  it("judges each workload on its own measure and direction", () => {
    const result = (
      target: string,
      workload: "create" | "seqlat",
      opsPerSec: number,
      p50Ms: number,
    ) => ({ target, workload, opsPerSec, p50Ms }) as unknown as WorkloadResult;
    const rows = ratios([
      result("edgekeeper", "create", 300, 0),
      result("edgekeeper", "seqlat", 0, 4),
      result("zookeeper", "create", 200, 0),
      result("zookeeper", "seqlat", 0, 2),
    ]);
    // seqlat's goal is absolute (≤ 3 ms), whatever ZooKeeper measured in the run.
    expect(rows).toMatchObject([
      { workload: "create", ratio: 1.5, target: "≥ 1×", met: true },
      { workload: "seqlat", ratio: 2, target: "≤ 3 ms", met: false },
    ]);
    const fast = ratios([
      result("edgekeeper", "seqlat", 0, 2.5),
      result("zookeeper", "seqlat", 0, 1),
    ]);
    expect(fast).toMatchObject([{ ratio: 2.5, met: true }]);
    // Judged on the exact ratio, not the rounded one it shows: 4,429 of 7,419 is 0.597.
    const mixed = (target: string, opsPerSec: number) =>
      ({ target, workload: "mixed", opsPerSec, p50Ms: 0 }) as unknown as WorkloadResult;
    expect(ratios([mixed("edgekeeper", 4429), mixed("zookeeper", 7419)])).toMatchObject([
      { ratio: 0.6, target: "≥ 0.6×", met: false },
    ]);
  });

  it("runs workloads against a local ensemble it starts and reports each as a JSON line", async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        join(root, "node_modules/.bin/node"),
        [
          join(root, "src/bench/cli.ts"),
          "--quick",
          "--duration",
          "1",
          "--warmup",
          "0",
          "--sessions",
          "4",
          "--watchers",
          "4",
          "--rounds",
          "3",
          "--workloads",
          "create,get,watch,multi",
        ],
        { cwd: root, timeout: 180_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    const lines = stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as WorkloadResult);
    expect(lines.map((l) => l.workload)).toEqual(["create", "get", "watch", "multi"]);
    for (const line of lines) {
      expect(line.errors).toBe(0);
      expect(line.ops).toBeGreaterThan(0);
      expect(line.p99Ms).toBeGreaterThanOrEqual(line.p50Ms);
      expect(line.serverPeakRssMiB).toBeGreaterThan(0);
      const use = line.serverUse;
      expect(use?.serverBusiestCores).toBeLessThanOrEqual(use?.serverCores ?? -1);
      // A closed loop keeps the servers busy for its whole second; three watch rounds may not
      // last one 10 ms tick.
      if (line.workload !== "watch") expect(use?.serverCpuUsPerOp).toBeGreaterThan(0);
      // Creates are logged on three members.
      if (line.workload === "create") expect(use?.serverDiskBytesPerOp).toBeGreaterThan(3 * 1024);
    }
    // 4 watchers × 3 rounds, every event heard.
    expect(lines[2]?.ops).toBe(12);
    expect(stdout).toContain("ops/s");
  }, 240_000);

  it("measures the runtime's minimal shapes on a Worker of their own, checking every reply and row", async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        join(root, "node_modules/.bin/node"),
        [
          join(root, "src/bench/cli.ts"),
          "--minimal",
          "--sessions",
          "3",
          "--duration",
          "0.5",
          "--warmup",
          "0.1",
        ],
        { cwd: root, timeout: 180_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    const lines = stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as ShapeResult);
    expect(lines.map((l) => l.shape)).toEqual([...minimalShapes]);
    // The floor under one client's write: the replicated shape, from one client only.
    expect(lines.find((l) => l.shape === "sequential")?.clients).toBe(1);
    expect(lines.find((l) => l.shape === "replicated")?.clients).toBe(3);
    // ZooKeeper's pattern: one client on each of the three members, two of them forwarding.
    expect(lines.find((l) => l.shape === "spread")?.clients).toBe(3);
    for (const line of lines) {
      expect(line.errors).toBe(0);
      expect(line.ops).toBeGreaterThan(0);
    }
    expect(stdout).toContain("runtime limit");
  }, 240_000);

  it("stops the service it started when interrupted: nothing of it is left running", async () => {
    const bench = spawn(
      join(root, "node_modules/.bin/node"),
      [
        join(root, "src/bench/cli.ts"),
        "--workloads",
        "create",
        "--duration",
        "60",
        "--sessions",
        "2",
      ],
      { cwd: root, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the service never came up:\n${stderr}`)),
        120_000,
      );
      bench.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("is up; opening")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // The service runs in its own process group, a child of the bench.
    const processes = () =>
      execFileSync("ps", ["-eo", "pid=,ppid=,pgid="], { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((line) => line.trim().split(/\s+/).map(Number) as [number, number, number]);
    const serviceGroup = processes().find(([, ppid]) => ppid === bench.pid)?.[2];
    expect(serviceGroup).toBeGreaterThan(0);
    expect(processes().filter(([, , pgid]) => pgid === serviceGroup).length).toBeGreaterThan(1);
    const exited = new Promise<number | null>((resolve) => bench.once("exit", resolve));
    bench.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(processes().filter(([, , pgid]) => pgid === serviceGroup)).toEqual([]);
  }, 180_000);
});
