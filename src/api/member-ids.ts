// The members a request may go to: the live membership the router attached to the env
// (ensemble-dispatch.ts), or the members the ensemble was created with.

import type { Region } from "../core/ensemble-record.ts";
import {
  initialMembers,
  type LiveMembers,
  memberRegion,
  servingIds,
} from "../core/live-members.ts";
import type { Env } from "../env.ts";

const parsed = new WeakMap<Env, LiveMembers>();

export function liveMembersOf(env: Env): LiveMembers {
  let live = parsed.get(env);
  if (!live) {
    live =
      env.ENSEMBLE_MEMBERS === undefined
        ? initialMembers(Number(env.ENSEMBLE_SIZE))
        : (JSON.parse(env.ENSEMBLE_MEMBERS) as LiveMembers);
    parsed.set(env, live);
  }
  return live;
}

/** Voters then observers, each a member a client may be sent to. */
export function memberIds(env: Env): number[] {
  return servingIds(liveMembersOf(env));
}

/** Whether `n` names a live member (for ?member= and the like). */
export function isMemberId(env: Env, n: number): boolean {
  return Number.isInteger(n) && memberIds(env).includes(n);
}

/** The member that keeps ensemble-wide gates (the snapshot rate limit): the lowest voter. */
export function gateMember(env: Env): number {
  return Math.min(...liveMembersOf(env).voters);
}

/** Where member `n` of the ensemble this request is for was placed, if anywhere. */
export function regionOfMember(env: Env, n: number): Region | undefined {
  const regions = JSON.parse(env.ENSEMBLE_REGIONS ?? "[]") as Region[];
  return memberRegion({ size: Number(env.ENSEMBLE_SIZE), regions }, liveMembersOf(env), n);
}

/** "0, 1, 2 or 4": the members a bad ?member= could have named. */
export function memberIdsText(env: Env): string {
  const ids = memberIds(env);
  return ids.length < 2 ? ids.join("") : `${ids.slice(0, -1).join(", ")} or ${ids.at(-1)}`;
}
