// A shared counter by compare-and-set on the node's version: increments never get lost.

import type { EdgeKeeperClient } from "../client.ts";
import { KeeperError } from "../keeper-error.ts";
import { ensurePath } from "./sequence.ts";

export class SharedCounter {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;

  constructor(zk: EdgeKeeperClient, path: string) {
    this.#zk = zk;
    this.#path = path;
  }

  async get(): Promise<number> {
    try {
      return Number(new TextDecoder().decode((await this.#zk.getData(this.#path)).data) || "0");
    } catch (e) {
      if (e instanceof KeeperError && e.error === "NONODE") return 0;
      throw e;
    }
  }

  /** Adds `delta` and returns the new value. */
  async add(delta = 1): Promise<number> {
    for (;;) {
      try {
        const { data, stat } = await this.#zk.getData(this.#path);
        const next = Number(new TextDecoder().decode(data) || "0") + delta;
        await this.#zk.setData(this.#path, String(next), stat.version);
        return next;
      } catch (e) {
        if (e instanceof KeeperError && e.error === "BADVERSION") continue;
        if (e instanceof KeeperError && e.error === "NONODE") {
          const parent = this.#path.slice(0, this.#path.lastIndexOf("/"));
          if (parent) await ensurePath(this.#zk, parent);
          try {
            await this.#zk.create(this.#path, "0");
          } catch (c) {
            if (!(c instanceof KeeperError && c.error === "NODEEXISTS")) throw c;
          }
          continue;
        }
        throw e;
      }
    }
  }
}
