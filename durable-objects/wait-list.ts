// Requests parked until the replica reaches some point, each with a wall-clock deadline that the
// member's alarm honours (a waiting request is one of the few reasons a member books a wake-up).

export interface Parked<T> {
  readonly deadlineMs: number;
  readonly resolve: (value: T) => void;
}

export class WaitList<T, W extends Parked<T> = Parked<T>> {
  #items: W[] = [];

  get size(): number {
    return this.#items.length;
  }

  add(item: W): void {
    this.#items.push(item);
  }

  /** Resolves, with `value`, every waiter `done` accepts. */
  release(done: (item: W) => boolean, value: T): void {
    if (this.#items.length === 0) return;
    const due = this.#items.filter(done);
    if (due.length === 0) return;
    this.#items = this.#items.filter((w) => !done(w));
    for (const w of due) w.resolve(value);
  }

  /** Resolves, with `value`, every waiter whose deadline has passed. */
  expire(nowMs: number, value: T): void {
    this.release((w) => w.deadlineMs <= nowMs, value);
  }

  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const w of this.#items) if (next === null || w.deadlineMs < next) next = w.deadlineMs;
    return next;
  }
}

/** The earliest of several optional deadlines. */
export function earliest(...deadlines: ReadonlyArray<number | null>): number | null {
  let next: number | null = null;
  for (const d of deadlines) if (d !== null && (next === null || d < next)) next = d;
  return next;
}
