// A double barrier: `enter` returns once `size` participants have entered, `leave` once all of
// them have left. Participants are ephemeral nodes, so a dead one does not hold others forever.

import type { EdgeKeeperClient } from "../client.ts";
import { createUnder } from "./sequence.ts";

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
      await next;
    }
  }
}
