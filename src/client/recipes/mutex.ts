// A fair distributed mutex (ZooKeeper's lock recipe): each contender creates an
// ephemeral-sequential node and waits only for the node just before its own, so a release wakes
// exactly one waiter (no herd). A holder whose session ends releases automatically.

import type { EdgeKeeperClient } from "../client.ts";
import { bySequence, createUnder, waitForDeletion } from "./sequence.ts";

export class Mutex {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #prefix: string;
  #node: string | null = null;

  constructor(zk: EdgeKeeperClient, path: string, prefix = "lock-") {
    this.#zk = zk;
    this.#path = path;
    this.#prefix = prefix;
  }

  get held(): boolean {
    return this.#node !== null;
  }

  /** Waits until this client holds the lock. */
  async acquire(): Promise<void> {
    if (this.#node) throw new Error("already held by this Mutex");
    const mine = await createUnder(this.#zk, this.#path, this.#prefix, "", "ephemeral_sequential");
    const name = mine.slice(this.#path.length + 1);
    for (;;) {
      const order = bySequence((await this.#zk.getChildren(this.#path)).children, this.#prefix);
      const at = order.indexOf(name);
      if (at < 0) throw new Error(`lock node ${mine} vanished (session lost?)`);
      if (at === 0) {
        this.#node = mine;
        return;
      }
      await waitForDeletion(this.#zk, `${this.#path}/${order[at - 1]}`);
    }
  }

  async release(): Promise<void> {
    const node = this.#node;
    if (!node) return;
    this.#node = null;
    await this.#zk.delete(node);
  }

  /** Runs `body` while holding the lock. */
  async with<T>(body: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await body();
    } finally {
      await this.release();
    }
  }
}
