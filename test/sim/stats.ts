// Summaries of simulation figures: medians and percentiles over many seeds.

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

export function summary(values: readonly number[]): string {
  if (values.length === 0) return "n/a";
  const fmt = (v: number | null) =>
    v === null ? "n/a" : Number.isInteger(v) ? String(v) : v.toFixed(2);
  return `median ${fmt(percentile(values, 50))}, p99 ${fmt(percentile(values, 99))} (n=${values.length})`;
}
