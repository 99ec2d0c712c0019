// Which member a new session's socket goes to: the one the client asks for; else the nearest
// when the edge says where the client is and the ensemble was placed in regions; else the
// least-loaded member that answers (client sockets held, asked at most once a second per Worker
// isolate). Placing a session is also when the balance is checked, at most every 5 s: members
// above the average are asked to move half their excess clients (Member.shed), which resume
// their sessions through this placement — as ZooKeeper's updateServerList moves clients when
// servers join, a share at a time and never all at once.

import { gateMember, memberIds } from "./member-ids.ts";
import { nearestMemberOf } from "./nearest-member.ts";
import { type Ctx, stub } from "./respond.ts";

const loadTtlMs = 1_000;
const rebalanceEveryMs = 5_000;
/** Clients are moved when the most-loaded member holds more than this times the least, plus one. */
const spreadLimit = 1.5;
/** A member moves at most this share of its excess per check (and at most maxMovesPerCheck). */
const moveShare = 0.5;
const maxMovesPerCheck = 100;

interface LoadView {
  atMs: number;
  /** The members asked, and the sockets of each (null: did not answer), counting placements since. */
  members: number[];
  loads: Array<number | null>;
}

const views = new Map<string, LoadView>();
const rebalancedAtMs = new Map<string, number>();

async function loadsOf(c: Ctx, now: number): Promise<LoadView> {
  const key = c.env.ENSEMBLE_NAME;
  const cached = views.get(key);
  if (cached && now - cached.atMs < loadTtlMs && sameIds(cached.members, memberIds(c.env)))
    return cached;
  const members = memberIds(c.env);
  const loads = await Promise.all(
    members.map(async (m): Promise<number | null> => {
      try {
        return await stub(c, m).load();
      } catch {
        return null;
      }
    }),
  );
  const view = { atMs: now, members, loads };
  views.set(key, view);
  return view;
}

/** The member for a new session (asked-for members are the caller's business). */
export async function placeSession(c: Ctx): Promise<number> {
  const near = nearestMemberOf(c);
  if (near !== undefined) return near;
  const now = Date.now();
  const view = await loadsOf(c, now);
  const live = view.members.flatMap((member, i) => {
    const load = view.loads[i];
    return load === null || load === undefined ? [] : [{ load, member }];
  });
  if (live.length === 0)
    return view.members[Math.floor(Math.random() * view.members.length)] ?? gateMember(c.env);
  const least = Math.min(...live.map((l) => l.load));
  const ties = live.filter((l) => l.load === least);
  const chosen = ties[Math.floor(Math.random() * ties.length)] ?? { load: least, member: 0 };
  chosen.load = least + 1; // this session counts, for the check and for placements until re-read
  view.loads[view.members.indexOf(chosen.member)] = chosen.load;
  rebalance(c, live, now);
  return chosen.member;
}

/**
 * When the most-loaded member holds more than `spreadLimit` times the least-loaded (plus one),
 * asks every member above the average to move half its excess (at most maxMovesPerCheck): the
 * balance is reached over a few checks, 5 s apart, never in one rush of reconnections.
 */
function rebalance(
  c: Ctx,
  live: ReadonlyArray<{ load: number; member: number }>,
  now: number,
): void {
  const key = c.env.ENSEMBLE_NAME;
  if (now - (rebalancedAtMs.get(key) ?? 0) < rebalanceEveryMs) return;
  if (live.length < 2) return;
  const loads = live.map((l) => l.load);
  if (Math.max(...loads) <= spreadLimit * Math.min(...loads) + 1) return;
  const average = loads.reduce((sum, n) => sum + n, 0) / live.length;
  const over = live.filter((l) => l.load - average >= 1);
  rebalancedAtMs.set(key, now);
  views.delete(key); // the moves change the loads: read them afresh
  const moves = Promise.allSettled(
    over.map((l) =>
      stub(c, l.member).shed(
        Math.min(maxMovesPerCheck, Math.ceil(moveShare * Math.floor(l.load - average))),
      ),
    ),
  );
  try {
    c.executionCtx.waitUntil(moves);
  } catch {
    // No execution context (a direct app.fetch in a test): the moves run on unawaited.
  }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
