// /v1/multi, /v1/multi-read, /v1/sync and /v1/sessions: the operations that are not one znode.

import { Hono } from "hono";
import { sessionPasswordText } from "../access/gatekeeper.ts";
import { failure } from "../core/error-code.ts";
import { validatePath } from "../core/tree/path.ts";
import { encodeData } from "../protocol/data-encoding.ts";
import { multiOpsOf } from "../protocol/multi-ops.ts";
import {
  multiBodySchema,
  multiReadBodySchema,
  sessionBodySchema,
} from "../protocol/request-schemas.ts";
import { statJson } from "../protocol/stat-json.ts";
import { callerOf, memberFor, parseSessionId } from "./caller.ts";
import { type AppEnv, fail, isFailure, jsonBody, readAtAnyMember, stub } from "./respond.ts";
import { write } from "./znode-routes.ts";

export const ensembleRoutes = new Hono<AppEnv>();

ensembleRoutes.post("/v1/multi", async (c) => {
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const body = await jsonBody(c, multiBodySchema);
  if (isFailure(body)) return fail(c, body);
  const ops = multiOpsOf(body.ops);
  if (isFailure(ops)) return fail(c, ops);
  return write(c, caller, { op: "multi", ops });
});

ensembleRoutes.post("/v1/multi-read", async (c) => {
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const body = await jsonBody(c, multiReadBodySchema);
  if (isFailure(body)) return fail(c, body);
  const results = await readAtAnyMember(
    c,
    caller,
    async (m) => await m.multiRead(body.ops, caller.authIds),
  );
  if (isFailure(results)) return fail(c, results);
  return c.json({
    results: results.map((r) =>
      r.op === "getData"
        ? { op: r.op, ...encodeData(r.data), stat: statJson(r.stat) }
        : r.op === "getChildren"
          ? { op: r.op, children: r.children }
          : {
              op: "error",
              error: { name: r.failure.name, message: r.failure.message, path: r.failure.path },
            },
    ),
  });
});

/** A real quorum round: afterwards reads at this member see every write acknowledged before. */
ensembleRoutes.post("/v1/sync", async (c) => {
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const answer = await stub(c, caller.member).sync();
  if (!answer.ok) return fail(c, answer.failure);
  return c.json({ zxid: answer.zxid });
});

ensembleRoutes.post("/v1/sessions", async (c) => {
  const body = await jsonBody(c, sessionBodySchema);
  if (isFailure(body)) return fail(c, body);
  const answer = await stub(c, 0).submit(
    { op: "createSession", timeoutMs: body.timeoutMs },
    { authIds: [] },
  );
  if (!answer.ok) return fail(c, answer.failure);
  if (answer.result.type !== "createSession")
    return fail(c, failure("SYSTEMERROR", "createSession answered otherwise"));
  const id = answer.result.sessionId;
  const password = sessionPasswordText(c.get("access"), id, c.get("principal").name);
  return c.json(
    {
      sessionId: id.toString(),
      sessionIdHex: `0x${id.toString(16)}`,
      password,
      timeoutMs: answer.result.timeoutMs,
      member: memberFor(c.env, id),
    },
    201,
  );
});

/** Keep-alive: tells the session's member the client is alive (send it well within the timeout). */
ensembleRoutes.post("/v1/sessions/:id/keepalive", async (c) => {
  const caller = callerOf(c, withSessionHeader(c.req.raw.headers, c.req.param("id")));
  if (isFailure(caller)) return fail(c, caller);
  if (caller.sessionId === undefined) return fail(c, failure("BADARGUMENTS", "No session"));
  await stub(c, caller.member).touchSessions([caller.sessionId]);
  return c.json({ sessionId: caller.sessionId.toString() });
});

ensembleRoutes.delete("/v1/sessions/:id", async (c) => {
  const caller = callerOf(c, withSessionHeader(c.req.raw.headers, c.req.param("id")));
  if (isFailure(caller)) return fail(c, caller);
  if (caller.sessionId === undefined) return fail(c, failure("BADARGUMENTS", "No session"));
  return write(
    c,
    { authIds: caller.authIds, member: caller.member },
    { op: "closeSession", sessionId: caller.sessionId },
  );
});

function withSessionHeader(headers: Headers, id: string): Headers {
  const copy = new Headers(headers);
  const parsed = parseSessionId(id);
  copy.set("x-session-id", parsed === null ? id : parsed.toString());
  return copy;
}

/**
 * Long-poll watch: `GET /v1/watch/<path>?since=<zxid>&wait=<seconds>&recursive`. Answers the
 * changes after `since` at once if there are any, else waits up to `wait` seconds (default 30,
 * at most 60) for the next; pass the answer's `zxid` as the next `since` to miss nothing.
 * Changes older than the change log answer 410 COMPACTED: re-read, then poll from the new zxid.
 */
ensembleRoutes.get("/v1/watch/*", async (c) => {
  const caller = callerOf(c);
  if (isFailure(caller)) return fail(c, caller);
  const raw = new URL(c.req.url).pathname.slice("/v1/watch".length) || "/";
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return fail(c, failure("BADARGUMENTS", `Malformed percent-encoding in path "${raw}"`));
  }
  const bad = validatePath(path);
  if (bad) return fail(c, bad);
  const sinceText = c.req.query("since") ?? "0";
  const waitText = c.req.query("wait") ?? "30";
  const since = /^\d{1,16}$/.test(sinceText) ? Number(sinceText) : -1;
  const waitSeconds = /^\d{1,3}(\.\d{1,3})?$/.test(waitText) ? Number(waitText) : -1;
  if (!Number.isSafeInteger(since) || since < 0)
    return fail(c, failure("BADARGUMENTS", "since must be a zxid (an integer ≥ 0)"));
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 60) {
    return fail(c, failure("BADARGUMENTS", "wait must be between 0 and 60 seconds"));
  }
  const recursive = c.req.query("recursive") !== undefined;
  const answer = await stub(c, caller.member).changes(
    path,
    recursive,
    since,
    Math.round(waitSeconds * 1000),
    caller.authIds,
  );
  if (!answer.ok) return fail(c, answer.failure);
  c.header("X-Zxid", String(answer.zxid));
  return c.json({
    path,
    zxid: answer.zxid,
    events: answer.events.map((e) => ({ event: e.type, path: e.path, zxid: e.zxid })),
  });
});
