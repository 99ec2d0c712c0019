// The operator's view of sessions (admin scope): every session of the ensemble with its timeout,
// member, ephemerals, connections and watches, and closing one without its password — what
// ZooKeeper's `dump` and `cons` show and its admins do with `closeSession` through a client.

import { Hono } from "hono";
import type { SessionsPage } from "../../durable-objects/member.ts";
import type { ConnectionView } from "../../durable-objects/socket-sessions.ts";
import { failure, type ZkFailure } from "../core/error-code.ts";
import { memberFor, parseSessionId } from "./caller.ts";
import { memberIds } from "./member-ids.ts";
import { type AppEnv, type Ctx, fail, intQuery, isFailure, stub } from "./respond.ts";
import { write } from "./znode-routes.ts";

export const sessionAdminRoutes = new Hono<AppEnv>();

/** Sessions per page of the admin's list: the default and the most one page may ask for. */
export const sessionsPageDefault = 100;
export const sessionsPageMax = 1_000;

sessionAdminRoutes.get("/v1/admin/sessions", async (c) => {
  const limit = intQuery(c, "limit");
  if (isFailure(limit)) return fail(c, limit);
  if (limit !== undefined && (limit < 1 || limit > sessionsPageMax))
    return fail(c, failure("BADARGUMENTS", `limit must be between 1 and ${sessionsPageMax}`));
  const afterText = c.req.query("after");
  const after = afterText === undefined ? null : parseSessionId(afterText);
  if (afterText !== undefined && after === null)
    return fail(c, failure("BADARGUMENTS", `after must be a session id, not "${afterText}"`));
  const members = memberIds(c.env);
  // The list is replicated: any member that can serve answers it. Connections are each member's own.
  const [page, views] = await Promise.all([
    firstPage(c, members, after, limit ?? sessionsPageDefault),
    Promise.all(
      members.map((m) =>
        stub(c, m)
          .clients()
          .then((v: ConnectionView[]) => ({ member: m, connections: v }))
          .catch(() => ({ member: m, connections: [] as ConnectionView[] })),
      ),
    ),
  ]);
  if (!page.ok) return fail(c, page.failure);
  const bySession = new Map<string, { member: number; protocol: string; watches: number }[]>();
  for (const { member, connections } of views) {
    for (const conn of connections) {
      if (conn.sessionId === null) continue;
      const watches = Object.values(conn.watches).reduce((n, list) => n + list.length, 0);
      const list = bySession.get(conn.sessionId) ?? [];
      list.push({ member, protocol: conn.protocol, watches });
      bySession.set(conn.sessionId, list);
    }
  }
  return c.json({
    command: "sessions",
    zxid: page.zxid,
    sessions: page.sessions.map((s) => {
      const connections = bySession.get(s.id.toString()) ?? [];
      return {
        sessionId: s.id.toString(),
        sessionIdHex: `0x${s.id.toString(16)}`,
        timeoutMs: s.timeoutMs,
        createdZxid: s.createdZxid,
        lastZxid: s.lastZxid,
        member: memberFor(c.env, s.id),
        connections,
        watches: connections.reduce((n, x) => n + x.watches, 0),
        ephemeralCount: s.ephemeralCount,
        ephemerals: s.ephemerals,
      };
    }),
    more: page.more,
    error: null,
  });
});

/** Closes a session as an operator: its ephemerals go and its clients learn it expired. */
sessionAdminRoutes.delete("/v1/admin/sessions/:id", async (c) => {
  const id = parseSessionId(c.req.param("id"));
  if (id === null)
    return fail(c, failure("BADARGUMENTS", `"${c.req.param("id")}" is not a session id`));
  return write(
    c,
    { authIds: [], member: memberFor(c.env, id) },
    { op: "closeSession", sessionId: id },
  );
});

async function firstPage(
  c: Ctx,
  members: number[],
  after: bigint | null,
  limit: number,
): Promise<SessionsPage> {
  let last: ZkFailure = failure("CONNECTIONLOSS", "No member answered");
  for (const m of members) {
    try {
      const page = await stub(c, m).sessionsPage(after, limit);
      if (page.ok) return page;
      last = page.failure;
    } catch (error) {
      last = failure("CONNECTIONLOSS", `Member ${m} did not answer: ${String(error)}`);
    }
  }
  return { ok: false, failure: last };
}
