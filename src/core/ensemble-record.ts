// An ensemble as a resource: its name, its size and the regions its members are placed in, and
// the rules a request to create one must pass (ensemble names appear in URLs and in every
// member's Durable Object name).

import { failure, type ZkFailure } from "./error-code.ts";

/** Cloudflare's location hints for Durable Objects (docs/operations.md). */
export const regions = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof regions)[number];

/** Caps one ensemble sets for itself, over the deployment's LIMITS (docs/security.md). */
export interface EnsembleLimits {
  readonly maxZnodes?: number;
  readonly maxTreeBytes?: number;
  readonly maxSessions?: number;
}

export interface EnsembleRecord {
  readonly name: string;
  readonly size: 3 | 5;
  /** Member i is created with hint regions[i % regions.length]; none: near the first request. */
  readonly regions: readonly Region[];
  readonly limits?: EnsembleLimits;
}

const namePattern = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** The record a create request describes, or why it is refused (BADARGUMENTS). */
export function ensembleRecord(input: {
  name: string;
  size?: number | undefined;
  regions?: readonly string[] | undefined;
  limits?: { readonly [K in keyof EnsembleLimits]?: number | undefined } | undefined;
}): EnsembleRecord | ZkFailure {
  if (!namePattern.test(input.name))
    return failure(
      "BADARGUMENTS",
      `Ensemble name "${input.name}" must be 1–32 characters of a–z, 0–9 and inner hyphens`,
    );
  const size = input.size ?? 3;
  if (size !== 3 && size !== 5)
    return failure("BADARGUMENTS", `An ensemble has 3 or 5 members, not ${size}`);
  const asked = input.regions ?? [];
  const unknown = asked.find((r) => !(regions as readonly string[]).includes(r));
  if (unknown !== undefined)
    return failure("BADARGUMENTS", `Unknown region "${unknown}"; one of ${regions.join(", ")}`);
  if (asked.length > size)
    return failure("BADARGUMENTS", `${asked.length} regions for ${size} members`);
  const limits = Object.fromEntries(
    Object.entries(input.limits ?? {}).filter(([, v]) => v !== undefined),
  ) as EnsembleLimits;
  const bad = Object.entries(limits).find(([, v]) => !(Number.isSafeInteger(v) && v > 0));
  if (bad) return failure("BADARGUMENTS", `Limit ${bad[0]} must be a positive integer`);
  return Object.keys(limits).length === 0
    ? { name: input.name, size, regions: asked as Region[] }
    : { name: input.name, size, regions: asked as Region[], limits };
}

/**
 * The location hint member `index` is created with, if any: one of the ensemble's first `size`
 * (a member added later is placed by its own hint, live-members.ts).
 */
export function regionOf(
  record: { readonly size: number; readonly regions: readonly Region[] },
  index: number,
): Region | undefined {
  return record.regions.length === 0 || index >= record.size
    ? undefined
    : record.regions[index % record.regions.length];
}

/** Countries of the Middle East hint (Cloudflare's `me`), by ISO code. */
const middleEast = new Set([
  "AE",
  "BH",
  "IL",
  "IQ",
  "IR",
  "JO",
  "KW",
  "LB",
  "OM",
  "PS",
  "QA",
  "SA",
  "SY",
  "YE",
]);

/**
 * The location hint nearest to where a request came from (the edge's `request.cf`: continent,
 * country, longitude), or undefined when it does not say.
 */
export function regionNear(where: {
  readonly continent?: string | undefined;
  readonly country?: string | undefined;
  readonly longitude?: string | number | undefined;
}): Region | undefined {
  const longitude = where.longitude === undefined ? Number.NaN : Number(where.longitude);
  switch (where.continent) {
    case "NA":
      // The Mississippi, roughly: Cloudflare's wnam and enam.
      return Number.isFinite(longitude) && longitude < -95 ? "wnam" : "enam";
    case "SA":
      return "sam";
    case "EU":
      return Number.isFinite(longitude) && longitude > 20 ? "eeur" : "weur";
    case "AS":
      return middleEast.has(where.country ?? "") ? "me" : "apac";
    case "OC":
    case "AN":
      return "oc";
    case "AF":
      return "afr";
    default:
      return undefined;
  }
}

/** The first of `ids` placed in the region nearest to a request, if any is. */
export function nearestMember(
  ids: readonly number[],
  regionOfMember: (id: number) => Region | undefined,
  near: Region | undefined,
): number | undefined {
  return near === undefined ? undefined : ids.find((id) => regionOfMember(id) === near);
}
