// A read-write lock (ZooKeeper's shared-lock recipe): readers wait only for earlier writers,
// writers for everyone before them; each waits on one node, so there is no herd.

import type { EdgeKeeperClient } from "../client.ts";
import { createUnder, sequenceOf, waitForDeletion } from "./sequence.ts";

export class ReadWriteLock {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;

  constructor(zk: EdgeKeeperClient, path: string) {
    this.#zk = zk;
    this.#path = path;
  }

  /** A shared lease; returns its release. */
  readLock(): Promise<() => Promise<void>> {
    return this.#acquire("read-", (earlier) => earlier.filter((n) => n.startsWith("write-")));
  }

  /** The exclusive lease; returns its release. */
  writeLock(): Promise<() => Promise<void>> {
    return this.#acquire("write-", (earlier) => earlier);
  }

  async #acquire(
    prefix: string,
    blockers: (earlier: string[]) => string[],
  ): Promise<() => Promise<void>> {
    const mine = await createUnder(this.#zk, this.#path, prefix, "", "ephemeral_sequential");
    const name = mine.slice(this.#path.length + 1);
    for (;;) {
      const all = (await this.#zk.getChildren(this.#path)).children
        .filter((c) => c.startsWith("read-") || c.startsWith("write-"))
        .sort((a, b) => sequenceOf(a) - sequenceOf(b));
      const at = all.indexOf(name);
      if (at < 0) throw new Error(`lock node ${mine} vanished (session lost?)`);
      const blocking = blockers(all.slice(0, at));
      const last = blocking.at(-1);
      if (last === undefined) return () => this.#zk.delete(mine);
      await waitForDeletion(this.#zk, `${this.#path}/${last}`);
    }
  }
}
