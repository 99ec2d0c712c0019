// Ensembles as a resource (admin scope): create one (a name, 3 or 5 members, the regions they are
// placed in), list them, describe one, delete one with its members' storage. The default ensemble
// (ENSEMBLE_NAME) is listed too and cannot be deleted; another is reached at /v1/e/<name>/….

import { Hono } from "hono";
import { z } from "zod";
import { ensembleDeleted } from "../../durable-objects/ensemble-record-store.ts";
import type { RegisteredEnsemble } from "../../durable-objects/registry.ts";
import { ensembleLimitsSchema } from "../access/limits.ts";
import { type EnsembleRecord, ensembleRecord, regionOf } from "../core/ensemble-record.ts";
import { failure } from "../core/error-code.ts";
import {
  initialMembers,
  type LiveMembers,
  memberRegion,
  servingIds,
} from "../core/live-members.ts";
import type { Env } from "../env.ts";
import { forget, lookupMembers, missing, registry } from "./ensemble-lookup.ts";
import { type AppEnv, fail, isFailure, jsonBody } from "./respond.ts";

export const ensemblesRoutes = new Hono<AppEnv>();

export const ensembleBodySchema = z.strictObject({
  name: z.string().max(64),
  size: z.number().int().optional(),
  regions: z.array(z.string().max(8)).max(5).optional(),
  limits: ensembleLimitsSchema.optional(),
});

/** Member `index` of `record`, created in its region when it is first reached. */
function memberOf(env: Env, record: EnsembleRecord, index: number) {
  const id = env.MEMBER.idFromName(`${record.name}/${index}`);
  const hint = regionOf(record, index);
  return hint === undefined ? env.MEMBER.get(id) : env.MEMBER.get(id, { locationHint: hint });
}

function describe(
  e: RegisteredEnsemble | EnsembleRecord,
  isDefault = false,
  live: LiveMembers | null = null,
) {
  // After a membership change: the members it has now, each where it was placed.
  const ids = live === null ? Array.from({ length: e.size }, (_, i) => i) : servingIds(live);
  return {
    name: e.name,
    size: e.size,
    regions: [...e.regions],
    limits: { ...e.limits },
    members: ids.map((i) => ({
      member: i,
      region: memberRegion(e, live, i) ?? null,
    })),
    state: "state" in e ? e.state : "ready",
    createdMs: "createdMs" in e ? e.createdMs : null,
    default: isDefault,
    url: isDefault ? "/v1" : `/v1/e/${e.name}`,
  };
}

const defaultEnsemble = (env: Env): EnsembleRecord => ({
  name: env.ENSEMBLE_NAME,
  size: Number(env.ENSEMBLE_SIZE) as 3 | 5,
  regions: [],
});

ensemblesRoutes.post("/v1/ensembles", async (c) => {
  const body = await jsonBody(c, ensembleBodySchema);
  if (isFailure(body)) return fail(c, body);
  const record = ensembleRecord(body);
  if (isFailure(record)) return fail(c, record);
  if (record.name === c.env.ENSEMBLE_NAME)
    return fail(c, failure("NODEEXISTS", `"${record.name}" is the default ensemble`));
  const claimed = await registry(c.env).claim(record);
  if (!claimed.ok)
    return fail(
      c,
      failure(
        "NODEEXISTS",
        `Ensemble "${record.name}" exists (${claimed.existing.size} members, ${claimed.existing.state})`,
      ),
    );
  // Each member learns its record and starts; they elect a leader among themselves.
  await Promise.all(
    Array.from({ length: record.size }, (_, i) => memberOf(c.env, record, i).configure(record)),
  );
  await registry(c.env).setState(record.name, "ready");
  forget(record.name);
  return c.json(describe({ ...claimed.ensemble, state: "ready" }), 201);
});

ensemblesRoutes.get("/v1/ensembles", async (c) => {
  const list = await registry(c.env).list();
  return c.json({
    ensembles: await Promise.all([
      lookupMembers(c.env, c.env.ENSEMBLE_NAME).then((m) =>
        describe(defaultEnsemble(c.env), true, m),
      ),
      ...list.map(async (e) => describe(e, false, await lookupMembers(c.env, e.name))),
    ]),
  });
});

ensemblesRoutes.get("/v1/ensembles/:name", async (c) => {
  const name = c.req.param("name");
  if (name === c.env.ENSEMBLE_NAME)
    return c.json(describe(defaultEnsemble(c.env), true, await lookupMembers(c.env, name)));
  const found = await registry(c.env).get(name);
  return found
    ? c.json(describe(found, false, await lookupMembers(c.env, name)))
    : missing(name, "does not exist");
});

/** Deletes the ensemble: every member's storage, then its record. Repeating it finishes it. */
ensemblesRoutes.delete("/v1/ensembles/:name", async (c) => {
  const name = c.req.param("name");
  if (name === c.env.ENSEMBLE_NAME)
    return fail(c, failure("BADARGUMENTS", "The default ensemble cannot be deleted"));
  const found = await registry(c.env).get(name);
  if (!found) return missing(name, "does not exist");
  await registry(c.env).setState(name, "deleting");
  forget(name);
  // Members added later and removed ones (which keep a marker) are deleted too.
  const live = (await registry(c.env).membership(name)) ?? initialMembers(found.size);
  const ids = [
    ...new Set([
      ...Array.from({ length: found.size }, (_, i) => i),
      ...servingIds(live),
      ...live.retired,
    ]),
  ];
  const bytesLeft = await Promise.all(
    ids.map(async (i) => {
      try {
        return await memberOf(c.env, found, i).destroy();
      } catch (error) {
        // The member ends itself right after answering; an end that overtook the answer is fine.
        if (String(error).includes(ensembleDeleted)) return 0;
        throw error;
      }
    }),
  );
  await registry(c.env).remove(name);
  forget(name);
  return c.json({ name, deleted: true, bytesLeft });
});
