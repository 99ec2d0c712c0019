// Who takes part in consensus: voters (elect and commit) and learners (receive the log, never
// counted), the single-member changes between configurations, and their bytes in a log entry.

import type { NodeId } from "./entry.ts";

export interface Membership {
  readonly voters: readonly NodeId[];
  /** Non-voting members (ZooKeeper's observers): replicated to, never part of a quorum. */
  readonly learners: readonly NodeId[];
}

/**
 * One change at a time (Raft's single-server changes): any two configurations one change apart
 * share a member in every pair of their majorities, so no election or commit can happen in both.
 */
export type MembershipChange =
  | { readonly type: "addVoter"; readonly node: NodeId }
  | { readonly type: "addLearner"; readonly node: NodeId }
  | { readonly type: "promote"; readonly node: NodeId }
  | { readonly type: "remove"; readonly node: NodeId };

export const noMembers: Membership = { voters: [], learners: [] };

/** How many of `voters` make a majority. */
export function majorityOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

export function isVoter(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id);
}

export function isMember(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id) || m.learners.includes(id);
}

export function sameMembership(a: Membership, b: Membership): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.voters, b.voters) && same(a.learners, b.learners);
}

const sorted = (ids: readonly NodeId[]) => [...ids].sort((a, b) => a - b);

/** The configuration after `change`, or why it cannot be made. */
export function changeMembership(m: Membership, change: MembershipChange): Membership | string {
  const { node } = change;
  if (!Number.isInteger(node) || node < 0 || node > 0xffff)
    return `member ${node} is not a member number`;
  const without = (ids: readonly NodeId[]) => ids.filter((v) => v !== node);
  switch (change.type) {
    case "addVoter":
      if (isVoter(m, node)) return `member ${node} is already a voter`;
      return { voters: sorted([...m.voters, node]), learners: without(m.learners) };
    case "promote":
      if (!m.learners.includes(node)) return `member ${node} is not a learner`;
      return { voters: sorted([...m.voters, node]), learners: without(m.learners) };
    case "addLearner":
      if (isMember(m, node)) return `member ${node} is already a member`;
      return { voters: m.voters, learners: sorted([...m.learners, node]) };
    case "remove":
      if (!isMember(m, node)) return `member ${node} is not a member`;
      if (m.voters.length === 1 && m.voters[0] === node) return "the last voter cannot be removed";
      return { voters: without(m.voters), learners: without(m.learners) };
  }
}

/** Two 16-bit counts, then the voters and the learners, each a 16-bit number (big-endian). */
export function encodeMembership(m: Membership): Uint8Array {
  const ids = [m.voters.length, ...m.voters, m.learners.length, ...m.learners];
  const bytes = new Uint8Array(ids.length * 2);
  ids.forEach((id, i) => {
    bytes[2 * i] = id >> 8;
    bytes[2 * i + 1] = id & 0xff;
  });
  return bytes;
}

export function decodeMembership(bytes: Uint8Array): Membership {
  const at = (i: number) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0);
  const voterCount = at(0);
  const voters = Array.from({ length: voterCount }, (_, i) => at(1 + i));
  const learnerCount = at(1 + voterCount);
  const learners = Array.from({ length: learnerCount }, (_, i) => at(2 + voterCount + i));
  if (bytes.length !== 2 * (2 + voterCount + learnerCount))
    throw new Error(`a membership entry of ${bytes.length} bytes is malformed`);
  return { voters, learners };
}
