// CORS for the HTTP API: a page from an origin in CORS_ORIGINS may call it and read the answers
// (preflights are answered before the token gate, as browsers send them without one). No origin
// is allowed unless configured, so a page on the open web cannot drive a local ensemble running
// with auth off.

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { accessConfig, ConfigError } from "../access/access-config.ts";
import type { AppEnv } from "./respond.ts";

const handler = cors({
  origin: (origin, c) => {
    const access = accessConfig(c.env);
    if (access instanceof ConfigError) return null;
    if (access.corsOrigins.has("*")) return "*";
    return access.corsOrigins.has(origin) ? origin : null;
  },
  allowMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
  allowHeaders: [
    "authorization",
    "content-type",
    "x-session-id",
    "x-session-password",
    "x-session-seq",
    "x-auth-digest",
  ],
  exposeHeaders: ["x-zxid", "x-stat"],
  maxAge: 600,
});

export const corsForApi: MiddlewareHandler<AppEnv> = (c, next) => handler(c, next);
