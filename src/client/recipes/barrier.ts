// A double barrier: `enter` returns once `size` participants have entered, `leave` once all of
// them have left. Participants are ephemeral nodes, so a dead one does not hold others forever,
// and a participant whose own session ends stops waiting with the reason.

import type { EdgeKeeperClient } from "../client.ts";
import { KeeperError } from "../keeper-error.ts";
import { createUnder, ensurePath, waitForDeletion, whileAlive } from "./sequence.ts";

export class DoubleBarrier {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #size: number;
  readonly #name: string;

  constructor(zk: EdgeKeeperClient, path: string, size: number, name: string) {
    this.#zk = zk;
    this.#path = path;
    this.#size = size;
    this.#name = name;
  }

  async enter(): Promise<void> {
    await createUnder(this.#zk, this.#path, this.#name, "", "ephemeral");
    await this.#until((n) => n >= this.#size);
  }

  async leave(): Promise<void> {
    await this.#zk.delete(`${this.#path}/${this.#name}`);
    await this.#until((n) => n === 0);
  }

  /** Waits (with child watches, no polling) until the participant count satisfies `done`. */
  async #until(done: (count: number) => boolean): Promise<void> {
    for (;;) {
      let changed!: () => void;
      const next = new Promise<void>((resolve) => {
        changed = resolve;
      });
      const { children } = await this.#zk.getChildren(this.#path, { watch: () => changed() });
      if (done(children.length)) return;
      await whileAlive(this.#zk, next);
    }
  }
}

/**
 * A simple barrier (ZooKeeper's recipe): while the barrier node exists, `waitOn` blocks; removing
 * it releases every waiter at once.
 */
export class Barrier {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;

  constructor(zk: EdgeKeeperClient, path: string) {
    this.#zk = zk;
    this.#path = path;
  }

  /** Raises the barrier (a no-op when it is already up). */
  async set(): Promise<void> {
    const parent = this.#path.slice(0, this.#path.lastIndexOf("/"));
    if (parent) await ensurePath(this.#zk, parent);
    await this.#zk.create(this.#path).catch((e: unknown) => {
      if (!(e instanceof KeeperError && e.error === "NODEEXISTS")) throw e;
    });
  }

  async remove(): Promise<void> {
    await this.#zk.delete(this.#path).catch((e: unknown) => {
      if (!(e instanceof KeeperError && e.error === "NONODE")) throw e;
    });
  }

  /** Resolves once the barrier is down. */
  waitOn(): Promise<void> {
    return waitForDeletion(this.#zk, this.#path);
  }
}
