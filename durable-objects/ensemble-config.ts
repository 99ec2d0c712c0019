// An ensemble's shape (from the variables, or from its record) and the deployment's timing and
// limits, with safe defaults.

import { type Limits, limitsFrom } from "../src/access/limits.ts";
import { defaultTuning } from "../src/core/consensus/config.ts";
import type { EnsembleLimits } from "../src/core/ensemble-record.ts";
import { maxMemberId } from "../src/core/live-members.ts";
import type { Env } from "../src/env.ts";

export interface EnsembleConfig {
  readonly name: string;
  readonly size: number;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly compactionEntries: number;
  /**
   * The applied tree's rows wait in memory at most this long before a transaction writes them
   * (TREE_FLUSH_MS; sooner when many wait, and always before the log is compacted).
   */
  readonly treeFlushMs: number;
  /** How long a request may wait for a leader, a commit or a local apply (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /**
   * Live sessions' deadlines are rounded up to a multiple of this (SESSION_CHECK_MS): idle
   * sessions cost one wake-up per interval, and a silent client that keeps its socket open is
   * expired at most this long after its timeout. A closed socket is exact.
   */
  readonly sessionCheckMs: number;
  readonly faultInjection: boolean;
  /** What one client may make a member do (LIMITS; src/access/limits.ts). */
  readonly limits: Limits;
}

/**
 * The configuration of an ensemble: the default one's shape comes from the variables, another's
 * from its record (created through /v1/ensembles); timing and limits are the deployment's.
 */
export function ensembleConfig(
  env: Env,
  shape: {
    readonly name: string;
    readonly size: number;
    readonly limits?: EnsembleLimits;
  } = {
    name: env.ENSEMBLE_NAME,
    size: int(env.ENSEMBLE_SIZE, 3),
  },
): EnsembleConfig {
  const size = shape.size;
  if (size !== 3 && size !== 5 && size !== 1)
    throw new Error(`ENSEMBLE_SIZE must be 3 or 5, not ${size}`);
  return {
    name: shape.name,
    size,
    tickMs: int(env.TICK_MS, 50),
    electionTicks: int(env.ELECTION_TICKS, defaultTuning.electionTicks),
    heartbeatTicks: int(env.HEARTBEAT_TICKS, defaultTuning.heartbeatTicks),
    compactionEntries: int(env.COMPACTION_ENTRIES, defaultTuning.compactionThresholdEntries),
    requestTimeoutMs: int(env.REQUEST_TIMEOUT_MS, 5_000),
    treeFlushMs: int(env.TREE_FLUSH_MS, 250),
    sessionCheckMs: int(env.SESSION_CHECK_MS, 60_000),
    faultInjection: env.FAULT_INJECTION === "on",
    // An ensemble's own caps win over the deployment's.
    limits: { ...limitsFrom(env.LIMITS), ...shape.limits },
  };
}

/** Member `<ensemble>/<i>` → i, or null for a name outside the ensemble. */
export function memberIndex(config: EnsembleConfig, name: string | undefined): number | null {
  if (name === undefined || !name.startsWith(`${config.name}/`)) return null;
  const index = Number(name.slice(config.name.length + 1));
  // Members added later are numbered past the first `size` (live-members.ts).
  return Number.isInteger(index) && index >= 0 && index <= maxMemberId ? index : null;
}

function int(value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`expected a positive integer, not "${value}"`);
  return n;
}
