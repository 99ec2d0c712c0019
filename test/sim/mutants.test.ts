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
