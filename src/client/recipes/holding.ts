// What a holder of a lock or a leadership may believe about its connection, as Curator's
// recipes do: it holds only while connected and recently heard from the service. A suspended
// connection gives the hold up after a grace period well inside the session timeout; an expired,
// closed or refused session gives it up at once. The check reads the client's own clock, so a
// process that was paused knows the moment it runs again.

import type { EdgeKeeperClient } from "../client.ts";
import type { ConnectionState } from "../connection-states.ts";

export interface HoldingOptions {
  /**
   * How long after the service was last heard a hold is still trusted. Default: half the
   * session timeout (a healthy client hears a pong every third of it).
   */
  readonly graceMs?: number;
}

export class Holding {
  readonly #zk: EdgeKeeperClient;
  readonly #graceMs: number | undefined;
  readonly #lost: (final: boolean) => void;
  readonly #back: () => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stop: (() => void) | null = null;

  /**
   * `lost` runs when the hold must be given up (`final` when the session is gone, not just
   * suspended); `back` when a suspended session is resumed.
   */
  constructor(
    zk: EdgeKeeperClient,
    options: HoldingOptions,
    lost: (final: boolean) => void,
    back: () => void = () => {},
  ) {
    this.#zk = zk;
    this.#graceMs = options.graceMs;
    this.#lost = lost;
    this.#back = back;
  }

  get graceMs(): number {
    return this.#graceMs ?? Math.floor(this.#zk.sessionTimeoutMs / 2);
  }

  /** True while the hold may be trusted: connected, and heard from within the grace. */
  get valid(): boolean {
    return this.#zk.connected && this.#zk.sinceHeardMs() < this.graceMs;
  }

  /** Starts following the connection (call when the hold is taken). */
  start(): void {
    if (this.#stop) return;
    this.#stop = this.#zk.onState((s) => this.#on(s));
  }

  /** Stops following it (call when the hold is released). */
  stop(): void {
    this.#stop?.();
    this.#stop = null;
    this.#clear();
  }

  #on(state: ConnectionState): void {
    if (state === "suspended") {
      this.#clear();
      const left = Math.max(0, this.graceMs - this.#zk.sinceHeardMs());
      this.#timer = setTimeout(() => {
        this.#timer = null;
        if (!this.#zk.connected) this.#lost(false);
      }, left);
    } else if (state === "reconnected") {
      this.#clear();
      this.#back();
    } else if (state === "expired" || state === "closed" || state === "authFailed") {
      this.#clear();
      this.#lost(true);
    }
  }

  #clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
