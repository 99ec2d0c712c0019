// An ensemble's membership as the router knows it: voters, observers and the numbers of members
// removed for good (never used again), kept in the registry after every change so that each
// Worker routes to the members that exist; the ensemble's log is the truth it follows.

import { type Region, regionOf } from "./ensemble-record.ts";

export interface LiveMembers {
  readonly voters: readonly number[];
  readonly observers: readonly number[];
  /** Removed members: their numbers are never given to a new member (its log would be theirs). */
  readonly retired: readonly number[];
  /** The location hint a member added later was created with. */
  readonly placed: Readonly<Record<string, Region>>;
}

/** The highest member number (Durable Object names `<ensemble>/<n>`; the log holds 16 bits). */
export const maxMemberId = 999;

/** An ensemble as created: members 0..size-1, all voters. */
export function initialMembers(size: number): LiveMembers {
  return {
    voters: Array.from({ length: size }, (_, i) => i),
    observers: [],
    retired: [],
    placed: {},
  };
}

/** Voters, then observers: the members a client may be sent to. */
export function servingIds(m: LiveMembers): number[] {
  return [...m.voters, ...m.observers];
}

/** Where member `id` was placed: its own hint if added later, else the ensemble's for it. */
export function memberRegion(
  record: { readonly size: number; readonly regions: readonly Region[] },
  live: LiveMembers | null,
  id: number,
): Region | undefined {
  return live?.placed[String(id)] ?? regionOf(record, id);
}

/** The number a new member gets: one above every number ever used. */
export function nextMemberId(m: LiveMembers): number {
  return Math.max(-1, ...m.voters, ...m.observers, ...m.retired) + 1;
}

/** What a removed member answers every call with (the router then re-reads the membership). */
export const removedMemberMessage = "member removed from its ensemble";
