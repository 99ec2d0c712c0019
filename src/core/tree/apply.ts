// apply(txn): the one way the tree changes. Deterministic, identical on every member; it returns
// results and events and never calls a watcher. A failed assertion here is a bug, never user input.

import { failure } from "../error-code.ts";
import { sessionIdFor } from "../session/session-record.ts";
import type { NodeRecord } from "./node-record.ts";
import { newRecord } from "./node-record.ts";
import { nameOf, parentOf } from "./path.ts";
import { chargeQuota, formatUsage, quotaRoot, statNodeName } from "./quota.ts";
import { type Stat, statOf } from "./stat.ts";
import type { TreeEvent } from "./tree-event.ts";
import type { MutableTree } from "./tree-store.ts";
import type { Txn, TxnOp } from "./txn.ts";

export type OpResult =
  | { readonly type: "create"; readonly path: string; readonly stat: Stat }
  | { readonly type: "delete" }
  | { readonly type: "setData"; readonly stat: Stat }
  | { readonly type: "setACL"; readonly stat: Stat }
  | { readonly type: "check" };

export type TxnResult =
  | OpResult
  | { readonly type: "multi"; readonly results: readonly OpResult[] }
  | { readonly type: "createSession"; readonly sessionId: bigint; readonly timeoutMs: number }
  | { readonly type: "closeSession"; readonly sessionId: bigint };

export interface Applied {
  readonly result: TxnResult;
  readonly events: readonly TreeEvent[];
}

export function applyTxn(tree: MutableTree, txn: Txn, zxid: number): Applied {
  const events: TreeEvent[] = [];
  switch (txn.type) {
    case "multi": {
      const results = txn.ops.map((op) => applyOp(tree, op, zxid, events));
      return { result: { type: "multi", results }, events };
    }
    case "createSession": {
      const id = sessionIdFor(zxid);
      invariant(tree.getSession(id) === undefined, `session id ${id} already exists`);
      tree.putSession({
        id,
        timeoutMs: txn.timeoutMs,
        createdZxid: zxid,
        lastSeq: 0,
        lastZxid: 0,
        lastResult: new Uint8Array(),
      });
      return { result: { type: "createSession", sessionId: id, timeoutMs: txn.timeoutMs }, events };
    }
    case "closeSession": {
      // The listed paths plus any the store knows of: apply must leave no orphan ephemeral.
      const paths = [...new Set([...txn.ephemerals, ...tree.ephemeralPaths(txn.sessionId)])].sort();
      for (const path of paths) {
        const node = tree.getNode(path);
        if (node !== undefined && node.ephemeralOwner === txn.sessionId) {
          deleteNode(tree, path, zxid, events);
        }
      }
      tree.deleteSession(txn.sessionId);
      return { result: { type: "closeSession", sessionId: txn.sessionId }, events };
    }
    default:
      return { result: applyOp(tree, txn, zxid, events), events };
  }
}

function applyOp(tree: MutableTree, op: TxnOp, zxid: number, events: TreeEvent[]): OpResult {
  switch (op.type) {
    case "create": {
      const parentPath = parentOf(op.path);
      const parent = must(tree, parentPath);
      // Prepare saw the path free; the store refuses (never overwrites) a node that is there.
      const node = newRecord(op.data, op.acl, op.ephemeralOwner, zxid, op.timeMs);
      tree.createNode(op.path, node);
      tree.putNode(parentPath, {
        ...parent,
        numChildren: parent.numChildren + 1,
        cversion: op.parentCversion,
        pzxid: zxid,
      });
      if (nameOf(op.path) === statNodeName && parentPath.startsWith(`${quotaRoot}/`)) {
        // As ZooKeeper does: creating a stats node recounts the subtree it measures.
        const measured = parentPath.slice(quotaRoot.length);
        const usage = tree.subtreeUsage(measured);
        tree.putNode(op.path, { ...node, data: formatUsage(usage.count, usage.bytes) });
      }
      chargeQuota(tree, op.path, op.data.length, 1);
      events.push({ type: "NodeCreated", path: op.path, zxid });
      events.push({ type: "NodeChildrenChanged", path: parentPath, zxid });
      return { type: "create", path: op.path, stat: statOf(must(tree, op.path)) };
    }
    case "delete":
      deleteNode(tree, op.path, zxid, events);
      return { type: "delete" };
    case "setData": {
      const node = must(tree, op.path);
      const next: NodeRecord = {
        ...node,
        data: op.data,
        version: op.version,
        mzxid: zxid,
        mtime: op.timeMs,
      };
      tree.putNode(op.path, next);
      chargeQuota(tree, op.path, op.data.length - node.data.length, 0);
      events.push({ type: "NodeDataChanged", path: op.path, zxid });
      return { type: "setData", stat: statOf(must(tree, op.path)) };
    }
    case "setACL": {
      const node = must(tree, op.path);
      tree.putNode(op.path, { ...node, acl: op.acl, aversion: op.aversion });
      return { type: "setACL", stat: statOf(must(tree, op.path)) };
    }
    case "check":
      must(tree, op.path);
      return { type: "check" };
  }
}

function deleteNode(tree: MutableTree, path: string, zxid: number, events: TreeEvent[]): void {
  const node = must(tree, path);
  invariant(node.numChildren === 0, `delete of ${path} with ${node.numChildren} children`);
  const parentPath = parentOf(path);
  const parent = must(tree, parentPath);
  tree.deleteNode(path);
  // ZooKeeper leaves cversion alone on delete; only numChildren and pzxid move.
  tree.putNode(parentPath, { ...parent, numChildren: parent.numChildren - 1, pzxid: zxid });
  chargeQuota(tree, path, -node.data.length, -1);
  events.push({ type: "NodeDeleted", path, zxid, acl: node.acl });
  events.push({ type: "NodeChildrenChanged", path: parentPath, zxid });
}

function must(tree: MutableTree, path: string): NodeRecord {
  const node = tree.getNode(path);
  invariant(node !== undefined, `apply found no node at ${path}`);
  return node;
}

/** Throws on a broken invariant: a member stops rather than diverge from the others. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) {
    const f = failure("RUNTIMEINCONSISTENCY", `invariant broken: ${message}`);
    throw new Error(`${f.name}: ${f.message}`);
  }
}
