// The Worker's HTTP router: every public route, mounted under one Hono app.

import { Hono } from "hono";
import { failure } from "../core/error-code.ts";
import { removedMemberMessage } from "../core/live-members.ts";
import { errorBody } from "../protocol/error-body.ts";
import { adminRoutes } from "./admin-routes.ts";
import { bearerAuth } from "./bearer-auth.ts";
import { corsForApi } from "./cors.ts";
import { forget } from "./ensemble-lookup.ts";
import { ensembleRoutes } from "./ensemble-routes.ts";
import { ensembleStream } from "./ensemble-stream.ts";
import { ensemblesRoutes } from "./ensembles-routes.ts";
import { faultRoute } from "./fault-route.ts";
import { membersRoutes } from "./members-routes.ts";
import { openApiDocument } from "./openapi.ts";
import { referencePage } from "./reference-page.ts";
import type { AppEnv } from "./respond.ts";
import { restoreRoute } from "./restore-route.ts";
import { sessionAdminRoutes } from "./session-admin-routes.ts";
import { sessionSocketRoute } from "./session-socket-route.ts";
import { whoamiRoute } from "./whoami-route.ts";
import { znodeRoutes } from "./znode-routes.ts";

export const app = new Hono<AppEnv>();

app.use("/v1/*", corsForApi);
app.use("/v1/*", bearerAuth);
app.route("/", znodeRoutes);
app.route("/", ensembleRoutes);
app.route("/", sessionSocketRoute);
app.route("/", adminRoutes);
app.route("/", restoreRoute);
app.route("/", membersRoutes);
app.route("/", ensembleStream);
app.route("/", sessionAdminRoutes);
app.route("/", whoamiRoute);
app.route("/", faultRoute);
app.route("/", ensemblesRoutes);
// The dashboard is static assets (wrangler.toml [assets]), served before the Worker runs.
app.get("/", (c) => c.redirect("/dashboard/", 302));
app.get("/v1/openapi.json", (c) => c.json(openApiDocument()));
app.get("/v1/docs", (c) => c.html(referencePage()));

// A router that still lists a removed member learns the new membership and the caller retries.
app.onError((error, c) => {
  if (!String(error).includes(removedMemberMessage)) throw error;
  forget(c.env.ENSEMBLE_NAME);
  const f = failure("CONNECTIONLOSS", "The member serving this request was removed; retry");
  return c.json(errorBody(f), 503);
});

app.notFound((c) => {
  const route = `${c.req.method} ${new URL(c.req.url).pathname}`;
  return c.json(errorBody(failure("UNIMPLEMENTED", `No route for ${route}`)), 404);
});
