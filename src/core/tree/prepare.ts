// prepare(request): the leader's half of a write. It checks the request against the tree as it
// will be once everything in flight has applied, and resolves it into a deterministic
// transaction (versions, sequence suffix, wall time, a closing session's ephemerals) or an error.

import { type ErrorName, failure, type ZkFailure } from "../error-code.ts";
import { negotiateTimeout } from "../session/session-record.ts";
import { type Acl, checkPermission, fixupAcl, Perm } from "./acl.ts";
import { applyTxn } from "./apply.ts";
import { configNodePath } from "./config-node.ts";
import { createModeTraits, sequenceSuffix } from "./create-mode.ts";
import {
  containerOwner,
  maxTtlMs,
  type NodeRecord,
  nextInt32,
  nodeType,
  ttlOf,
  ttlOwner,
} from "./node-record.ts";
import { Overlay } from "./overlay.ts";
import { parentOf, validatePath } from "./path.ts";
import { checkQuota } from "./quota.ts";
import type { RequestContext, WriteOp, WriteRequest } from "./request.ts";
import type { TreeConfig } from "./tree-config.ts";
import type { TreeReader } from "./tree-store.ts";
import type { Txn, TxnOp } from "./txn.ts";

export type Prepared =
  | { readonly ok: true; readonly txn: Txn }
  | {
      readonly ok: false;
      readonly failure: ZkFailure;
      /** For a multi: one code per op (OK before the failing op, RUNTIMEINCONSISTENCY after). */
      readonly opErrors?: readonly ErrorName[];
    };

