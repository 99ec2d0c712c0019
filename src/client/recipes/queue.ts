// A distributed FIFO queue: producers append persistent-sequential nodes; a consumer takes the
// oldest by deleting it — only one delete can succeed, so each item is delivered once.

import type { EdgeKeeperClient } from "../client.ts";
import { KeeperError } from "../keeper-error.ts";
import { bySequence, createUnder, ensurePath } from "./sequence.ts";

export class DistributedQueue {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;

  constructor(zk: EdgeKeeperClient, path: string) {
    this.#zk = zk;
    this.#path = path;
  }

  async put(item: Uint8Array | string): Promise<void> {
    await createUnder(this.#zk, this.#path, "item-", item, "persistent_sequential");
  }

  /** The oldest item, or null when the queue is empty. */
  async poll(): Promise<Uint8Array | null> {
    await ensurePath(this.#zk, this.#path);
    for (;;) {
      const order = bySequence((await this.#zk.getChildren(this.#path)).children, "item-");
      if (order.length === 0) return null;
      for (const name of order) {
        const path = `${this.#path}/${name}`;
        try {
          const { data, stat } = await this.#zk.getData(path);
          await this.#zk.delete(path, stat.version);
          return data;
        } catch (e) {
          // Another consumer took it first: try the next.
          if (!(e instanceof KeeperError && (e.error === "NONODE" || e.error === "BADVERSION")))
            throw e;
        }
      }
    }
  }
}
