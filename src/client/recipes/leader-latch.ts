// Leader election (Curator's LeaderLatch): the contender with the lowest sequence number leads;
// the others each watch the one before them. LeaderObserver reports the current leader to
// anyone, without taking part.

import type { EdgeKeeperClient } from "../client.ts";
import { bySequence, createUnder, waitForDeletion } from "./sequence.ts";

export class LeaderLatch {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #id: string;
  #node: string | null = null;
  #leading = false;
  #closed = false;
  readonly #listeners = new Set<(leading: boolean) => void>();

  constructor(zk: EdgeKeeperClient, path: string, id: string) {
    this.#zk = zk;
    this.#path = path;
    this.#id = id;
  }

  get hasLeadership(): boolean {
    return this.#leading;
  }

  onChange(listener: (leading: boolean) => void): void {
    this.#listeners.add(listener);
  }

  /** Joins the election; resolves once this contender leads. */
  async start(): Promise<void> {
    this.#node = await createUnder(
      this.#zk,
      this.#path,
      "latch-",
      this.#id,
      "ephemeral_sequential",
    );
    const name = this.#node.slice(this.#path.length + 1);
    while (!this.#closed) {
      const order = bySequence((await this.#zk.getChildren(this.#path)).children, "latch-");
      const at = order.indexOf(name);
      if (at < 0) throw new Error("latch node vanished (session lost?)");
      if (at === 0) {
        this.#set(true);
        return;
      }
      await waitForDeletion(this.#zk, `${this.#path}/${order[at - 1]}`);
    }
  }

  /** Leaves the election (a leader steps down). */
  async close(): Promise<void> {
    this.#closed = true;
    const node = this.#node;
    this.#node = null;
    this.#set(false);
    if (node) await this.#zk.delete(node).catch(() => {});
  }

  #set(leading: boolean): void {
    if (this.#leading === leading) return;
    this.#leading = leading;
    for (const l of this.#listeners) l(leading);
  }
}

/** The id of the current leader under `path`, or null when nobody leads. */
export async function currentLeader(zk: EdgeKeeperClient, path: string): Promise<string | null> {
  const order = bySequence((await zk.getChildren(path)).children, "latch-");
  const first = order[0];
  if (first === undefined) return null;
  try {
    return new TextDecoder().decode((await zk.getData(`${path}/${first}`)).data);
  } catch {
    return null;
  }
}
