// A counting semaphore: like the mutex, but the first `permits` contenders in sequence order hold
// a lease; a waiter watches the contender `permits` places ahead of it. A lease holds only while
// the connection can be trusted (recipes/lease.ts).

import type { EdgeKeeperClient } from "../client.ts";
import type { HoldingOptions } from "./holding.ts";
import { heldLease, type Lease } from "./lease.ts";
import { bySequence, createWithZxid, waitForDeletion } from "./sequence.ts";

export class Semaphore {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #permits: number;
  readonly #options: HoldingOptions;

  constructor(zk: EdgeKeeperClient, path: string, permits: number, options: HoldingOptions = {}) {
    if (!(Number.isInteger(permits) && permits > 0))
      throw new Error("permits must be a positive integer");
    this.#zk = zk;
    this.#path = path;
    this.#permits = permits;
    this.#options = options;
  }

  /** Waits for a lease; returns it (call it to give it back). */
  async acquire(): Promise<Lease> {
    const mine = await createWithZxid(this.#zk, this.#path, "lease-", "", "ephemeral_sequential");
    const name = mine.path.slice(this.#path.length + 1);
    for (;;) {
      const order = bySequence((await this.#zk.getChildren(this.#path)).children, "lease-");
      const at = order.indexOf(name);
      if (at < 0) throw new Error(`lease node ${mine.path} vanished (session lost?)`);
      if (at < this.#permits) return heldLease(this.#zk, mine, this.#options);
      await waitForDeletion(this.#zk, `${this.#path}/${order[at - this.#permits]}`);
    }
  }
}
