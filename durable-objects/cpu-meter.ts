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
  readonly #stack: Array<{ step: MeteredStep; startMs: number; innerMs: number }> = [];
  readonly #now: () => number;
  applied = 0;
  persisted = 0;
  largestBatch = 0;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Runs `body`, charging its time, less that of steps inside it, to `step`. */
  time<T>(step: MeteredStep, body: () => T): T {
    const frame = { step, startMs: this.#now(), innerMs: 0 };
    this.#stack.push(frame);
    try {
      return body();
    } finally {
      this.#stack.pop();
      const elapsed = this.#now() - frame.startMs;
      this.#ms[step] += elapsed - frame.innerMs;
      const outer = this.#stack.at(-1);
      if (outer) outer.innerMs += elapsed;
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
