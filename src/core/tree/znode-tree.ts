// The applied znode tree of one member: applies committed transactions in zxid order, keeps the
// digest, counters and change log current, and answers reads. Everything lives in the store.

import { utf8Encode } from "../bytes/utf8.ts";
import type { Membership } from "../consensus/membership.ts";
import { failure, type ZkFailure } from "../error-code.ts";
import { type Acl, openAcl, readOnlyAcl } from "./acl.ts";
import { type Applied, invariant } from "./apply.ts";
import { applyCommand, type Command, type CommandOutcome } from "./command.ts";
import { configNodePath, configNodeText } from "./config-node.ts";
import { type NodeRecord, newRecord } from "./node-record.ts";
import { isReapable, reapableAtMs } from "./prepare.ts";
import { defaultTreeConfig, type TreeConfig } from "./tree-config.ts";
import { TrackedTree, type TreeTotals } from "./tree-digest.ts";
import type { TreeEvent } from "./tree-event.ts";
import { TreeReads } from "./tree-reads.ts";
import type { TreeMeta, TreeStore } from "./tree-store.ts";
import type { Txn } from "./txn.ts";

/** The nodes every tree starts with, all with zero stats, as in ZooKeeper's DataTree. */
const systemNodes: ReadonlyArray<[string, readonly Acl[], number]> = [
  ["/", openAcl, 1],
  ["/zookeeper", openAcl, 2],
  ["/zookeeper/quota", openAcl, 0],
  ["/zookeeper/config", readOnlyAcl, 0],
];

export class ZnodeTree {
  readonly store: TreeStore;
  readonly config: TreeConfig;
  readonly reads: TreeReads;

  constructor(store: TreeStore, config: TreeConfig = defaultTreeConfig) {
    this.store = store;
    this.config = config;
    this.reads = new TreeReads(store, config.maxReplyBytes);
    if (store.getMeta() === undefined) this.#initialize();
  }

  meta(): TreeMeta {
    const meta = this.store.getMeta();
    invariant(meta !== undefined, "tree store has no meta");
    return meta;
  }

  get lastZxid(): number {
    return this.meta().lastZxid;
  }

  /** Applies a committed transaction; zxids must strictly increase. */
  apply(txn: Txn, zxid: number): Applied {
    const outcome = this.applyCommand({ txn }, zxid);
    invariant(!outcome.duplicate, "a command without an origin cannot repeat");
    return outcome;
  }

  /** Applies a committed command: a session's retried write is recognized and not applied twice. */
  applyCommand(command: Command, zxid: number): CommandOutcome {
    const meta = this.meta();
    invariant(zxid > meta.lastZxid, `apply of zxid ${zxid} after ${meta.lastZxid}`);
    const totals: TreeTotals = {
      digest: meta.digest,
      nodeCount: meta.nodeCount,
      dataBytes: meta.dataBytes,
    };
    const outcome = applyCommand(new TrackedTree(this.store, totals), command, zxid);
    if (outcome.events.length > 0) this.store.appendChanges(outcome.events);
    this.#finish(meta, totals, zxid);
    return outcome;
  }

  /** Records that a log entry with no tree effect (a leader's no-op) was applied at `zxid`. */
  /**
   * A configuration entry: /zookeeper/config takes the membership it names (its watchers fire),
   * keeping its mtime (the entry carries no time; every member must write the same node).
   */
  applyMembership(membership: Membership, zxid: number): Applied {
    const node = this.store.getNode(configNodePath);
    invariant(node !== undefined, `${configNodePath} is missing`);
    const data = utf8Encode(configNodeText(membership, zxid));
    const txn = {
      type: "setData",
      path: configNodePath,
      data,
      version: node.version + 1,
      timeMs: node.mtime,
    } as const;
    return this.apply(txn, zxid);
  }

  skip(zxid: number): void {
    const meta = this.meta();
    invariant(zxid > meta.lastZxid, `skip of zxid ${zxid} after ${meta.lastZxid}`);
    this.#finish(
      meta,
      { digest: meta.digest, nodeCount: meta.nodeCount, dataBytes: meta.dataBytes },
      zxid,
    );
  }

  /**
   * Changes with `afterZxid` < zxid <= `throughZxid`, oldest first, or COMPACTED when some of
   * them are no longer retained.
   */
  changesBetween(afterZxid: number, throughZxid: number): TreeEvent[] | ZkFailure {
    const meta = this.meta();
    if (afterZxid < meta.changeFloorZxid) {
      return failure(
        "COMPACTED",
        `Changes after zxid ${afterZxid} are no longer retained (history starts after ${meta.changeFloorZxid})`,
      );
    }
    return this.store.changesBetween(afterZxid, throughZxid);
  }

  /** Containers and TTL nodes the leader may reap at `nowMs`, at most `limit`. */
  reapCandidates(nowMs: number, limit: number): string[] {
    const out: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = this.store.extendedNodes(after, 256);
      for (const [path, node] of page) {
        if (isReapable(node, nowMs)) out.push(path);
        if (out.length >= limit) return out;
      }
      if (page.length < 256) return out;
      after = page.at(-1)?.[0];
    }
  }

  /** The earliest time a container or TTL node becomes reapable (null: none will by itself). */
  nextReapMs(nowMs: number): number | null {
    let next: number | null = null;
    let after: string | undefined;
    for (;;) {
      const page = this.store.extendedNodes(after, 256);
      for (const [, node] of page) {
        const at = reapableAtMs(node, nowMs);
        if (at !== null && (next === null || at < next)) next = at;
      }
      if (page.length < 256) return next;
      after = page.at(-1)?.[0];
    }
  }

  #finish(meta: TreeMeta, totals: TreeTotals, zxid: number): void {
    let changeFloorZxid = meta.changeFloorZxid;
    const floor = zxid - this.config.changeLogZxids;
    if (floor > changeFloorZxid) {
      this.store.dropChangesThrough(floor);
      changeFloorZxid = floor;
    }
    this.store.putMeta({ lastZxid: zxid, ...totals, changeFloorZxid });
  }

  #initialize(): void {
    const totals: TreeTotals = { digest: 0n, nodeCount: 0, dataBytes: 0 };
    const tracked = new TrackedTree(this.store, totals);
    const members = this.config.initialMembers;
    for (const [path, acl, numChildren] of systemNodes) {
      const data =
        path === configNodePath && members !== undefined
          ? utf8Encode(configNodeText(members, 0))
          : new Uint8Array();
      const node: NodeRecord = { ...newRecord(data, acl, 0n, 0, 0), numChildren };
      tracked.putNode(path, node);
    }
    this.store.putMeta({ lastZxid: 0, ...totals, changeFloorZxid: 0 });
  }
}
