// The gate in front of every /v1 route and /metrics: a deployment that may not serve (no strong
// SESSION_SECRET) answers 503 saying what to set; otherwise the bearer token names the caller
// and its scope must cover the route (AUTH=off, local development only, lets everyone in).

import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type AccessConfig, accessConfig, ConfigError } from "../access/access-config.ts";
import {
  ensembleRefusal,
  identify,
  type Principal,
  requiredScope,
  scopeRefusal,
} from "../access/gatekeeper.ts";
import { failure, type ZkFailure } from "../core/error-code.ts";
import type { Env } from "../env.ts";
import { errorBody, httpStatusOf } from "../protocol/error-body.ts";
import { boundPrincipals } from "./bound-principal.ts";
import type { AppEnv } from "./respond.ts";

let warned = false;
let loggedConfigError = false;

export type Admission =
  | { readonly ok: true; readonly access: AccessConfig; readonly principal: Principal }
  | { readonly ok: false; readonly status: number; readonly failure: ZkFailure };

/**
 * The gate itself: may this request, for `pathname` of ensemble `ensemble`, go on? The middleware
 * below and the router's answer for an ensemble that does not exist (ensemble-dispatch.ts) both
 * ask here, so a caller learns the same from either.
 */
export function admit(env: Env, request: Request, pathname: string, ensemble: string): Admission {
  const access = accessConfig(env);
  if (access instanceof ConfigError) {
    // Said once in the log; every caller gets it in the answer.
    if (!loggedConfigError) console.error(access.message);
    loggedConfigError = true;
    return { ok: false, status: 503, failure: failure("SYSTEMERROR", access.message) };
  }
  if (!access.authOn && !warned) {
    warned = true;
    console.warn(
      "edgekeeper: token auth is OFF (AUTH=off) — fine for local development, never for a deployment",
    );
  }
  // A service binding's caller comes with its principal (binding-entrypoint.ts), not a token.
  const principal = boundPrincipals.get(env) ?? identify(access, request);
  if ("message" in principal)
    return { ok: false, status: httpStatusOf(principal.name), failure: principal };
  const need = requiredScope(request.method, pathname);
  const refused =
    scopeRefusal(principal.scope, need, `${request.method} ${pathname}`) ??
    ensembleRefusal(principal, ensemble, pathname);
  if (refused) return { ok: false, status: httpStatusOf(refused.name), failure: refused };
  return { ok: true, access, principal };
}

export const bearerAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const pathname = new URL(c.req.url).pathname;
  const admitted = admit(c.env, c.req.raw, pathname, c.env.ENSEMBLE_NAME);
  if (!admitted.ok)
    return c.json(errorBody(admitted.failure), admitted.status as ContentfulStatusCode);
  c.set("access", admitted.access);
  c.set("principal", admitted.principal);
  return next();
};
