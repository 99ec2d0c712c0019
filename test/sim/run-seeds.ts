// Runs many seeds and summarizes them; shared by the CLI and the tests.

import type { Mutant } from "../../src/core/consensus/config.ts";
import type { MembershipScenario } from "./membership-plan.ts";
import { runSimulation, type SimResult } from "./simulation.ts";

export interface SeedRunSummary {
  runs: number;
  failures: SimResult[];
  results: SimResult[];
}

export function runSeeds(options: {
  firstSeed: number;
  count: number;
  members: number;
  mutants?: readonly Mutant[];
  membership?: MembershipScenario;
  measure?: boolean;
  stopOnFailure?: boolean;
}): SeedRunSummary {
  const results: SimResult[] = [];
  const failures: SimResult[] = [];
  for (let i = 0; i < options.count; i++) {
    const result = runSimulation({
      seed: options.firstSeed + i,
      members: options.members,
      mutants: options.mutants ?? [],
      membership: options.membership ?? null,
      measure: options.measure ?? false,
    });
    results.push(result);
    if (result.violations.length > 0) {
      failures.push(result);
      if (options.stopOnFailure) break;
    }
  }
  return { runs: results.length, failures, results };
}

export function describeFailure(r: SimResult): string {
  const how = r.membership ? `--membership ${r.membership}` : `--members ${r.members}`;
  return `seed=${r.seed} members=${r.members}${r.membership ? ` membership=${r.membership}` : ""}: ${r.violations[0]} (replay: npm run sim -- --seed ${r.seed} ${how})`;
}