/** Paths no client may delete (ZooKeeper's DataTree.isSpecialPath). */
const specialPaths = new Set(["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]);

export function prepare(
  request: WriteRequest,
  view: TreeReader,
  context: RequestContext,
  config: TreeConfig,
): Prepared {
  const result = prepareRequest(request, view, context, config);
  return "ok" in result ? result : { ok: true, txn: result };
}

function prepareRequest(
  request: WriteRequest,
  view: TreeReader,
  context: RequestContext,
  config: TreeConfig,
): Txn | Prepared {
  switch (request.op) {
    case "multi":
      return prepareMulti(request.ops, view, context, config);
    case "createSession": {
      const open = view.sessionCount?.() ?? 0;
      if (open >= config.maxSessions) {
        return refuse(
          failure(
            "THROTTLEDOP",
            `The ensemble has ${open} open sessions, its limit (maxSessions); close some or retry later`,
          ),
        );
      }
      return { type: "createSession", timeoutMs: negotiateTimeout(request.timeoutMs, config) };
    }
    case "closeSession": {
      const bad = sessionFailure(view, request.sessionId);
      if (bad) return refuse(bad);
      return {
        type: "closeSession",
        sessionId: request.sessionId,
        ephemerals: view.ephemeralPaths(request.sessionId),
      };
    }
    case "reap":
      return lift(prepareReap(request.path, view, context));
    default: {
      const op = prepareOp(request, view, context, config);
      return lift(op);
    }
  }
}

function prepareMulti(
  ops: readonly WriteOp[],
  view: TreeReader,
  context: RequestContext,
  config: TreeConfig,
): Txn | Prepared {
  if (ops.length > config.maxMultiOps) {
    return refuse(
      failure(
        "BADARGUMENTS",
        `A multi may hold at most ${config.maxMultiOps} ops, not ${ops.length}`,
      ),
    );
  }
  const dataBytes = ops.reduce((sum, op) => sum + ("data" in op ? op.data.length : 0), 0);
  if (dataBytes > config.maxDataBytes) {
    return refuse(
      failure(
        "BADARGUMENTS",
        `A multi may carry at most ${config.maxDataBytes} bytes of data, not ${dataBytes}`,
      ),
    );
  }
  // Each op sees the ones before it; the scratch layer is dropped whatever happens.
  const scratch = new Overlay(view);
  const txnOps: TxnOp[] = [];
  for (const [index, op] of ops.entries()) {
    const prepared = prepareOp(op, scratch, context, config);
    if ("name" in prepared) {
      const opErrors = ops.map(
        (_, i): ErrorName =>
          i < index ? "OK" : i === index ? prepared.name : "RUNTIMEINCONSISTENCY",
      );
      return { ok: false, failure: prepared, opErrors };
    }
    applyTxn(scratch, prepared, 0);
    txnOps.push(prepared);
  }
  return { type: "multi", ops: txnOps };
}

function prepareOp(
  op: WriteOp,
  view: TreeReader,
  context: RequestContext,
  config: TreeConfig,
): TxnOp | ZkFailure {
  switch (op.op) {
    case "create":
      return prepareCreate(op, view, context, config);
    case "delete": {
      const bad = callerFailure(view, context) ?? pathFailure(op.path, config);
      if (bad) return bad;
      if (specialPaths.has(op.path)) {
        return failure("BADARGUMENTS", `${op.path} is reserved and cannot be deleted`, op.path);
      }
      const parent = view.getNode(parentOf(op.path));
      if (parent === undefined) return noNode(op.path);
      const denied = checkPermission(parent.acl, Perm.DELETE, context.authIds, op.path);
      if (denied) return denied;
      const node = view.getNode(op.path);
      if (node === undefined) return noNode(op.path);
      const versionBad = checkVersion(node.version, op.version, op.path);
      if (versionBad) return versionBad;
      if (node.numChildren > 0) {
        return failure("NOTEMPTY", `${op.path} has ${node.numChildren} children`, op.path);
      }
      return { type: "delete", path: op.path };
    }
    case "setData": {
      const bad =
        callerFailure(view, context) ??
        pathFailure(op.path, config) ??
        dataFailure(op.data, op.path, config);
      if (bad) return bad;
      const node = view.getNode(op.path);
      if (node === undefined) return noNode(op.path);
      const denied = checkPermission(node.acl, Perm.WRITE, context.authIds, op.path);
      if (denied) return denied;
      const overQuota =
        checkQuota(view, op.path, op.data.length - node.data.length, 0) ??
        treeCapFailure(view, config, op.path, 0, op.data.length - node.data.length);
      if (overQuota) return overQuota;
      const versionBad = checkVersion(node.version, op.version, op.path);
      if (versionBad) return versionBad;
      return {
        type: "setData",
        path: op.path,
        data: op.data,
        version: nextVersion(node.version),
        timeMs: context.nowMs,
      };
    }
    case "setACL": {
      const bad = callerFailure(view, context) ?? pathFailure(op.path, config);
      if (bad) return bad;
      const acl = aclFor(op.path, op.acl, context, config);
      if ("name" in acl) return acl;
      const node = view.getNode(op.path);
      if (node === undefined) return noNode(op.path);
      const denied = checkPermission(node.acl, Perm.ADMIN, context.authIds, op.path);
      if (denied) return denied;
      const versionBad = checkVersion(node.aversion, op.version, op.path);
      if (versionBad) return versionBad;
      return { type: "setACL", path: op.path, acl, aversion: nextVersion(node.aversion) };
    }
    case "check": {
      const bad = callerFailure(view, context) ?? pathFailure(op.path, config);
      if (bad) return bad;
      const node = view.getNode(op.path);
      if (node === undefined) return noNode(op.path);
      const denied = checkPermission(node.acl, Perm.READ, context.authIds, op.path);
      if (denied) return denied;
      return checkVersion(node.version, op.version, op.path) ?? { type: "check", path: op.path };
    }
  }
}

function prepareCreate(
  op: Extract<WriteOp, { op: "create" }>,
  view: TreeReader,
  context: RequestContext,
  config: TreeConfig,
): TxnOp | ZkFailure {
  const mode = createModeTraits(op.mode);
  if (mode === undefined) return failure("BADARGUMENTS", `Unknown create mode ${op.mode}`, op.path);
  if (mode.ttl && !config.ttlNodesEnabled) {
    return failure("UNIMPLEMENTED", "TTL nodes are disabled on this ensemble", op.path);
  }
  const ttlMs = op.ttlMs ?? -1;
  if (mode.ttl) {
    if (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > maxTtlMs) {
      return failure(
        "BADARGUMENTS",
        `TTL must be an integer in 1..${maxTtlMs} ms, not ${ttlMs}`,
        op.path,
      );
    }
  } else if (ttlMs !== -1) {
    return failure("BADARGUMENTS", `A TTL is only valid with a *_WITH_TTL create mode`, op.path);
  }
  if (mode.ephemeral && context.sessionId === undefined) {
    return failure(
      "BADARGUMENTS",
      "Ephemeral nodes belong to a session; this request has none",
      op.path,
    );
  }
  if (mode.ephemeral && context.sessionId !== undefined) {
    const held = view.ephemeralPaths(context.sessionId).length;
    if (held >= config.maxEphemeralsPerSession) {
      return failure(
        "QUOTAEXCEEDED",
        `The session owns ${held} ephemeral nodes, its limit (maxEphemeralsPerSession)`,
        op.path,
      );
    }
  }
  const bad =
    callerFailure(view, context) ??
    pathFailure(op.path, config, mode.sequential) ??
    dataFailure(op.data, op.path, config);
  if (bad) return bad;
  if (op.path === "/") return failure("NODEEXISTS", "The root always exists", op.path);
  const acl = aclFor(op.path, op.acl, context, config);
  if ("name" in acl) return acl;
  const parentPath = parentOf(op.path);
  const parent = view.getNode(parentPath);
  if (parent === undefined) {
    return failure("NONODE", `Parent ${parentPath} of ${op.path} does not exist`, op.path);
  }
  const denied = checkPermission(parent.acl, Perm.CREATE, context.authIds, parentPath);
  if (denied) return denied;
  const path = mode.sequential ? `${op.path}${sequenceSuffix(parent.cversion)}` : op.path;
  if (mode.sequential) {
    const badSequential = pathFailure(path, config);
    if (badSequential) return badSequential;
  }
  if (view.getNode(path) !== undefined)
    return failure("NODEEXISTS", `${path} already exists`, path);
  if (nodeType(parent.ephemeralOwner) === "ephemeral") {
    return failure(
      "NOCHILDRENFOREPHEMERALS",
      `${parentPath} is ephemeral and cannot have children`,
      path,
    );
  }
  const overQuota =
    checkQuota(view, path, op.data.length, 1) ??
    treeCapFailure(view, config, path, 1, op.data.length);
  if (overQuota) return overQuota;
  const ephemeralOwner = mode.container
    ? containerOwner
    : mode.ttl
      ? ttlOwner(ttlMs)
      : mode.ephemeral
        ? (context.sessionId ?? 0n)
        : 0n;
  return {
    type: "create",
    path,
    data: op.data,
    acl,
    ephemeralOwner,
    parentCversion: nextInt32(parent.cversion),
    timeMs: context.nowMs,
  };
}

function prepareReap(path: string, view: TreeReader, context: RequestContext): TxnOp | ZkFailure {
  const node = view.getNode(path);
  if (node === undefined) return noNode(path);
  if (node.numChildren > 0) return failure("NOTEMPTY", `${path} has children again`, path);
  const type = nodeType(node.ephemeralOwner);
  if (type === "container") {
    if (node.cversion === 0)
      return failure("BADARGUMENTS", `Container ${path} never had a child`, path);
  } else if (type === "ttl") {
    if (context.nowMs - node.mtime <= ttlOf(node.ephemeralOwner)) {
      return failure("BADARGUMENTS", `TTL node ${path} has not expired`, path);
    }
  } else {
    return failure("BADARGUMENTS", `${path} is neither a container nor a TTL node`, path);
  }
  return { type: "delete", path };
}

/** True when the reaper may remove `node` at `nowMs` (the same test prepare applies). */
/**
 * When `node` becomes reapable: now for an empty container that had children, mtime + TTL for
 * an empty TTL node, never (null) otherwise — a node with children waits for a delete, which is
 * a write and wakes the leader anyway.
 */
export function reapableAtMs(node: NodeRecord, nowMs: number): number | null {
  if (node.numChildren > 0) return null;
  const type = nodeType(node.ephemeralOwner);
  if (type === "container") return node.cversion !== 0 ? nowMs : null;
  if (type === "ttl") return node.mtime + ttlOf(node.ephemeralOwner) + 1;
  return null;
}

export function isReapable(node: NodeRecord, nowMs: number): boolean {
  if (node.numChildren > 0) return false;
  const type = nodeType(node.ephemeralOwner);
  if (type === "container") return node.cversion !== 0;
  if (type === "ttl") return nowMs - node.mtime > ttlOf(node.ephemeralOwner);
  return false;
}

function callerFailure(view: TreeReader, context: RequestContext): ZkFailure | null {
  return context.sessionId === undefined ? null : sessionFailure(view, context.sessionId);
}

function sessionFailure(view: TreeReader, id: bigint): ZkFailure | null {
  if (view.getSession(id) !== undefined) return null;
  const hex = `0x${BigInt.asUintN(64, id).toString(16)}`;
  return view.isClosing?.(id)
    ? failure("SESSIONEXPIRED", `Session ${hex} is closing`)
    : failure("UNKNOWNSESSION", `Session ${hex} does not exist (expired or never created)`);
}

function pathFailure(path: string, config: TreeConfig, sequential = false): ZkFailure | null {
  if (typeof path !== "string") return failure("BADARGUMENTS", "A path must be a string");
  if (path.length > config.maxPathLength) {
    return failure(
      "BADARGUMENTS",
      `Path is ${path.length} characters; the limit is ${config.maxPathLength}`,
      path,
    );
  }
  return validatePath(path, { sequential });
}

function dataFailure(data: Uint8Array, path: string, config: TreeConfig): ZkFailure | null {
  return data.length > config.maxDataBytes
    ? failure(
        "BADARGUMENTS",
        `Data is ${data.length} bytes; the limit is ${config.maxDataBytes}`,
        path,
      )
    : null;
}

function aclFor(
  path: string,
  acl: readonly Acl[],
  context: RequestContext,
  config: TreeConfig,
): Acl[] | ZkFailure {
  if (acl.length > config.maxAclEntries) {
    return failure("INVALIDACL", `An ACL may hold at most ${config.maxAclEntries} entries`, path);
  }
  return fixupAcl(path, acl, context.authIds);
}

function checkVersion(current: number, expected: number, path: string): ZkFailure | null {
  return expected !== -1 && expected !== current
    ? failure("BADVERSION", `${path} is at version ${current}, not ${expected}`, path)
    : null;
}

/** ZooKeeper's checkAndIncVersion: wraps like a Java int and skips -1 (ZOOKEEPER-4743). */
function nextVersion(current: number): number {
  const next = nextInt32(current);
  return next === -1 ? 0 : next;
}

function noNode(path: string): ZkFailure {
  return failure("NONODE", `${path} does not exist`, path);
}

function refuse(f: ZkFailure): Prepared {
  return { ok: false, failure: f };
}

function lift(op: TxnOp | ZkFailure): Txn | Prepared {
  return "name" in op ? refuse(op) : op;
}

/**
 * The ensemble's own caps on its whole tree (maxZnodes, maxTreeBytes), checked against the applied
 * tree: writes already in flight when a cap is reached are not counted, and may pass it by as many.
 */
function treeCapFailure(
  view: TreeReader,
  config: TreeConfig,
  path: string,
  addedNodes: number,
  addedBytes: number,
): ZkFailure | null {
  const usage = view.treeUsage?.();
  if (usage === undefined) return null;
  if (addedNodes > 0 && usage.count + addedNodes > config.maxZnodes)
    return failure(
      "QUOTAEXCEEDED",
      `The ensemble holds ${usage.count} znodes, its limit (maxZnodes)`,
      path,
    );
  // /zookeeper/config's list of members is the ensemble's, not the user's data.
  const bytes = usage.bytes - (view.getNode(configNodePath)?.data.length ?? 0);
  if (addedBytes > 0 && bytes + addedBytes > config.maxTreeBytes)
    return failure(
      "QUOTAEXCEEDED",
      `The ensemble holds ${bytes} bytes of data; ${addedBytes} more pass its limit of ${config.maxTreeBytes} (maxTreeBytes)`,
      path,
    );
  return null;
}
