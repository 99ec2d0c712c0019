// Service registration and discovery: an instance registers an ephemeral node carrying its
// address (gone with its session); clients list instances and follow changes with a child watch.

import type { EdgeKeeperClient } from "../client.ts";
import { KeeperError } from "../keeper-error.ts";
import { createUnder, ensurePath } from "./sequence.ts";

export interface Instance {
  readonly id: string;
  readonly address: string;
}

export class ServiceRegistry {
  readonly #zk: EdgeKeeperClient;
  readonly #root: string;

  constructor(zk: EdgeKeeperClient, root = "/services") {
    this.#zk = zk;
    this.#root = root;
  }

  /** Registers this instance until its session ends (or the returned function is called). */
  async register(service: string, id: string, address: string): Promise<() => Promise<void>> {
    const path = await createUnder(this.#zk, `${this.#root}/${service}`, id, address, "ephemeral");
    return () => this.#zk.delete(path);
  }

  async instances(service: string): Promise<Instance[]> {
    try {
      return await this.#read(
        service,
        (await this.#zk.getChildren(`${this.#root}/${service}`)).children,
      );
    } catch (e) {
      if (e instanceof KeeperError && e.error === "NONODE") return [];
      throw e;
    }
  }

  /** Calls `onChange` with the instance list now and after every change, until stopped. */
  async follow(
    service: string,
    onChange: (instances: Instance[]) => void,
  ): Promise<() => Promise<void>> {
    const dir = `${this.#root}/${service}`;
    await ensurePath(this.#zk, dir);
    const stop = await this.#zk.addWatch(dir, (e) => {
      if (e.event !== "NodeChildrenChanged") return;
      // A re-read that fails (the client ended meanwhile) reports nothing; the next change will.
      this.instances(service).then(onChange, () => {});
    });
    onChange(await this.instances(service));
    return stop;
  }

  async #read(service: string, ids: readonly string[]): Promise<Instance[]> {
    const out: Instance[] = [];
    for (const id of [...ids].sort()) {
      try {
        const { data } = await this.#zk.getData(`${this.#root}/${service}/${id}`);
        out.push({ id, address: new TextDecoder().decode(data) });
      } catch (e) {
        if (!(e instanceof KeeperError && e.error === "NONODE")) throw e;
      }
    }
    return out;
  }
}
