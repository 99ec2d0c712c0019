// A counting semaphore: like the mutex, but the first `permits` contenders in sequence order hold
// a lease; a waiter watches the contender `permits` places ahead of it.

import type { EdgeKeeperClient } from "../client.ts";
import { bySequence, createUnder, waitForDeletion } from "./sequence.ts";

export class Semaphore {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #permits: number;

  constructor(zk: EdgeKeeperClient, path: string, permits: number) {
    if (!(Number.isInteger(permits) && permits > 0))
      throw new Error("permits must be a positive integer");
    this.#zk = zk;
    this.#path = path;
    this.#permits = permits;
  }

  /** Waits for a lease; returns a function that gives it back. */
  async acquire(): Promise<() => Promise<void>> {
    const mine = await createUnder(this.#zk, this.#path, "lease-", "", "ephemeral_sequential");
    const name = mine.slice(this.#path.length + 1);
    for (;;) {
      const order = bySequence((await this.#zk.getChildren(this.#path)).children, "lease-");
      const at = order.indexOf(name);
      if (at < 0) throw new Error(`lease node ${mine} vanished (session lost?)`);
      if (at < this.#permits) return () => this.#zk.delete(mine);
      await waitForDeletion(this.#zk, `${this.#path}/${order[at - this.#permits]}`);
    }
  }
}
