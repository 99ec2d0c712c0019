// How long a client waits before each reconnect attempt: exponential backoff with jitter, in the
// manner of Curator's ExponentialBackoffRetry (base × a random factor in [1, 2^(n+1)), capped),
// but with no attempt limit — a client keeps trying until its session is known to be gone.

export interface RetryPolicy {
  /** Milliseconds to wait before attempt `attempt` (0 for the first retry after a loss). */
  delayMs(attempt: number): number;
}

export interface BackoffOptions {
  /** The first retry waits between base and 2 × base (Curator's baseSleepTimeMs). */
  readonly baseMs?: number;
  /** No wait is longer than this (Curator's maxSleepMs). */
  readonly maxMs?: number;
  /** A source of uniform numbers in [0, 1); seed it to replay a test. */
  readonly random?: () => number;
}

/** The defaults: 250 ms base, 5 s cap — a client is back within ≈ 5 s of the service. */
export const defaultBackoff = { baseMs: 250, maxMs: 5_000 } as const;

export function exponentialBackoff(options: BackoffOptions = {}): RetryPolicy {
  const baseMs = options.baseMs ?? defaultBackoff.baseMs;
  const maxMs = options.maxMs ?? defaultBackoff.maxMs;
  const random = options.random ?? Math.random;
  if (!(baseMs > 0 && maxMs >= baseMs)) {
    throw new RangeError(`backoff needs 0 < baseMs ≤ maxMs, not ${baseMs} and ${maxMs}`);
  }
  return {
    delayMs(attempt: number): number {
      // 2^(n+1) stops growing long before it could overflow what the cap allows.
      const span = 2 ** Math.min(Math.max(0, attempt) + 1, 30);
      const factor = 1 + random() * (span - 1);
      return Math.min(maxMs, Math.round(baseMs * factor));
    },
  };
}
