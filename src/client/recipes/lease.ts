// A held lease (a semaphore permit, a read or write lock): calling it releases it, and like a
// Mutex it holds only while the client's connection can be trusted (recipes/holding.ts) — `held`
// reads the client's own clock, `onLost` says when it was given up, and `fencingToken` is the
// zxid that created its node.

import type { EdgeKeeperClient } from "../client.ts";
import { Holding, type HoldingOptions } from "./holding.ts";

export interface Lease {
  /** Releases the lease (deletes its node). */
  (): Promise<void>;
  readonly held: boolean;
  readonly fencingToken: number | null;
  onLost(listener: () => void): () => void;
}

export function heldLease(
  zk: EdgeKeeperClient,
  node: { path: string; czxid: number },
  options: HoldingOptions,
): Lease {
  let holding = true;
  const listeners = new Set<() => void>();
  const guard = new Holding(
    zk,
    options,
    (final) => {
      if (final) guard.stop();
      if (!holding) return;
      holding = false;
      for (const l of [...listeners]) l();
    },
    // Back after giving the lease up: its node would keep others waiting.
    () => {
      if (holding) return;
      guard.stop();
      void zk.delete(node.path).catch(() => {});
    },
  );
  guard.start();
  const release = async () => {
    const was = holding;
    holding = false;
    guard.stop();
    if (was) await zk.delete(node.path);
  };
  Object.defineProperties(release, {
    held: { get: () => holding && guard.valid },
    fencingToken: { get: () => (holding && guard.valid ? node.czxid : null) },
    onLost: {
      value: (listener: () => void) => {
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
    },
  });
  return release as Lease;
}
