// Latency samples and their percentiles (exact: every sample is kept and sorted once).

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export class LatencySamples {
  #values: number[] = [];

  add(ms: number): void {
    this.#values.push(ms);
  }

  get count(): number {
    return this.#values.length;
  }

  summary(): LatencySummary {
    const sorted = Float64Array.from(this.#values).sort();
    const at = (q: number) =>
      sorted.length === 0
        ? 0
        : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      count: sorted.length,
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
      p999Ms: round(at(0.999)),
      maxMs: round(sorted[sorted.length - 1] ?? 0),
    };
  }
}
