// How the dashboard writes sizes, durations, times and session ids.

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function time(ms: number): string {
  return ms === 0 ? "—" : new Date(ms).toISOString().replace("T", " ").replace("Z", " UTC");
}

/** A session id (decimal, as Stat's ephemeralOwner carries it) in ZooKeeper's hex. */
export function hexId(decimal: string): string {
  return `0x${BigInt(decimal).toString(16)}`;
}
