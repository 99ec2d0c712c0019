// Helpers the sequential-node recipes share: ensuring a parent exists and ordering children by
// their ZooKeeper sequence suffix.

import { ErrorCode } from "../../core/error-code.ts";
import type { CreateMode, EdgeKeeperClient } from "../client.ts";
import { KeeperError } from "../keeper-error.ts";

/** Creates `path` (and its ancestors) as containers unless they exist. */
export async function ensurePath(zk: EdgeKeeperClient, path: string): Promise<void> {
  let at = "";
  for (const segment of path.split("/").slice(1)) {
    at += `/${segment}`;
    try {
      await zk.create(at, "", { mode: "container" });
    } catch (e) {
      if (!(e instanceof KeeperError && e.error === "NODEEXISTS")) throw e;
    }
  }
}

/**
 * Creates a node under `parent`, recreating the parent if it is gone — a container parent can be
 * reaped by the leader the moment its last child leaves, as ZooKeeper warns.
 */
export async function createUnder(
  zk: EdgeKeeperClient,
  parent: string,
  name: string,
  data: Uint8Array | string,
  mode: CreateMode,
): Promise<string> {
  return (await createWithZxid(zk, parent, name, data, mode)).path;
}

/** Like createUnder, with the zxid that created the node (a lock's fencing token). */
export async function createWithZxid(
  zk: EdgeKeeperClient,
  parent: string,
  name: string,
  data: Uint8Array | string,
  mode: CreateMode,
): Promise<{ path: string; czxid: number }> {
  for (let attempt = 0; ; attempt++) {
    await ensurePath(zk, parent);
    try {
      const created = await zk.create(`${parent}/${name}`, data, { mode });
      return { path: created.path, czxid: created.stat.czxid };
    } catch (e) {
      if (!(e instanceof KeeperError && e.error === "NONODE") || attempt >= 5) throw e;
    }
  }
}

/** The sequence number ZooKeeper appended (the last ten characters, signed). */
export function sequenceOf(name: string): number {
  return Number(name.slice(-10));
}

/** Children carrying `prefix`, in sequence order. */
export function bySequence(children: readonly string[], prefix: string): string[] {
  return children.filter((c) => c.startsWith(prefix)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/** Resolves when `path` is gone (at once if it already is); fails if the client ends first. */
export function waitForDeletion(zk: EdgeKeeperClient, path: string): Promise<void> {
  return whileAlive(
    zk,
    new Promise((resolve, reject) => {
      zk.exists(path, { watch: () => resolve() })
        .then((stat) => {
          if (stat === null) resolve();
        })
        .catch(reject);
    }),
  );
}

/**
 * `waiting`, unless the client ends first (its session expired, it was closed or refused): then
 * a KeeperError saying so. A recipe waiting on a watch never hangs on a dead session.
 */
export function whileAlive<T>(zk: EdgeKeeperClient, waiting: Promise<T>): Promise<T> {
  const ended = (state: string) =>
    new KeeperError(
      state === "authFailed"
        ? {
            code: ErrorCode.AUTHFAILED,
            name: "AUTHFAILED",
            message: "The service refused the client",
          }
        : {
            code: ErrorCode.SESSIONEXPIRED,
            name: "SESSIONEXPIRED",
            message: `The client's session is ${state}`,
          },
    );
  const isEnd = (s: string) => s === "expired" || s === "closed" || s === "authFailed";
  if (isEnd(zk.state)) return Promise.reject(ended(zk.state));
  return new Promise((resolve, reject) => {
    const stop = zk.onState((s) => {
      if (!isEnd(s)) return;
      stop();
      reject(ended(s));
    });
    waiting.then(
      (v) => {
        stop();
        resolve(v);
      },
      (e: unknown) => {
        stop();
        reject(e);
      },
    );
  });
}
