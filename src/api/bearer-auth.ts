// Bearer-token auth for every /v1 route: a request needs `Authorization: Bearer <token>` with one
// of the AUTH_TOKENS secret's tokens, unless the deployment sets AUTH=off (local development does,
// in .dev.vars). With no tokens configured and auth on, everything is refused: safe by default.

import type { MiddlewareHandler } from "hono";
import { failure } from "../core/error-code.ts";
import type { Env } from "../env.ts";
import { fail } from "./respond.ts";

let warned = false;

export const bearerAuth: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (c.env.AUTH === "off") {
    if (!warned) {
      warned = true;
      console.warn(
        "edgekeeper: token auth is OFF (AUTH=off) — fine for local development, never for a deployment",
      );
    }
    return next();
  }
  const tokens = (c.env.AUTH_TOKENS ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  const header = c.req.header("authorization") ?? "";
  // Browsers cannot set headers on a WebSocket upgrade, so that route also takes ?access_token=.
  const offered = header.startsWith("Bearer ")
    ? header.slice("Bearer ".length).trim()
    : (c.req.query("access_token") ?? "");
  if (offered === "")
    return fail(c, failure("AUTHFAILED", "Missing bearer token (Authorization: Bearer <token>)"));
  if (!tokens.some((t) => sameText(t, offered)))
    return fail(c, failure("AUTHFAILED", "Invalid bearer token"));
  return next();
};

/** Compares in time that does not depend on where the strings first differ. */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
