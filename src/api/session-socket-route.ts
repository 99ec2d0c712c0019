// GET /v1/session: the WebSocket session protocol. The Worker does not hold the socket; it hands
// the upgrade to a member Durable Object (?member=i, or one picked at random), which accepts it
// with the Hibernation API.

import { Hono } from "hono";
import { failure } from "../core/error-code.ts";
import type { Env } from "../env.ts";
import { type Ctx, fail, stub } from "./respond.ts";

export const sessionSocketRoute = new Hono<{ Bindings: Env }>();

const socketRoute = async (c: Ctx) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return fail(
      c,
      failure("BADARGUMENTS", `GET ${new URL(c.req.url).pathname} needs a WebSocket upgrade`),
    );
  }
  const size = Number(c.env.ENSEMBLE_SIZE);
  const asked = c.req.query("member");
  const member = asked === undefined ? Math.floor(Math.random() * size) : Number(asked);
  if (!(Number.isInteger(member) && member >= 0 && member < size)) {
    return fail(c, failure("BADARGUMENTS", `member must be an integer in 0..${size - 1}`));
  }
  return stub(c, member).fetch(c.req.raw);
};

/** The JSON session protocol. */
sessionSocketRoute.get("/v1/session", socketRoute);
/** ZooKeeper's binary protocol, one jute frame per binary message (edgekeeper bridge speaks it). */
sessionSocketRoute.get("/v1/zk", socketRoute);
