// The gate in front of every /v1 route and /metrics: a deployment that may not serve (no strong
// SESSION_SECRET) answers 503 saying what to set; otherwise the bearer token names the caller
// and its scope must cover the route (AUTH=off, local development only, lets everyone in).

import type { MiddlewareHandler } from "hono";
import { accessConfig, ConfigError } from "../access/access-config.ts";
import { ensembleRefusal, identify, requiredScope, scopeRefusal } from "../access/gatekeeper.ts";
import { failure } from "../core/error-code.ts";
import { errorBody } from "../protocol/error-body.ts";
import { boundPrincipals } from "./bound-principal.ts";
import { type AppEnv, fail } from "./respond.ts";

let warned = false;
let loggedConfigError = false;

export const bearerAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const access = accessConfig(c.env);
  if (access instanceof ConfigError) {
    // Said once in the log; every caller gets it in the answer.
    if (!loggedConfigError) console.error(access.message);
    loggedConfigError = true;
    return c.json(errorBody(failure("SYSTEMERROR", access.message)), 503);
  }
  if (!access.authOn && !warned) {
    warned = true;
    console.warn(
      "edgekeeper: token auth is OFF (AUTH=off) — fine for local development, never for a deployment",
    );
  }
  // A service binding's caller comes with its principal (binding-entrypoint.ts), not a token.
  const principal = boundPrincipals.get(c.env) ?? identify(access, c.req.raw);
  if ("message" in principal) return fail(c, principal);
  const pathname = new URL(c.req.url).pathname;
  const need = requiredScope(c.req.method, pathname);
  const refused =
    scopeRefusal(principal.scope, need, `${c.req.method} ${pathname}`) ??
    ensembleRefusal(principal, c.env.ENSEMBLE_NAME, pathname);
  if (refused) return fail(c, refused);
  c.set("access", access);
  c.set("principal", principal);
  return next();
};
