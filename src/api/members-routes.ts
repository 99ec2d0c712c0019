// The ensemble's membership, changed while it serves (ZooKeeper's reconfig): list the members,
// add a voter or an observer, promote an observer, remove a member. Each change is one Raft
// configuration entry at the leader (docs/consensus.md "Membership changes"); this route finds
// the leader, retries while the leader says "not yet" (a learner still catching up, the last
// change not committed), and records the result in the registry so every Worker routes by it.

import { Hono } from "hono";
import { z } from "zod";
import type { MemberStatus } from "../../durable-objects/member-status.ts";
import type { ReconfigAnswer } from "../../durable-objects/replica.ts";
import { type MembershipChange, sameMembership } from "../core/consensus/membership.ts";
import { type Region, regions } from "../core/ensemble-record.ts";
import { failure, type ZkFailure } from "../core/error-code.ts";
import { type LiveMembers, maxMemberId, nextMemberId } from "../core/live-members.ts";
import { lookup, registry, rememberMembers } from "./ensemble-lookup.ts";
import { liveMembersOf, memberIds, regionOfMember } from "./member-ids.ts";
import { type AppEnv, type Ctx, fail, isFailure, jsonBody, stub } from "./respond.ts";

export const membersRoutes = new Hono<AppEnv>();

/** How long one change may take, catching a new member up included. */
export const reconfigWaitMs = 60_000;
/** Between asking the leader again while it says "not yet". */
const retryEveryMs = 100;

export const reconfigBodySchema = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("add"),
    role: z.enum(["voter", "observer"]),
    region: z.enum(regions).optional(),
  }),
  z.object({
    action: z.enum(["remove", "promote"]),
    member: z.number().int().min(0).max(maxMemberId),
  }),
]);

interface View {
  /** Every member asked, with its status or why it did not answer. */
  readonly statuses: ReadonlyArray<{ member: number; status: MemberStatus | null; error?: string }>;
  /** The member leading the newest term among those that answered, if any. */
  readonly leader: MemberStatus | null;
}

/** Asks the members the router knows, and any the leader names, for their status. */
async function viewOf(c: Ctx, extra: readonly number[] = []): Promise<View> {
  const ids = [...new Set([...memberIds(c.env), ...extra])].sort((a, b) => a - b);
  const statuses = await Promise.all(
    ids.map((member) =>
      stub(c, member)
        .status()
        .then((status) => ({ member, status }))
        .catch((e: unknown) => ({ member, status: null, error: String(e) })),
    ),
  );
  let leader: MemberStatus | null = null;
  for (const { status } of statuses)
    if (status?.role === "leader" && (leader === null || status.term > leader.term))
      leader = status;
  return { statuses, leader };
}

/**
 * Asks `attempt` every retryEveryMs until it answers (not undefined) or the deadline passes;
 * then the failure `timedOut` names.
 */
async function pollUntil<T>(
  deadlineMs: number,
  attempt: () => Promise<T | undefined>,
  timedOut: () => string,
): Promise<T | ZkFailure> {
  for (;;) {
    const answer = await attempt();
    if (answer !== undefined) return answer;
    if (Date.now() + retryEveryMs > deadlineMs) return failure("NEWCONFIGNOQUORUM", timedOut());
    await new Promise((resolve) => setTimeout(resolve, retryEveryMs));
  }
}

/**
 * The membership the leader holds, with what the router keeps besides: removed numbers (whoever
 * the log no longer lists; never given out again) and where added members were placed.
 */
function liveFrom(
  known: LiveMembers,
  leader: MemberStatus,
  place?: readonly [number, Region],
): LiveMembers {
  const retired = new Set(known.retired);
  for (const n of [...known.voters, ...known.observers])
    if (!leader.voters.includes(n) && !leader.learners.includes(n)) retired.add(n);
  const placed: Record<string, Region> = { ...known.placed };
  if (place) placed[String(place[0])] = place[1];
  return {
    voters: [...leader.voters],
    observers: [...leader.learners],
    retired: [...retired].sort((a, b) => a - b),
    placed,
  };
}

/** Tells the registry (and this Worker) the membership now in force. */
async function record(c: Ctx, live: LiveMembers): Promise<void> {
  await registry(c.env).setMembership(c.env.ENSEMBLE_NAME, live);
  rememberMembers(c.env.ENSEMBLE_NAME, live);
}

/** Whether `m` already shows the change (a retry after an unknown outcome must not repeat it). */
function done(
  m: { voters: readonly number[]; learners: readonly number[] },
  change: MembershipChange,
): boolean {
  const voter = m.voters.includes(change.node);
  const learner = m.learners.includes(change.node);
  switch (change.type) {
    case "addLearner":
      return learner || voter;
    case "addVoter":
    case "promote":
      return voter;
    case "remove":
      return !voter && !learner;
  }
}

