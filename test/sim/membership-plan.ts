// The membership changes a simulation makes while faults go on: grow 3 → 5, shrink 5 → 3,
// replace a member (wiped or not), add and remove learners. Each step is proposed at the leader
// until the leader has committed the configuration it leads to.

import type { NodeId } from "../../src/core/consensus/entry.ts";
import {
  changeMembership,
  isMember,
  type Membership,
  type MembershipChange,
} from "../../src/core/consensus/membership.ts";
import type { Rng } from "../../src/core/random.ts";

export type MembershipScenario = "grow" | "shrink" | "replace" | "learners";

export const membershipScenarios: readonly MembershipScenario[] = [
  "grow",
  "shrink",
  "replace",
  "learners",
];

/** In a remove step: the voter that failed (down, cut off or wiped), chosen when proposed. */
export const failedVoter = -1;

export interface MembershipPlan {
  readonly scenario: MembershipScenario;
  /** Voters the ensemble starts with. */
  readonly bootstrap: readonly NodeId[];
  /** Every member that takes part at some point (joiners start empty, outside the ensemble). */
  readonly pool: readonly NodeId[];
  /**
   * The changes to make, in any order the configuration allows (a learner is promoted only once
   * added): a leader that takes over may pick another one than its predecessor had appended.
   */
  readonly steps: readonly MembershipChange[];
  /** A member to wipe before the steps begin (replace: the one replaced), or null. */
  readonly wipe: NodeId | null;
}

export function planMembership(scenario: MembershipScenario, rng: Rng): MembershipPlan {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  // Adding a voter straight away, or as a learner first and promoted once caught up.
  const add = (node: NodeId): MembershipChange[] =>
    rng.chance(0.5)
      ? [{ type: "addVoter", node }]
      : [
          { type: "addLearner", node },
          { type: "promote", node },
        ];
  switch (scenario) {
    case "grow":
      return {
        scenario,
        bootstrap: range(3),
        pool: range(5),
        steps: [...add(3), ...add(4)],
        wipe: null,
      };
    case "shrink": {
      const order = range(5).sort(() => rng.next() - 0.5);
      const steps = order.slice(0, 2).map((node) => ({ type: "remove", node }) as const);
      return { scenario, bootstrap: range(5), pool: range(5), steps, wipe: null };
    }
    case "replace": {
      // A member of three, or of four (an ensemble midway through growing to five): an even
      // number of voters is where a change made by a leader that has not committed an entry of
      // its term can lose committed entries (Ongaro, raft-dev 2015), so the checkers see it.
      // The member replaced is the one that failed: chosen when the removal is proposed (see
      // failedVoter), so a leader that takes over may pick another than its predecessor did.
      const size = rng.chance(0.5) ? 3 : 4;
      const steps = [...add(size), { type: "remove", node: failedVoter } as const];
      const wipe = rng.chance(0.5) ? rng.int(0, size - 1) : null;
      return { scenario, bootstrap: range(size), pool: range(size + 1), steps, wipe };
    }
    case "learners":
      return {
        scenario,
        bootstrap: range(3),
        pool: range(5),
        steps: [
          { type: "addLearner", node: 3 },
          { type: "addLearner", node: 4 },
          { type: "remove", node: rng.chance(0.5) ? 3 : 4 },
        ],
        wipe: null,
      };
  }
}

/** Whether `m` already reflects `step` (`bootstrap`: the voters the ensemble started with). */
export function stepDone(
  m: Membership,
  step: MembershipChange,
  bootstrap: readonly NodeId[],
): boolean {
  if (step.node === failedVoter) return bootstrap.some((b) => !isMember(m, b));
  switch (step.type) {
    case "addVoter":
    case "promote":
      return m.voters.includes(step.node);
    case "addLearner":
      return m.learners.includes(step.node) || m.voters.includes(step.node);
    case "remove":
      return !m.voters.includes(step.node) && !m.learners.includes(step.node);
  }
}

/** Whether `step` can be made from `m` now (a learner's removal waits until it was added). */
export function stepPossible(m: Membership, step: MembershipChange): boolean {
  if (step.type === "remove" && !m.voters.includes(step.node) && !m.learners.includes(step.node))
    return false;
  return typeof changeMembership(m, step) !== "string";
}
