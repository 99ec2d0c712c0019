// Where a member's time goes on its write path, per step, for the status read-out and the CPU
// budget per write (docs/performance.md). Each step's time is exclusive of the steps it calls.
// The clock is the runtime's: locally it advances with the work (ms resolution, so only sums over
// many writes mean anything); on Cloudflare it stands still while code runs, and this reads ≈ 0.

export const meteredSteps = [
  "prepare",
  "persist",
  "apply",
  "send",
  "settle",
  "consensus",
  "receive",
] as const;
export type MeteredStep = (typeof meteredSteps)[number];

export interface CpuReading {
  /** Milliseconds per step since the member woke. */
  readonly ms: Readonly<Record<MeteredStep, number>>;
  /** Committed entries applied and log entries persisted since it woke (Readies: `counters`). */
  readonly applied: number;
  readonly persisted: number;
  /** The largest batch of entries one Ready persisted (group commit's reach). */
  readonly largestBatch: number;
}

export class CpuMeter {
  readonly #ms = Object.fromEntries(meteredSteps.map((s) => [s, 0])) as Record<MeteredStep, number>;
  /** Time spent so far in steps inside the one running now (saved in a local around each). */
  #innerMs = 0;
  readonly #now: () => number;
  applied = 0;
  persisted = 0;
  largestBatch = 0;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /**
   * Runs `body`, charging its time, less that of steps inside it, to `step`. Called several times
   * per write (applies are timed per Ready): no object or array per call (a frame stack was
   * 1.7 % of the thread under sets).
   */
  time<T>(step: MeteredStep, body: () => T): T {
    const startMs = this.#now();
    const outerInnerMs = this.#innerMs;
    this.#innerMs = 0;
    try {
      return body();
    } finally {
      const elapsed = this.#now() - startMs;
      this.#ms[step] += elapsed - this.#innerMs;
      this.#innerMs = outerInnerMs + elapsed;
    }
  }

  batch(entries: number): void {
    this.persisted += entries;
    if (entries > this.largestBatch) this.largestBatch = entries;
  }

  reading(): CpuReading {
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      ms: Object.fromEntries(meteredSteps.map((s) => [s, round(this.#ms[s])])) as Record<
        MeteredStep,
        number
      >,
      applied: this.applied,
      persisted: this.persisted,
      largestBatch: this.largestBatch,
    };
  }
}
