// Every bound edgekeeper puts on what one client can make a member do: its name, its default,
// and the error a request that passes it gets. LIMITS (a JSON object) overrides any of them.

import { z } from "zod";

export interface Limits {
  /** Bytes of data and names one read reply may carry (ZooKeeper's jute.maxbuffer). */
  readonly maxReplyBytes: number;
  /** Paths one setWatches may re-register, all kinds together. */
  readonly maxSetWatchesPaths: number;
  /** Open sessions in the ensemble. */
  readonly maxSessions: number;
  /** Client WebSockets one member holds. */
  readonly maxConnectionsPerMember: number;
  /** Watches one connection (one session) may hold. */
  readonly maxWatchesPerSession: number;
  /** Requests one connection may have unanswered. */
  readonly maxOutstandingRequests: number;
  /** Ephemeral nodes one session may own. */
  readonly maxEphemeralsPerSession: number;
  /** Bytes of one log entry (one write or multi, encoded); SQLite rows stop at 2 MB. */
  readonly maxEntryBytes: number;
  /** Long-poll watches waiting at one member. */
  readonly maxLongPolls: number;
  /** Time between two snapshot downloads from the ensemble. */
  readonly snapshotIntervalMs: number;
  /** Znodes in the ensemble's tree (QUOTAEXCEEDED past it). */
  readonly maxZnodes: number;
  /** Bytes of data in the ensemble's tree (QUOTAEXCEEDED past it); an object stores 10 GB. */
  readonly maxTreeBytes: number;
}

export const defaultLimits: Limits = {
  maxReplyBytes: 1024 * 1024,
  maxSetWatchesPaths: 10_000,
  maxSessions: 20_000,
  maxConnectionsPerMember: 5_000,
  maxWatchesPerSession: 10_000,
  maxOutstandingRequests: 1_000,
  maxEphemeralsPerSession: 1_000,
  maxEntryBytes: 1_536 * 1024,
  maxLongPolls: 1_000,
  snapshotIntervalMs: 5 * 60_000,
  maxZnodes: 10_000_000,
  maxTreeBytes: 8 * 1024 ** 3,
};

const count = z.number().int().positive();
const overridesSchema = z.strictObject({
  maxReplyBytes: count.optional(),
  maxSetWatchesPaths: count.optional(),
  maxSessions: count.optional(),
  maxConnectionsPerMember: count.optional(),
  maxWatchesPerSession: count.optional(),
  maxOutstandingRequests: count.optional(),
  maxEphemeralsPerSession: count.optional(),
  // Leaves room for the row's other columns under SQLite's 2,000,000-byte limit.
  maxEntryBytes: count.max(1_900_000).optional(),
  maxLongPolls: count.optional(),
  snapshotIntervalMs: z.number().int().min(0).optional(),
  maxZnodes: count.optional(),
  maxTreeBytes: count.optional(),
});

/** What one ensemble's record may set for itself (POST /v1/ensembles): its size caps. */
export const ensembleLimitsSchema = z.strictObject({
  maxZnodes: count.optional(),
  maxTreeBytes: count.optional(),
  maxSessions: count.optional(),
});

/** The limits with LIMITS applied; throws a precise error for a malformed value. */
export function limitsFrom(json: string | undefined): Limits {
  if (json === undefined || json.trim() === "") return defaultLimits;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`LIMITS must be a JSON object, not ${JSON.stringify(json)}`);
  }
  const parsed = overridesSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`LIMITS ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "rejected"}`);
  }
  const overrides = Object.fromEntries(
    Object.entries(parsed.data).filter(([, v]) => v !== undefined),
  );
  return { ...defaultLimits, ...overrides };
}
