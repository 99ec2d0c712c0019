// Re-arming a reconnecting client's watches. One-shot watches follow ZooKeeper's SetWatches rules
// (fire a synthetic event when the node moved past the client's last-seen zxid, else re-arm).
// Persistent watches can go further than ZooKeeper: replay every change they missed from the
// change log, or say COMPACTED when that history is gone.

import { failure, type ZkFailure } from "../error-code.ts";
import { isWithin } from "../tree/path.ts";
import type { TreeEvent } from "../tree/tree-event.ts";
import type { ZnodeTree } from "../tree/znode-tree.ts";
import type { WatchTable } from "./watch-table.ts";

export interface WatchSet {
  readonly data: readonly string[];
  readonly exist: readonly string[];
  readonly child: readonly string[];
  readonly persistent: readonly string[];
  readonly persistentRecursive: readonly string[];
}

export interface Resumed {
  /** Events to deliver before anything else, in zxid order. */
  readonly events: TreeEvent[];
  /** Persistent watches that were re-armed but could not be replayed (history compacted). */
  readonly compacted: Array<{ path: string; failure: ZkFailure }>;
}

/** Change history is read this many zxids at a time, so no read is unbounded. */
const replayWindowZxids = 256;

/**
 * Re-registers `watches` for `watcher` relative to the client's last-seen zxid. With
 * `replayPersistent`, persistent watches also receive every retained change after that zxid.
 */
export function resumeWatches<W>(
  tree: ZnodeTree,
  table: WatchTable<W>,
  watcher: W,
  lastSeenZxid: number,
  watches: WatchSet,
  options: {
    replayPersistent: boolean;
    /** Whether the watcher may watch `path` (refused paths are neither armed nor fired). */
    mayWatch?: (path: string) => boolean;
    /** The events of a replay the watcher may hear. */
    visible?: (events: TreeEvent[]) => TreeEvent[];
  },
): Resumed | ZkFailure {
  const lastZxid = tree.lastZxid;
  if (lastSeenZxid > lastZxid) {
    return failure(
      "BADARGUMENTS",
      `Client has seen zxid ${lastSeenZxid} but this member has applied only ${lastZxid}`,
    );
  }
  const allowed = (paths: readonly string[]) =>
    options.mayWatch ? paths.filter(options.mayWatch) : paths;
  const events: TreeEvent[] = [];
  const store = tree.store;
  const data = allowed(watches.data);
  const child = allowed(watches.child);
  // One pass over the change log finds every deletion a missing node's synthetic event needs.
  const missing = [...data, ...child].filter((path) => store.getNode(path) === undefined);
  const deletions = missing.length > 0 ? lastDeletions(tree, new Set(missing), lastSeenZxid) : null;
  const deletedAt = (path: string) => deletions?.get(path) ?? lastZxid;
  for (const path of data) {
    const node = store.getNode(path);
    if (node === undefined) events.push({ type: "NodeDeleted", path, zxid: deletedAt(path) });
    else if (node.mzxid > lastSeenZxid)
      events.push({ type: "NodeDataChanged", path, zxid: node.mzxid });
    else table.add(watcher, path, "data");
  }
  for (const path of allowed(watches.exist)) {
    const node = store.getNode(path);
    if (node !== undefined) events.push({ type: "NodeCreated", path, zxid: node.czxid });
    else table.add(watcher, path, "data");
  }
  for (const path of child) {
    const node = store.getNode(path);
    if (node === undefined) events.push({ type: "NodeDeleted", path, zxid: deletedAt(path) });
    else if (node.pzxid > lastSeenZxid)
      events.push({ type: "NodeChildrenChanged", path, zxid: node.pzxid });
    else table.add(watcher, path, "child");
  }
  const compacted: Array<{ path: string; failure: ZkFailure }> = [];
  const persistent = [
    ...allowed(watches.persistent).map((path) => ({ path, recursive: false })),
    ...allowed(watches.persistentRecursive).map((path) => ({ path, recursive: true })),
  ];
  for (const { path, recursive } of persistent) {
    table.add(watcher, path, recursive ? "persistentRecursive" : "persistent");
  }
  if (options.replayPersistent && persistent.length > 0) {
    const replayed: TreeEvent[] = [];
    for (let from = lastSeenZxid; from < lastZxid; from += replayWindowZxids) {
      const window = tree.changesBetween(from, Math.min(from + replayWindowZxids, lastZxid));
      if ("name" in window) {
        for (const { path } of persistent) compacted.push({ path, failure: window });
        break;
      }
      for (const event of window) {
        if (persistent.some((w) => reaches(w.path, w.recursive, event))) replayed.push(event);
      }
    }
    events.push(...(options.visible ? options.visible(replayed) : replayed));
  }
  events.sort((a, b) => a.zxid - b.zxid);
  return { events, compacted };
}

/** Whether a persistent watch on `path` hears `event` (recursive ones never hear child events). */
export function reaches(path: string, recursive: boolean, event: TreeEvent): boolean {
  if (recursive) return event.type !== "NodeChildrenChanged" && isWithin(event.path, path);
  return event.path === path;
}

/** The zxid that last deleted each of `paths` after `afterZxid`, as far as the change log knows. */
function lastDeletions(
  tree: ZnodeTree,
  paths: ReadonlySet<string>,
  afterZxid: number,
): Map<string, number> {
  const found = new Map<string, number>();
  const lastZxid = tree.lastZxid;
  for (let from = afterZxid; from < lastZxid; from += replayWindowZxids) {
    const window = tree.changesBetween(from, Math.min(from + replayWindowZxids, lastZxid));
    if ("name" in window) return found;
    for (const e of window)
      if (e.type === "NodeDeleted" && paths.has(e.path)) found.set(e.path, e.zxid);
  }
  return found;
}
