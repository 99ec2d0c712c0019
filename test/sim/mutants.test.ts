// Proof that the checkers can fail: each planted bug must be caught within 500 seeds.

import { describe, expect, it } from "vitest";
import type { Mutant } from "../../src/core/consensus/config.ts";
import { runSeeds } from "./run-seeds.ts";

const mutants: Mutant[] = [
  "voteWithoutLogCheck",
  "commitPreviousTerm",
  "unpersistedVote",
  "staleSnapshot",
  "proposalKeepsQuiescent",
  "quiescentVoteWithoutLogCheck",
];

describe.each([3, 5])("with %i members", (members) => {
  it.each(mutants)("catches the %s mutant within 500 seeds", { timeout: 120_000 }, (mutant) => {
    const summary = runSeeds({
      firstSeed: 1,
      count: 500,
      members,
      mutants: [mutant],
      stopOnFailure: true,
    });
    const caught = summary.failures[0];
    expect(caught, `${mutant} survived 500 seeds`).toBeDefined();
    console.log(
      `${mutant} (${members} members) caught at seed ${caught?.seed}: ${caught?.violations[0]?.split("\n")[0]}`,
    );
  });
});

// Rarer: a leader woken with a stale commit index must first lose an acknowledged entry's other
// copy to a wipe (consensus.md, "The commit index is written lazily").
describe("with 3 members", () => {
  it("catches the unsettledRecovery mutant within 2,000 seeds", { timeout: 240_000 }, () => {
    const summary = runSeeds({
      firstSeed: 1,
      count: 2000,
      members: 3,
      mutants: ["unsettledRecovery"],
      stopOnFailure: true,
    });
    const caught = summary.failures[0];
    expect(caught, "unsettledRecovery survived 2,000 seeds").toBeDefined();
    console.log(
      `unsettledRecovery (3 members) caught at seed ${caught?.seed}: ${caught?.violations[0]?.split("\n")[0]}`,
    );
  });
});
