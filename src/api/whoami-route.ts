// Who the bearer token says the caller is, and whether the deployment checks tokens at all: the
// dashboard asks before anything else, to prompt for a token, refuse a bad one, or say auth is off.

import { Hono } from "hono";
import type { AppEnv } from "./respond.ts";

export const whoamiRoute = new Hono<AppEnv>();

whoamiRoute.get("/v1/whoami", (c) => {
  const principal = c.get("principal");
  return c.json({
    auth: c.get("access").authOn ? "on" : "off",
    name: principal.name,
    scope: principal.scope,
    ...(principal.ensembles ? { ensembles: [...principal.ensembles] } : {}),
  });
});
