// An ensemble's record as the Worker reads it from the registry, cached briefly, and the answer
// for one that does not exist.

import type { RegisteredEnsemble } from "../../durable-objects/registry.ts";
import { failure } from "../core/error-code.ts";
import type { LiveMembers } from "../core/live-members.ts";
import type { Env } from "../env.ts";
import { errorBody } from "../protocol/error-body.ts";

/** How long a Worker trusts what it read of an ensemble's record (ms). */
export const ensembleCacheMs = 10_000;

const cache = new Map<string, { ensemble: RegisteredEnsemble; readMs: number }>();

export function registry(env: Env) {
  return env.REGISTRY.getByName("registry");
}

/** The ensemble named `name` as the registry has it (cached), or null. */
export async function lookup(env: Env, name: string): Promise<RegisteredEnsemble | null> {
  const hit = cache.get(name);
  if (hit && Date.now() - hit.readMs < ensembleCacheMs) return hit.ensemble;
  const ensemble = await registry(env).get(name);
  // Only what exists is cached: an ensemble created by another Worker is found at once.
  if (ensemble !== null) cache.set(name, { ensemble, readMs: Date.now() });
  return ensemble;
}

const memberships = new Map<string, { members: LiveMembers | null; readMs: number }>();

/**
 * The membership the registry recorded for `name` after its last change (cached like records;
 * null: as created). A registry that does not answer leaves the ensemble as created, uncached.
 */
export async function lookupMembers(env: Env, name: string): Promise<LiveMembers | null> {
  const hit = memberships.get(name);
  if (hit && Date.now() - hit.readMs < ensembleCacheMs) return hit.members;
  try {
    const members = await registry(env).membership(name);
    memberships.set(name, { members, readMs: Date.now() });
    return members;
  } catch {
    return null;
  }
}

/** This Worker changed `name`'s membership: it routes by the new one at once. */
export function rememberMembers(name: string, members: LiveMembers): void {
  memberships.set(name, { members, readMs: Date.now() });
}

/** Forgets what this Worker cached of `name` (after it created or deleted it). */
export function forget(name: string): void {
  cache.delete(name);
  memberships.delete(name);
}

export function missing(name: string, why: string): Response {
  const f = failure("NONODE", `Ensemble "${name}" ${why}`, `/v1/e/${name}`);
  return Response.json(errorBody(f), { status: 404 });
}
