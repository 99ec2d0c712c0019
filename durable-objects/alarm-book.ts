// The member's one alarm, booked only for real deadlines. Each setAlarm() is billed as a row
// written, so a booking is made only when it must move earlier; a later deadline is left to the
// alarm that fires first (it finds nothing due and books the real one, or none).

export class AlarmBook {
  readonly #storage: DurableObjectStorage;
  readonly #booked: () => void;
  /** The alarm the runtime holds; undefined until read after a start. */
  #atMs: number | null | undefined;

  constructor(storage: DurableObjectStorage, booked: () => void) {
    this.#storage = storage;
    this.#booked = booked;
  }

  get bookedAtMs(): number | null {
    return this.#atMs ?? null;
  }

  /** Reads what survived eviction or a crash. */
  async load(): Promise<void> {
    if (this.#atMs === undefined) this.#atMs = await this.#storage.getAlarm();
  }

  /** The alarm fired: none is booked until the next bookBy. */
  fired(): void {
    this.#atMs = null;
  }

  /** Makes sure the member wakes by `atMs` (null: nothing is due). */
  bookBy(atMs: number | null): void {
    if (atMs === null || this.#atMs === undefined) return;
    if (this.#atMs !== null && this.#atMs <= atMs) return;
    this.#atMs = atMs;
    this.#booked();
    void this.#storage.setAlarm(atMs);
  }
}
