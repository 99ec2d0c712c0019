// Leader election (Curator's LeaderLatch): the contender with the lowest sequence number leads;
// the others each watch the one before them. A leader keeps leadership only while its connection
// can be trusted (recipes/holding.ts): a suspended connection gives it up after a grace period,
// an expired session at once, and a paused process knows it lost it the moment it runs again.
// Leadership comes with a fencing token: the zxid that created the leader's node, which grows
// with every new leader. LeaderObserver reports the current leader to anyone.

import type { EdgeKeeperClient } from "../client.ts";
import { Holding, type HoldingOptions } from "./holding.ts";
import { bySequence, createWithZxid, waitForDeletion } from "./sequence.ts";

export class LeaderLatch {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #id: string;
  readonly #holding: Holding;
  #node: string | null = null;
  #czxid: number | null = null;
  #leading = false;
  #closed = false;
  #contending = false;
  readonly #listeners = new Set<(leading: boolean) => void>();

  constructor(zk: EdgeKeeperClient, path: string, id: string, options: HoldingOptions = {}) {
    this.#zk = zk;
    this.#path = path;
    this.#id = id;
    this.#holding = new Holding(
      zk,
      options,
      () => this.#set(false),
      // The session survived: this contender's node is still there; find out if it still leads.
      () => void this.#contend().catch(() => {}),
    );
  }

  /**
   * True while this contender leads and its connection can be trusted — checked against the
   * client's own clock, so it is false at once when a paused process resumes.
   */
  get hasLeadership(): boolean {
    return this.#leading && this.#holding.valid;
  }

  /**
   * While leading: the zxid that created this contender's node. Pass it with every write made as
   * leader; a resource that refuses tokens lower than the highest it has seen refuses a deposed
   * leader's late writes. null when not leading.
   */
  get fencingToken(): number | null {
    return this.hasLeadership ? this.#czxid : null;
  }

  /** Told true when leadership is gained and false when it is given up or lost. */
  onChange(listener: (leading: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Joins the election; resolves once this contender leads. */
  async start(): Promise<void> {
    const created = await createWithZxid(
      this.#zk,
      this.#path,
      "latch-",
      this.#id,
      "ephemeral_sequential",
    );
    this.#node = created.path;
    this.#czxid = created.czxid;
    this.#holding.start();
    await this.#contend();
  }

  /** Waits for the contenders before this one to go; leads when none is left. */
  async #contend(): Promise<void> {
    if (this.#contending || this.#closed || this.#node === null) return;
    this.#contending = true;
    try {
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
    } finally {
      this.#contending = false;
    }
  }

  /** Leaves the election (a leader steps down). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#holding.stop();
    const node = this.#node;
    this.#node = null;
    this.#set(false);
    if (node) await this.#zk.delete(node).catch(() => {});
  }

  #set(leading: boolean): void {
    if (this.#leading === leading) return;
    this.#leading = leading;
    for (const l of [...this.#listeners]) l(leading);
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
