// A fair distributed mutex (ZooKeeper's lock recipe): each contender creates an
// ephemeral-sequential node and waits only for the node just before its own, so a release wakes
// exactly one waiter (no herd). It is re-entrant (per Mutex object), acquire can time out, and a
// holder keeps the lock only while its connection can be trusted (recipes/holding.ts) — given up
// on a long suspension, held again when the session survived (its node did, so nobody else got
// in). The
// fencing token — the zxid that created the holder's node — lets a resource refuse a deposed
// holder's late writes; docs/recipes.md says what a lock can and cannot guarantee.

import type { EdgeKeeperClient } from "../client.ts";
import { Holding, type HoldingOptions } from "./holding.ts";
import { bySequence, createWithZxid, waitForDeletion } from "./sequence.ts";

export interface MutexOptions extends HoldingOptions {
  /** The name prefix of the contenders' nodes (default "lock-"). */
  readonly prefix?: string;
}

export class Mutex {
  readonly #zk: EdgeKeeperClient;
  readonly #path: string;
  readonly #prefix: string;
  readonly #holding: Holding;
  #node: string | null = null;
  #czxid: number | null = null;
  #holds = 0;
  /** A node given up while the connection was suspended, deleted once it is back. */
  #abandoned: string | null = null;
  readonly #lostListeners = new Set<() => void>();
  readonly #changeListeners = new Set<(held: boolean) => void>();

  constructor(zk: EdgeKeeperClient, path: string, options: MutexOptions | string = {}) {
    const o = typeof options === "string" ? { prefix: options } : options;
    this.#zk = zk;
    this.#path = path;
    this.#prefix = o.prefix ?? "lock-";
    this.#holding = new Holding(
      zk,
      o,
      (final) => this.#lose(final),
      () => void this.#regain(),
    );
  }

  /** True while this Mutex holds the lock and its connection can be trusted (own clock). */
  get held(): boolean {
    return this.#node !== null && this.#holding.valid;
  }

  /** While held: the zxid that created the holder's node, growing with every new holder. */
  get fencingToken(): number | null {
    return this.held ? this.#czxid : null;
  }

  /** Told when the lock is lost without a release (the connection could no longer be trusted). */
  onLost(listener: () => void): () => void {
    this.#lostListeners.add(listener);
    return () => {
      this.#lostListeners.delete(listener);
    };
  }

  /** Told false when the lock is lost, and true when it is held again after a reconnect. */
  onChange(listener: (held: boolean) => void): () => void {
    this.#changeListeners.add(listener);
    return () => {
      this.#changeListeners.delete(listener);
    };
  }

  /**
   * Waits until this client holds the lock; with `timeoutMs`, gives up after it (false, and
   * nothing left behind). Acquiring a lock this Mutex holds counts one more hold.
   */
  async acquire(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.#node !== null) {
      if (!this.held) throw new Error(`the lock at ${this.#path} was lost; release it first`);
      this.#holds++;
      return true;
    }
    const deadline =
      options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    const mine = await createWithZxid(
      this.#zk,
      this.#path,
      this.#prefix,
      "",
      "ephemeral_sequential",
    );
    const name = mine.path.slice(this.#path.length + 1);
    try {
      for (;;) {
        const order = bySequence((await this.#zk.getChildren(this.#path)).children, this.#prefix);
        const at = order.indexOf(name);
        if (at < 0) throw new Error(`lock node ${mine.path} vanished (session lost?)`);
        if (at === 0) {
          this.#node = mine.path;
          this.#czxid = mine.czxid;
          this.#holds = 1;
          this.#holding.start();
          return true;
        }
        const left = deadline - Date.now();
        if (
          left <= 0 ||
          !(await within(waitForDeletion(this.#zk, `${this.#path}/${order[at - 1]}`), left))
        ) {
          await this.#zk.delete(mine.path).catch(() => {});
          return false;
        }
      }
    } catch (e) {
      await this.#zk.delete(mine.path).catch(() => {});
      throw e;
    }
  }

  /** Gives up one hold; the last one deletes the node, letting the next waiter in. */
  async release(): Promise<void> {
    const node = this.#node;
    if (!node) return;
    if (--this.#holds > 0) return;
    this.#node = null;
    this.#czxid = null;
    this.#holding.stop();
    await this.#zk.delete(node);
  }

  /** Runs `body` while holding the lock. */
  async with<T>(body: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await body();
    } finally {
      await this.release();
    }
  }

  /** The hold cannot be trusted: give it up (and tell); `final` when the session is gone. */
  #lose(final: boolean): void {
    if (final) this.#holding.stop();
    if (this.#node === null) return;
    if (!final) this.#abandoned = this.#node;
    this.#node = null;
    this.#czxid = null;
    this.#holds = 0;
    for (const l of [...this.#lostListeners]) l();
    for (const l of [...this.#changeListeners]) l(false);
  }

  /**
   * Back after a loss with the session intact: the lock node survived, so nobody else could have
   * taken the lock — it is held again (one hold), and the app is told.
   */
  async #regain(): Promise<void> {
    const node = this.#abandoned;
    if (!node) return;
    this.#abandoned = null;
    const stat = await this.#zk.exists(node).catch(() => null);
    if (stat === null || this.#node !== null) {
      this.#holding.stop();
      return;
    }
    this.#node = node;
    this.#czxid = stat.czxid;
    this.#holds = 1;
    for (const l of [...this.#changeListeners]) l(true);
  }
}

/** True when `promise` settles within `ms` (forever when it is infinite), false after. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  // setTimeout takes anything past 2^31 - 1 ms (infinity included) as 1 ms.
  if (ms > 2_147_483_647) {
    await promise;
    return true;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(() => true as const);
  // Once the time is up nobody waits for it: a later failure (the client ended) is nobody's.
  settled.catch(() => {});
  try {
    return await Promise.race([settled, late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
