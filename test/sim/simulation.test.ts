// The simulator in CI: many seeds per ensemble size, and exact replay of a seed.

import { describe, expect, it } from "vitest";
import { membershipScenarios } from "./membership-plan.ts";
import { describeFailure, runSeeds } from "./run-seeds.ts";
import { runSimulation } from "./simulation.ts";

const seedsPerSize = Number(process.env.SIM_SEEDS ?? 2000);

describe.each([3, 5])("simulation with %i members", (members) => {
  it(`keeps every safety property and makes progress over ${seedsPerSize} seeds`, {
    timeout: 120_000,
  }, () => {
    const summary = runSeeds({ firstSeed: 1, count: seedsPerSize, members });
    expect(summary.failures.map(describeFailure)).toEqual([]);
    expect(summary.runs).toBe(seedsPerSize);
    // The runs did real work: writes were acknowledged and faults were injected.
    const acked = summary.results.reduce((n, r) => n + r.stats.proposalsAcked, 0);
    const crashes = summary.results.reduce((n, r) => n + r.stats.crashes + r.stats.wipes, 0);
    const snapshots = summary.results.reduce((n, r) => n + r.stats.snapshotsSent, 0);
    expect(acked).toBeGreaterThan(seedsPerSize * 50);
    expect(crashes).toBeGreaterThan(seedsPerSize);
    expect(snapshots).toBeGreaterThan(0);
    // Every run fell asleep four times, lost volatile state, and served a write on demand after.
    const evictions = summary.results.reduce((n, r) => n + r.stats.evictions, 0);
    const wakeWrites = summary.results.flatMap((r) => r.stats.ticksToWakeWrite);
    expect(evictions).toBeGreaterThan(seedsPerSize);
    expect(wakeWrites.length).toBe(seedsPerSize * 4);
    console.log(
      `${members} members: a write after sleep took at most ${Math.max(...wakeWrites)} ticks (bound ${20 * 10})`,
    );
  });
});

// Membership changes while faults go on (membership-plan.ts): every step must commit once the
// network heals, and every safety and liveness check above holds throughout.
describe.each(membershipScenarios)("simulation changing the membership: %s", (scenario) => {
  it(`keeps every safety property and completes the changes over ${seedsPerSize} seeds`, {
    timeout: 180_000,
  }, () => {
    const summary = runSeeds({
      firstSeed: 1,
      count: seedsPerSize,
      members: 3,
      membership: scenario,
    });
    expect(summary.failures.map(describeFailure)).toEqual([]);
    expect(summary.runs).toBe(seedsPerSize);
    const done = summary.results.filter((r) => r.stats.membershipDoneAt !== null);
    expect(done.length).toBe(seedsPerSize);
    const steps = summary.results.flatMap((r) => r.stats.ticksPerMembershipStep);
    const acked = summary.results.reduce((n, r) => n + r.stats.proposalsAcked, 0);
    const crashes = summary.results.reduce((n, r) => n + r.stats.crashes, 0);
    expect(steps.length).toBeGreaterThanOrEqual(seedsPerSize * 2);
    expect(acked).toBeGreaterThan(seedsPerSize * 50);
    expect(crashes).toBeGreaterThan(seedsPerSize);
    const sorted = [...steps].sort((a, b) => a - b);
    console.log(
      `${scenario}: ${steps.length} changes, ticks from proposal to commit p50 ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}`,
    );
  });
});

describe("replay", () => {
  it("reproduces a run exactly from its seed", () => {
    const lines: string[][] = [[], []];
    const runs = [0, 1].map((i) =>
      runSimulation({ seed: 4242, members: 5, measure: true, trace: (l) => lines[i]?.push(l) }),
    );
    expect(runs[1]).toEqual(runs[0]);
    expect(lines[1]).toEqual(lines[0]);
    expect(lines[0]?.length).toBeGreaterThan(1000);
  });

  it("differs between seeds", () => {
    const a = runSimulation({ seed: 1, members: 3 });
    const b = runSimulation({ seed: 2, members: 3 });
    expect(a.stats).not.toEqual(b.stats);
  });
});