/** The leader's status: asked of `hint` first, of every member when it does not lead. */
async function leaderStatus(
  c: Ctx,
  hint: number | null,
  extra: readonly number[],
): Promise<MemberStatus | null> {
  if (hint !== null) {
    const status = await stub(c, hint)
      .status()
      .catch(() => null);
    if (status?.role === "leader") return status;
  }
  return (await viewOf(c, extra)).leader;
}

/**
 * Makes one change at the leader, asking again while it is not possible yet; answers the
 * leader's status once the change is committed there, or the failure to report.
 */
async function change(
  c: Ctx,
  ch: MembershipChange,
  deadlineMs: number,
): Promise<MemberStatus | ZkFailure> {
  let last = "no leader answered";
  let hint: number | null = null;
  return pollUntil<MemberStatus | ZkFailure>(
    deadlineMs,
    async () => {
      const leader = await leaderStatus(c, hint, [ch.node]);
      hint = leader?.id ?? null;
      if (leader === null) return undefined;
      if (done(leader, ch)) return leader.membershipCommitted ? leader : undefined;
      let answer: ReconfigAnswer;
      try {
        answer = await stub(c, leader.id).reconfigure(ch);
      } catch (error) {
        answer = { ok: false, reason: "unreachable", leader: null, message: String(error) };
      }
      if (answer.ok) {
        // Applied at the leader, so committed: its status now shows it.
        const after = await stub(c, leader.id)
          .status()
          .catch(() => null);
        return after !== null && done(after, ch) ? after : undefined;
      }
      if (answer.reason === "invalid")
        return failure("BADARGUMENTS", `Cannot ${describe(ch)}: ${answer.message}`);
      last = `${answer.reason}: ${answer.message}`;
      hint = answer.leader ?? hint;
      return undefined;
    },
    () => `Could not ${describe(ch)} within ${reconfigWaitMs} ms (${last})`,
  );
}

const verbs = {
  addLearner: "add observer",
  addVoter: "add voter",
  promote: "promote",
  remove: "remove",
} as const;

function describe(ch: MembershipChange): string {
  return `${verbs[ch.type]} ${ch.node}`;
}

/** Whether `member` may be removed (any member) or promoted (an observer), as the leader says. */
function isListed(
  view: View,
  live: LiveMembers,
  member: number,
  action: "remove" | "promote",
): boolean {
  const voters = view.leader?.voters ?? live.voters;
  const observers = view.leader?.learners ?? live.observers;
  return observers.includes(member) || (action === "remove" && voters.includes(member));
}

/** Waits until `member` has applied through `index`. */
function caughtUp(
  c: Ctx,
  member: number,
  index: number,
  deadlineMs: number,
): Promise<ZkFailure | null> {
  return pollUntil(
    deadlineMs,
    async () => {
      const status = await stub(c, member)
        .status()
        .catch(() => null);
      return status !== null && status.appliedIndex >= index ? null : undefined;
    },
    () => `Member ${member} did not catch up to ${index} within ${reconfigWaitMs} ms`,
  );
}

/** Hands leadership away from `member` (to the most caught-up other voter) and waits for it. */
function moveLeadership(c: Ctx, member: number, deadlineMs: number): Promise<ZkFailure | null> {
  return pollUntil(
    deadlineMs,
    async () => {
      const { leader, statuses } = await viewOf(c);
      if (leader === null) return undefined;
      if (leader.id !== member) return null;
      const to = statuses
        .flatMap((s) =>
          s.status !== null && s.member !== member && leader.voters.includes(s.member)
            ? [s.status]
            : [],
        )
        .sort((a, b) => b.appliedIndex - a.appliedIndex)[0];
      if (to !== undefined)
        await stub(c, member)
          .transferLeadership(to.id)
          .catch(() => false);
      return undefined;
    },
    () => `Member ${member} leads and could not hand leadership over`,
  );
}

/** A new member's Durable Object, placed by its region hint; a named ensemble's gets its record. */
async function createMember(c: Ctx, member: number, region: string | undefined): Promise<void> {
  const ns = c.env.MEMBER;
  const id = ns.idFromName(`${c.env.ENSEMBLE_NAME}/${member}`);
  const created =
    region === undefined
      ? ns.get(id)
      : ns.get(id, { locationHint: region as DurableObjectLocationHint });
  const found = await lookup(c.env, c.env.ENSEMBLE_NAME);
  if (found !== null) await created.configure(found);
  else await created.load();
}

