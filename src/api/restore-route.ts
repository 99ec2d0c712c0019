// `POST /v1/admin/restore`: an ensemble seeded from a backup file (GET /v1/admin/snapshot). The
// file is staged on every member and checked against its digest while the ensemble serves on;
// only when all staged the same tree are the members fenced, reset to it in a new term, and
// started again. It needs the admin scope and ALL on `/` (X-Auth-Digest), as a backup does, and
// an ensemble that holds nothing yet — a session or a node outside /zookeeper — unless ?force.

import { Hono } from "hono";
import type { RestoreCheck, RestoreStaged } from "../../durable-objects/member.ts";
import { concatBytes } from "../core/bytes/concat.ts";
import { failure } from "../core/error-code.ts";
import { callerOf } from "./caller.ts";
import { liveMembersOf, memberIds } from "./member-ids.ts";
import { type AppEnv, type Ctx, fail, isFailure, stub } from "./respond.ts";

export const restoreRoute = new Hono<AppEnv>();

/** Pieces sent to the members (each staged in one transaction), well under RPC's limit. */
const pieceBytes = 1024 * 1024;

restoreRoute.post("/v1/admin/restore", async (c) => {
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const force = c.req.query("force") === "true";
  const members = memberIds(c.env);
  const body = c.req.raw.body;
  if (body === null) return fail(c, failure("BADARGUMENTS", "The body must be a snapshot file"));

  const checks = await each(
    c,
    members,
    async (m): Promise<RestoreCheck> => stub(c, m).restoreCheck(caller.authIds),
  );
  if (checks instanceof Response) return checks;
  let term = 0;
  for (const [member, check] of checks.entries()) {
    if (!check.ok) return fail(c, check.failure);
    if (!check.empty && !force)
      return fail(
        c,
        failure(
          "NOTEMPTY",
          `Member ${member} holds ${check.nodes} nodes and ${check.sessions} sessions; restore over them with ?force=true`,
        ),
      );
    term = Math.max(term, check.term);
  }

  // Stage: nothing is in force yet, so any failure drops the staged copies and changes nothing.
  const transfer = crypto.randomUUID();
  const staged = await stage(c, members, transfer, body);
  if (staged instanceof Response) {
    await Promise.allSettled(members.map((m) => stub(c, m).restoreAbort()));
    return staged;
  }

  // Fence all, then reset all in a term above every member's, then start all: no member runs
  // consensus while another holds the old log.
  const fenced = await each(c, members, (m) => stub(c, m).restoreFence(), "fence");
  if (fenced instanceof Response) return fenced;
  const live = liveMembersOf(c.env);
  const membership = { voters: [...live.voters], learners: [...live.observers] };
  const applied = await each(
    c,
    members,
    (m) => stub(c, m).restoreApply(term + 1, membership),
    "reset",
  );
  if (applied instanceof Response) return applied;
  const started = await each(c, members, (m) => stub(c, m).restoreFinish(), "restart");
  if (started instanceof Response) return started;
  return c.json({
    command: "restore",
    index: staged.index,
    digest: staged.digest,
    nodes: staged.nodes,
    term: term + 1,
    members: members.length,
    error: null,
  });
});

/** Runs `call` on every member at once; a member that fails answers CONNECTIONLOSS with its step. */
async function each<T>(
  c: Ctx,
  members: number[],
  call: (member: number) => Promise<T>,
  step?: string,
): Promise<T[] | Response> {
  const results = await Promise.allSettled(members.map(call));
  const failed = results.findIndex((r) => r.status === "rejected");
  if (failed < 0) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  const why = String((results[failed] as PromiseRejectedResult).reason);
  // Once fenced, the members wait for the restore to be run again (or finished) — say so.
  const after = step ? `; the restore stopped at "${step}": run it again to finish` : "";
  return fail(c, failure("CONNECTIONLOSS", `Member ${failed} did not answer: ${why}${after}`));
}

/** Streams the body to every member in pieces; the staged index and digest, which must agree. */
async function stage(
  c: Ctx,
  members: number[],
  transfer: string,
  body: ReadableStream<Uint8Array>,
) {
  const reader = body.getReader();
  let buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  let seq = 0;
  const send = async (last: boolean) => {
    const piece = concatBytes(buffered);
    buffered = [];
    bufferedBytes = 0;
    const at = seq++;
    const answers = await each(
      c,
      members,
      async (m): Promise<RestoreStaged> => stub(c, m).restoreStage(transfer, at, piece, last),
    );
    if (answers instanceof Response) return answers;
    const refused = answers.find((a) => !a.ok);
    if (refused && !refused.ok)
      return fail(c, failure("BADARGUMENTS", `Not a valid snapshot file: ${refused.message}`));
    return answers.map((a) => (a.ok ? a.staged : null));
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered.push(value);
    bufferedBytes += value.length;
    if (bufferedBytes >= pieceBytes) {
      const sent = await send(false);
      if (sent instanceof Response) return sent;
    }
  }
  const last = await send(true);
  if (last instanceof Response) return last;
  const first = last[0];
  if (!first || last.some((s) => s?.digest !== first.digest || s?.index !== first.index))
    return fail(c, failure("SYSTEMERROR", "The members staged different trees from one file"));
  return first;
}
