// `npm run sim`: runs the deterministic consensus simulator over many seeds, or replays one.
//   npm run sim -- --seeds 2000 --members 5      seeds 1..2000
//   npm run sim -- --seed 1234 [--trace]         replay one seed exactly
//   npm run sim -- --seeds 500 --mutant staleSnapshot   show the checkers catching a planted bug
//   npm run sim -- --seeds 500 --default-tuning   production batch sizes (for the load figures)
//   npm run sim -- --seeds 2000 --membership grow    change the membership under faults
//                                                     (grow, shrink, replace, learners)

import { parseArgs } from "node:util";
import type { Mutant } from "../../src/core/consensus/config.ts";
import { type MembershipScenario, membershipScenarios } from "./membership-plan.ts";
import { describeFailure } from "./run-seeds.ts";
import { runSimulation, type SimResult } from "./simulation.ts";
import { summary } from "./stats.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "100" },
    seed: { type: "string" },
    first: { type: "string", default: "1" },
    members: { type: "string", default: "3" },
    mutant: { type: "string", multiple: true, default: [] },
    trace: { type: "boolean", default: false },
    "default-tuning": { type: "boolean", default: false },
    membership: { type: "string" },
  },
});

const members = Number(values.members);
if (members !== 3 && members !== 5) throw new Error("--members must be 3 or 5");
const membership = (values.membership ?? null) as MembershipScenario | null;
if (membership !== null && !membershipScenarios.includes(membership))
  throw new Error(`--membership must be one of ${membershipScenarios.join(", ")}`);
const mutants = values.mutant as Mutant[];
const seeds =
  values.seed !== undefined
    ? [Number(values.seed)]
    : Array.from({ length: Number(values.seeds) }, (_, i) => Number(values.first) + i);

const started = performance.now();
const results: SimResult[] = [];
for (const seed of seeds) {
  const trace = values.trace ? (line: string) => console.log(line) : null;
  const defaultTuning = values["default-tuning"];
  const result = runSimulation({
    seed,
    members,
    membership,
    mutants,
    measure: true,
    trace,
    defaultTuning,
  });
  results.push(result);
  if (result.violations.length > 0) {
    console.log(`FAIL ${describeFailure(result)}`);
    for (const v of result.violations.slice(1, 5)) console.log(`  also: ${v}`);
  }
}
const wallMs = performance.now() - started;
const failures = results.filter((r) => r.violations.length > 0);
const collect = (pick: (r: SimResult) => number | null) =>
  results.map(pick).filter((v): v is number => v !== null);

console.log(
  `${membership ? `membership ${membership}` : `members ${members}`}${mutants.length ? `, mutants ${mutants.join(",")}` : ""}`,
);
if (membership)
  console.log(
    `ticks from a membership change's proposal to its commit: ${summary(results.flatMap((r) => r.stats.ticksPerMembershipStep))}`,
  );
console.log(
  `seeds ${results.length} (${seeds[0]}..${seeds.at(-1)}), wall time ${(wallMs / 1000).toFixed(1)} s`,
);
console.log(
  `ticks to elect the first leader: ${summary(collect((r) => r.stats.ticksToFirstLeader))}`,
);
console.log(
  `ticks from leader crash to a new leader committing: ${summary(collect((r) => r.stats.failoverTicks))}`,
);
console.log(
  `messages per committed entry under load: ${summary(collect((r) => r.stats.messagesPerEntry))}`,
);
console.log(
  `ticks to commit after healing: ${summary(collect((r) => r.stats.ticksToProgressAfterHeal))}`,
);
const all = (pick: (r: SimResult) => number[]) => results.flatMap(pick);
console.log(
  `ticks from the last write until every member slept: ${summary(all((r) => r.stats.ticksToQuiesce))}`,
);
console.log(
  `ticks to acknowledge a write after sleep, evictions and leader crashes: ${summary(all((r) => r.stats.ticksToWakeWrite))}`,
);
const total = (pick: (r: SimResult) => number) => results.reduce((sum, r) => sum + pick(r), 0);
console.log(
  `acknowledged writes ${total((r) => r.stats.proposalsAcked)}, linearizable reads ${total((r) => r.stats.readsServed)}, ` +
    `crashes ${total((r) => r.stats.crashes)}, evictions ${total((r) => r.stats.evictions)}, wipes ${total((r) => r.stats.wipes)}, snapshots sent ${total((r) => r.stats.snapshotsSent)}`,
);
console.log(`${results.length - failures.length} passed, ${failures.length} failed`);
process.exitCode = failures.length > 0 ? 1 : 0;
