// Which ensemble a request is for: `/v1/e/<name>/…` is ensemble <name>, anything else the default
// one (ENSEMBLE_NAME). The prefix is cut and the router runs with an env whose ENSEMBLE_NAME and
// ENSEMBLE_SIZE are that ensemble's, so every route, socket and admin command serves it exactly as
// it serves the default ensemble. Records are read from the registry and cached briefly.

import type { RegisteredEnsemble } from "../../durable-objects/registry.ts";
import type { LiveMembers } from "../core/live-members.ts";
import type { Env } from "../env.ts";
import { errorBody } from "../protocol/error-body.ts";
import { app } from "./app.ts";
import { admit } from "./bearer-auth.ts";
import { boundPrincipals } from "./bound-principal.ts";
import { lookup, lookupMembers, missing } from "./ensemble-lookup.ts";

const derived = new WeakMap<Env, Map<string, Env>>();
const texts = new WeakMap<LiveMembers, string>();

/** A membership as text, once per object the lookup cache holds (not once per request). */
function textOf(members: LiveMembers): string {
  let text = texts.get(members);
  if (text === undefined) {
    text = JSON.stringify(members);
    texts.set(members, text);
  }
  return text;
}

/**
 * The env the router serves an ensemble with: one per env, ensemble and membership, so settings
 * parse once. The default ensemble keeps its env until its membership first changes.
 */
function ensembleEnv(
  env: Env,
  ensemble: Pick<RegisteredEnsemble, "name" | "size" | "regions">,
  members: LiveMembers | null,
): Env {
  if (members === null && ensemble.name === env.ENSEMBLE_NAME) return env;
  let byName = derived.get(env);
  if (!byName) {
    byName = new Map();
    derived.set(env, byName);
  }
  const membersText = members === null ? undefined : textOf(members);
  const key = `${ensemble.name}/${ensemble.size}/${ensemble.regions.join("+")}/${membersText}`;
  let e = byName.get(key);
  if (!e) {
    e = {
      ...env,
      ENSEMBLE_NAME: ensemble.name,
      ENSEMBLE_SIZE: String(ensemble.size),
      ...(ensemble.name === env.ENSEMBLE_NAME
        ? {}
        : { ENSEMBLE_REGIONS: JSON.stringify(ensemble.regions) }),
      ...(membersText === undefined ? {} : { ENSEMBLE_MEMBERS: membersText }),
    };
    // A service binding's caller stays who it is in every ensemble.
    const principal = boundPrincipals.get(env);
    if (principal) boundPrincipals.set(e, principal);
    // One entry per live membership: a changed one replaces the old (a few per ensemble at most).
    for (const k of byName.keys()) if (k.startsWith(`${ensemble.name}/`)) byName.delete(k);
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
  if (!m) return app.fetch(request, await defaultEnsembleEnv(env), ctx);
  // Names are a–z, 0–9 and hyphens: nothing in one is ever percent-encoded.
  const name = m[1] ?? "";
  // /metrics is the one route outside /v1: /v1/e/<name>/metrics is that ensemble's.
  const rest = m[2] ?? "/";
  url.pathname = rest === "/metrics" ? rest : `/v1${rest}`;
  const rewritten = new Request(url, request);
  if (name === env.ENSEMBLE_NAME) return app.fetch(rewritten, await defaultEnsembleEnv(env), ctx);
  const ensemble = await lookup(env, name);
  if (ensemble === null || ensemble.state !== "ready") {
    // Who may not learn which ensembles exist learns nothing here either: the same gate first.
    const admitted = admit(env, rewritten, url.pathname, name);
    if (!admitted.ok)
      return Response.json(errorBody(admitted.failure), { status: admitted.status });
    return missing(name, ensemble === null ? "does not exist" : `is ${ensemble.state}`);
  }
  const members = await lookupMembers(env, name);
  return app.fetch(rewritten, ensembleEnv(env, ensemble, members), ctx);
}

async function defaultEnsembleEnv(env: Env): Promise<Env> {
  const members = await lookupMembers(env, env.ENSEMBLE_NAME);
  return ensembleEnv(
    env,
    { name: env.ENSEMBLE_NAME, size: Number(env.ENSEMBLE_SIZE) as 3 | 5, regions: [] },
    members,
  );
}
