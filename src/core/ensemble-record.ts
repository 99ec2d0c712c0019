// An ensemble as a resource: its name, its size and the regions its members are placed in, and
// the rules a request to create one must pass (ensemble names appear in URLs and in every
// member's Durable Object name).

import { failure, type ZkFailure } from "./error-code.ts";

/** Cloudflare's location hints for Durable Objects (docs/operations.md). */
export const regions = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof regions)[number];

export interface EnsembleRecord {
  readonly name: string;
  readonly size: 3 | 5;
  /** Member i is created with hint regions[i % regions.length]; none: near the first request. */
  readonly regions: readonly Region[];
}

const namePattern = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** The record a create request describes, or why it is refused (BADARGUMENTS). */
export function ensembleRecord(input: {
  name: string;
  size?: number | undefined;
  regions?: readonly string[] | undefined;
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
  return { name: input.name, size, regions: asked as Region[] };
}

/** The location hint member `index` is created with, if any. */
export function regionOf(record: EnsembleRecord, index: number): Region | undefined {
  return record.regions.length === 0 ? undefined : record.regions[index % record.regions.length];
}