membersRoutes.get("/v1/admin/members", async (c) => {
  const { leader, statuses } = await viewOf(c);
  const known = liveMembersOf(c.env);
  // A change whose record was lost (the registry did not answer) is recorded now.
  if (
    leader?.membershipCommitted &&
    !sameMembership(
      { voters: leader.voters, learners: leader.learners },
      { voters: known.voters, learners: known.observers },
    )
  )
    await record(c, liveFrom(known, leader)).catch(() => undefined);
  const voters = leader?.voters ?? known.voters;
  const observers = leader?.learners ?? known.observers;
  return c.json({
    command: "members",
    leader: leader?.id ?? null,
    term: leader?.term ?? null,
    voters: [...voters],
    observers: [...observers],
    retired: [...known.retired],
    members: statuses.map(({ member, status, error }) => ({
      member,
      role: voters.includes(member) ? "voter" : observers.includes(member) ? "observer" : "none",
      reachable: status !== null,
      state: status?.role ?? null,
      appliedIndex: status?.appliedIndex ?? null,
      region: status?.region ?? regionOfMember(c.env, member) ?? null,
      ...(error === undefined ? {} : { error }),
    })),
    error: null,
  });
});

membersRoutes.post("/v1/admin/members", async (c) => {
  const body = await jsonBody(c, reconfigBodySchema);
  if (isFailure(body)) return fail(c, body);
  const startMs = Date.now();
  const deadlineMs = startMs + reconfigWaitMs;
  const steps: Array<{ change: string; atMs: number }> = [];
  let live = liveMembersOf(c.env);
  const step = async (ch: MembershipChange, place?: readonly [number, Region], recorded = true) => {
    const after = await change(c, ch, deadlineMs);
    if (isFailure(after)) return after;
    steps.push({ change: describe(ch), atMs: Date.now() - startMs });
    live = liveFrom(live, after, place);
    if (recorded) await record(c, live);
    return after;
  };
  let member: number;
  if (body.action === "add") {
    const { leader } = await viewOf(c);
    member = nextMemberId({
      ...live,
      voters: [...live.voters, ...(leader?.voters ?? [])],
      observers: [...live.observers, ...(leader?.learners ?? [])],
    });
    if (member > maxMemberId)
      return fail(
        c,
        failure("BADARGUMENTS", `No member numbers left (the last is ${maxMemberId})`),
      );
    try {
      await createMember(c, member, body.region);
    } catch (error) {
      return fail(
        c,
        failure("CONNECTIONLOSS", `Member ${member} could not be created: ${String(error)}`),
      );
    }
    const added = await step(
      { type: "addLearner", node: member },
      body.region === undefined ? undefined : [member, body.region],
      false,
    );
    if (isFailure(added)) return fail(c, added);
    // Clients are sent to it only once it holds what the leader had committed (routers learn it
    // from the registry): a new member starts empty.
    const behind = await caughtUp(c, member, added.commitIndex, deadlineMs);
    if (behind !== null) return fail(c, behind);
    await record(c, live);
    if (body.role === "voter") {
      const promoted = await step({ type: "promote", node: member });
      if (isFailure(promoted)) return fail(c, promoted);
    }
  } else if (body.action === "remove" && live.retired.includes(body.member)) {
    // Removed already: repeating it retires a member that was down when it was removed.
    member = body.member;
    await stub(c, member)
      .retire()
      .catch(() => undefined);
  } else if (!isListed(await viewOf(c), live, body.member, body.action)) {
    const what = body.action === "promote" ? "an observer" : "a member";
    return fail(
      c,
      failure(
        "BADARGUMENTS",
        `Member ${body.member} is not ${what} (voters ${live.voters.join(", ")}; observers ${live.observers.join(", ") || "none"})`,
      ),
    );
  } else if (body.action === "promote") {
    member = body.member;
    const promoted = await step({ type: "promote", node: member });
    if (isFailure(promoted)) return fail(c, promoted);
  } else {
    member = body.member;
    const moved = await moveLeadership(c, member, deadlineMs);
    if (moved !== null) return fail(c, moved);
    const removed = await step({ type: "remove", node: member });
    if (isFailure(removed)) return fail(c, removed);
    // Its removal is committed: the member ends, keeping only the marker that it was removed.
    await stub(c, member)
      .retire()
      .catch(() => undefined);
  }
  return c.json({
    command: "reconfig",
    action: body.action,
    member,
    voters: [...live.voters],
    observers: [...live.observers],
    tookMs: Date.now() - startMs,
    steps,
    error: null,
  });
});
