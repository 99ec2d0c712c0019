// GET /v1/session and /v1/zk: the socket protocols. The Worker does not hold the socket; it
// hands the upgrade to a member Durable Object (?member=i, or the one session-placement.ts picks), which
// accepts it with the Hibernation API. What the Worker established about the client — its token's
// name and scope, its trustworthy address — travels in headers only the Worker can set.

import { Hono } from "hono";
import { clientAddress, forwardedHeaders } from "../access/gatekeeper.ts";
import { failure } from "../core/error-code.ts";
import { isMemberId, memberIdsText } from "./member-ids.ts";
import { type AppEnv, type Ctx, fail, stub } from "./respond.ts";
import { placeSession } from "./session-placement.ts";

export const sessionSocketRoute = new Hono<AppEnv>();

const socketRoute = async (c: Ctx) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return fail(
      c,
      failure("BADARGUMENTS", `GET ${new URL(c.req.url).pathname} needs a WebSocket upgrade`),
    );
  }
  const asked = c.req.query("member");
  if (asked !== undefined && !(/^\d+$/.test(asked) && isMemberId(c.env, Number(asked)))) {
    return fail(c, failure("BADARGUMENTS", `member must be ${memberIdsText(c.env)}`));
  }
  // Unasked: the nearest, or the least-loaded member (session-placement.ts).
  const member = asked === undefined ? await placeSession(c) : Number(asked);
  const headers = new Headers(c.req.raw.headers);
  for (const name of Object.values(forwardedHeaders)) headers.delete(name);
  const principal = c.get("principal");
  headers.set(forwardedHeaders.principal, principal.name);
  headers.set(forwardedHeaders.scope, principal.scope);
  const ip = clientAddress(c.get("access"), c.req.raw.headers);
  if (ip !== undefined) headers.set(forwardedHeaders.clientIp, ip);
  try {
    return await stub(c, member).fetch(new Request(c.req.raw, { headers }));
  } catch (error) {
    return fail(c, failure("CONNECTIONLOSS", `Member ${member} did not answer: ${String(error)}`));
  }
};

/** The JSON session protocol. */
sessionSocketRoute.get("/v1/session", socketRoute);
/** ZooKeeper's binary protocol, one jute frame per binary message (edgekeeper bridge speaks it). */
sessionSocketRoute.get("/v1/zk", socketRoute);
