// Which ensemble a request is for: `/v1/e/<name>/…` is ensemble <name>, anything else the default
// one (ENSEMBLE_NAME). The prefix is cut and the router runs with an env whose ENSEMBLE_NAME and
// ENSEMBLE_SIZE are that ensemble's, so every route, socket and admin command serves it exactly as
// it serves the default ensemble. Records are read from the registry and cached briefly.

import type { RegisteredEnsemble } from "../../durable-objects/registry.ts";
import type { Env } from "../env.ts";
import { errorBody } from "../protocol/error-body.ts";
import { app } from "./app.ts";
import { admit } from "./bearer-auth.ts";
import { boundPrincipals } from "./bound-principal.ts";
import { lookup, missing } from "./ensemble-lookup.ts";

const derived = new WeakMap<Env, Map<string, Env>>();

/** The env the router serves `ensemble` with: one per env and ensemble, so settings parse once. */
function ensembleEnv(env: Env, ensemble: RegisteredEnsemble): Env {
  let byName = derived.get(env);
  if (!byName) {
    byName = new Map();
    derived.set(env, byName);
  }
  const key = `${ensemble.name}/${ensemble.size}/${ensemble.regions.join("+")}`;
  let e = byName.get(key);
  if (!e) {
    e = {
      ...env,
      ENSEMBLE_NAME: ensemble.name,
      ENSEMBLE_SIZE: String(ensemble.size),
      ENSEMBLE_REGIONS: JSON.stringify(ensemble.regions),
    };
    // A service binding's caller stays who it is in every ensemble.
    const principal = boundPrincipals.get(env);
    if (principal) boundPrincipals.set(e, principal);
    byName.set(key, e);
  }
  return e;
}

export async function dispatch(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
): Promise<Response> {
  const url = new URL(request.url);
  const m = /^\/v1\/e\/([^/]*)(\/.*)?$/.exec(url.pathname);
  if (!m) return app.fetch(request, env, ctx);
  // Names are a–z, 0–9 and hyphens: nothing in one is ever percent-encoded.
  const name = m[1] ?? "";
  // /metrics is the one route outside /v1: /v1/e/<name>/metrics is that ensemble's.
  const rest = m[2] ?? "/";
  url.pathname = rest === "/metrics" ? rest : `/v1${rest}`;
  const rewritten = new Request(url, request);
  if (name === env.ENSEMBLE_NAME) return app.fetch(rewritten, env, ctx);
  const ensemble = await lookup(env, name);
  if (ensemble === null || ensemble.state !== "ready") {
    // Who may not learn which ensembles exist learns nothing here either: the same gate first.
    const admitted = admit(env, rewritten, url.pathname, name);
    if (!admitted.ok)
      return Response.json(errorBody(admitted.failure), { status: admitted.status });
    return missing(name, ensemble === null ? "does not exist" : `is ${ensemble.state}`);
  }
  return app.fetch(rewritten, ensembleEnv(env, ensemble), ctx);
}
