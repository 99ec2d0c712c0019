// The leader's session expiry schedule (ZooKeeper's ExpiryQueue): deadlines rounded up to a
// bucket of ticks, so a touch is O(1) and one timer serves every session in a bucket.

export class ExpiryQueue {
  readonly #bucketTicks: number;
  readonly #deadlineOf = new Map<bigint, number>();
  readonly #buckets = new Map<number, Set<bigint>>();

  constructor(bucketTicks: number) {
    if (!(Number.isInteger(bucketTicks) && bucketTicks > 0))
      throw new Error(`bad bucket size ${bucketTicks}`);
    this.#bucketTicks = bucketTicks;
  }

  get size(): number {
    return this.#deadlineOf.size;
  }

  /** Pushes `id`'s deadline to `timeoutTicks` after `nowTick`, rounded up to the next bucket. */
  touch(id: bigint, nowTick: number, timeoutTicks: number): void {
    const deadline =
      (Math.floor((nowTick + timeoutTicks) / this.#bucketTicks) + 1) * this.#bucketTicks;
    const previous = this.#deadlineOf.get(id);
    if (previous === deadline) return;
    if (previous !== undefined) this.#leave(id, previous);
    this.#deadlineOf.set(id, deadline);
    let bucket = this.#buckets.get(deadline);
    if (!bucket) {
      bucket = new Set();
      this.#buckets.set(deadline, bucket);
    }
    bucket.add(id);
  }

  remove(id: bigint): void {
    const deadline = this.#deadlineOf.get(id);
    if (deadline === undefined) return;
    this.#leave(id, deadline);
    this.#deadlineOf.delete(id);
  }

  /** Forgets every session (leadership lost: the next leader starts its own schedule). */
  clear(): void {
    this.#deadlineOf.clear();
    this.#buckets.clear();
  }

  deadlineOf(id: bigint): number | undefined {
    return this.#deadlineOf.get(id);
  }

  /** The earliest deadline, for scheduling the next check. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const deadline of this.#buckets.keys())
      if (min === undefined || deadline < min) min = deadline;
    return min;
  }

  /** Removes and returns every session whose deadline is at or before `nowTick`, in id order. */
  expire(nowTick: number): bigint[] {
    const out: bigint[] = [];
    for (const [deadline, bucket] of [...this.#buckets]) {
      if (deadline > nowTick) continue;
      for (const id of bucket) {
        out.push(id);
        this.#deadlineOf.delete(id);
      }
      this.#buckets.delete(deadline);
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  #leave(id: bigint, deadline: number): void {
    const bucket = this.#buckets.get(deadline);
    bucket?.delete(id);
    if (bucket?.size === 0) this.#buckets.delete(deadline);
  }
}
