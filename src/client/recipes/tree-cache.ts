// A local cache of a subtree, kept current by one recursive watch: an initial load, then every
// created/changed/deleted event re-reads or drops the node. Reconnects are covered by the SDK
// replaying what the recursive watch missed.

import type { EdgeKeeperClient, Stat } from "../client.ts";
import { KeeperError } from "../keeper-error.ts";

export interface CachedNode {
  readonly data: Uint8Array;
  readonly stat: Stat;
}

export class TreeCache {
  readonly #zk: EdgeKeeperClient;
  readonly #root: string;
  readonly #nodes = new Map<string, CachedNode>();
  #stop: (() => Promise<void>) | null = null;
  #applied = Promise.resolve();

  constructor(zk: EdgeKeeperClient, root: string) {
    this.#zk = zk;
    this.#root = root;
  }

  get(path: string): CachedNode | undefined {
    return this.#nodes.get(path);
  }

  paths(): string[] {
    return [...this.#nodes.keys()].sort();
  }

  /** Loads the subtree and starts following it. */
  async start(): Promise<void> {
    this.#stop = await this.#zk.addWatch(
      this.#root,
      (e) => {
        // Events are applied in order, one at a time.
        this.#applied = this.#applied
          .then(async () => {
            if (e.event === "NodeDeleted") this.#drop(e.path);
            else await this.#load(e.path);
          })
          // A load that fails (the client ended meanwhile) leaves that entry as it was; the
          // chain must go on for the events behind it.
          .catch(() => {});
      },
      { recursive: true },
    );
    await this.#loadTree(this.#root);
  }

  /** Resolves once every event received so far has been applied to the cache. */
  settled(): Promise<void> {
    return this.#applied;
  }

  async stop(): Promise<void> {
    await this.#stop?.();
    this.#stop = null;
  }

  async #loadTree(path: string): Promise<void> {
    if (!(await this.#load(path))) return;
    const { children } = await this.#zk
      .getChildren(path)
      .catch(() => ({ children: [] as string[] }));
    for (const child of children)
      await this.#loadTree(path === "/" ? `/${child}` : `${path}/${child}`);
  }

  async #load(path: string): Promise<boolean> {
    try {
      const node = await this.#zk.getData(path);
      this.#nodes.set(path, node);
      return true;
    } catch (e) {
      if (e instanceof KeeperError && e.error === "NONODE") {
        this.#nodes.delete(path);
        return false;
      }
      throw e;
    }
  }

  #drop(path: string): void {
    this.#nodes.delete(path);
  }
}
