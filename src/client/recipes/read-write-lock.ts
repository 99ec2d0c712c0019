// A read-write lock (ZooKeeper's shared-lock recipe): readers wait only for earlier writers,
// writers for everyone before them; each waits on one node, so there is no herd. A lease holds
// only while the connection can be trusted (recipes/lease.ts).

import type { EdgeKeeperClient } from "../client.ts";
import type { HoldingOptions } from "./holding.ts";
import { heldLease, type Lease } from "./lease.ts";
import { createWithZxid, sequenceOf, waitForDeletion } from "./sequence.ts";

export class ReadWriteLock {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #options: HoldingOptions;

  constructor(zk: EdgeKeeperClient, path: string, options: HoldingOptions = {}) {
    this.#zk = zk;
    this.#path = path;
    this.#options = options;
  }

  /** A shared lease (call it to release). */
  readLock(): Promise<Lease> {
    return this.#acquire("read-", (earlier) => earlier.filter((n) => n.startsWith("write-")));
  }

  /** The exclusive lease (call it to release). */
  writeLock(): Promise<Lease> {
    return this.#acquire("write-", (earlier) => earlier);
  }

  async #acquire(prefix: string, blockers: (earlier: string[]) => string[]): Promise<Lease> {
    const mine = await createWithZxid(this.#zk, this.#path, prefix, "", "ephemeral_sequential");
    const name = mine.path.slice(this.#path.length + 1);
    for (;;) {
      const all = (await this.#zk.getChildren(this.#path)).children
        .filter((c) => c.startsWith("read-") || c.startsWith("write-"))
        .sort((a, b) => sequenceOf(a) - sequenceOf(b));
      const at = all.indexOf(name);
      if (at < 0) throw new Error(`lock node ${mine.path} vanished (session lost?)`);
      const blocking = blockers(all.slice(0, at));
      const last = blocking.at(-1);
      if (last === undefined) return heldLease(this.#zk, mine, this.#options);
      await waitForDeletion(this.#zk, `${this.#path}/${last}`);
    }
  }
}
