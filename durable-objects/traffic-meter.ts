// The client operations one member served, in short buckets over the last minutes: what the
// dashboard charts as throughput and write latency (status().traffic). Kept in memory only — a
// member that sleeps or restarts starts a new history, which is what "the last minutes" means.

export interface TrafficBucket {
  /** Epoch ms at which the bucket starts (a multiple of bucketMs). */
  readonly startMs: number;
  readonly writes: number;
  readonly reads: number;
  /** Sum and maximum of the writes' time from arrival to answer, in ms. */
  readonly writeMsSum: number;
  readonly writeMsMax: number;
}

export interface TrafficReading {
  readonly bucketMs: number;
  /** When the reading was taken: the newest bucket is still filling. */
  readonly nowMs: number;
  /** Oldest first; buckets in which nothing happened are left out. */
  readonly buckets: readonly TrafficBucket[];
}

interface Bucket {
  startMs: number;
  writes: number;
  reads: number;
  writeMsSum: number;
  writeMsMax: number;
}

/** Five-second buckets over five minutes. */
export const trafficBucketMs = 5_000;
export const trafficBucketCount = 60;

export class TrafficMeter {
  readonly #now: () => number;
  readonly #buckets: Bucket[] = [];

  constructor(now: () => number) {
    this.#now = now;
  }

  /** A write answered after `elapsedMs` (whatever its outcome: the client waited that long). */
  write(elapsedMs: number): void {
    const b = this.#current();
    b.writes++;
    b.writeMsSum += elapsedMs;
    if (elapsedMs > b.writeMsMax) b.writeMsMax = elapsedMs;
  }

  /** `count` reads answered (a multi-read counts its operations). */
  read(count = 1): void {
    this.#current().reads += count;
  }

  reading(): TrafficReading {
    const nowMs = this.#now();
    this.#forget(nowMs);
    return {
      bucketMs: trafficBucketMs,
      nowMs,
      buckets: this.#buckets.map((b) => ({ ...b })),
    };
  }

  #current(): Bucket {
    const nowMs = this.#now();
    const startMs = nowMs - (nowMs % trafficBucketMs);
    const last = this.#buckets.at(-1);
    if (last !== undefined && last.startMs === startMs) return last;
    const fresh = { startMs, writes: 0, reads: 0, writeMsSum: 0, writeMsMax: 0 };
    this.#buckets.push(fresh);
    this.#forget(nowMs);
    return fresh;
  }

  #forget(nowMs: number): void {
    const oldestMs = nowMs - trafficBucketMs * trafficBucketCount;
    while (this.#buckets.length > 0 && (this.#buckets[0]?.startMs ?? 0) <= oldestMs)
      this.#buckets.shift();
  }
}
