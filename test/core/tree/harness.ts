// A single-member stand-in for the ensemble: prepare against the pipeline, "commit" in zxid
// order, apply to the tree. Scenario and property tests drive the tree core through it.

import type { ErrorName, ZkFailure } from "../../../src/core/error-code.ts";
import type { AuthId } from "../../../src/core/tree/acl.ts";
import type { Applied, TxnResult } from "../../../src/core/tree/apply.ts";
import { MemoryTreeStore } from "../../../src/core/tree/memory-tree-store.ts";
import { Pipeline } from "../../../src/core/tree/pipeline.ts";
import { prepare } from "../../../src/core/tree/prepare.ts";
import type { RequestContext, WriteRequest } from "../../../src/core/tree/request.ts";
import { defaultTreeConfig, type TreeConfig } from "../../../src/core/tree/tree-config.ts";
import type { TreeEvent } from "../../../src/core/tree/tree-event.ts";
import type { TreeStore } from "../../../src/core/tree/tree-store.ts";
import type { Txn } from "../../../src/core/tree/txn.ts";
import { ZnodeTree } from "../../../src/core/tree/znode-tree.ts";

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);
export const open = [{ perms: 31, scheme: "world", id: "anyone" }];

export type WriteOutcome =
  | { ok: true; zxid: number; result: TxnResult; events: readonly TreeEvent[] }
  | { ok: false; failure: ZkFailure; opErrors?: readonly ErrorName[] };

export class TreeHarness {
  readonly tree: ZnodeTree;
  readonly pipeline: Pipeline;
  readonly proposed: Array<{ zxid: number; txn: Txn }> = [];
  nowMs = 1_700_000_000_000;

  constructor(config: Partial<TreeConfig> = {}, store: TreeStore = new MemoryTreeStore()) {
    this.tree = new ZnodeTree(store, { ...defaultTreeConfig, ...config });
    this.pipeline = new Pipeline(store);
  }

  get reads() {
    return this.tree.reads;
  }

  /** Prepares and pushes into the pipeline without applying (a write in flight). */
  propose(
    request: WriteRequest,
    context: Partial<RequestContext> = {},
  ): WriteOutcome | { ok: true; zxid: number } {
    const prepared = prepare(request, this.pipeline, this.#context(context), this.tree.config);
    if (!prepared.ok) {
      return prepared.opErrors
        ? { ok: false, failure: prepared.failure, opErrors: prepared.opErrors }
        : { ok: false, failure: prepared.failure };
    }
    const zxid = Math.max(this.tree.lastZxid, this.proposed.at(-1)?.zxid ?? 0) + 1;
    this.pipeline.push(prepared.txn, zxid);
    this.proposed.push({ zxid, txn: prepared.txn });
    return { ok: true, zxid };
  }

  /** Applies every proposed transaction in order; returns what each produced. */
  commitAll(): Array<Applied & { zxid: number }> {
    return this.commit(this.proposed.length);
  }

  /** Applies the oldest `count` proposed transactions, leaving the rest in flight. */
  commit(count: number): Array<Applied & { zxid: number }> {
    const out: Array<Applied & { zxid: number }> = [];
    for (const { zxid, txn } of this.proposed.splice(0, count)) {
      out.push({ ...this.tree.apply(txn, zxid), zxid });
      this.pipeline.appliedThrough(zxid);
    }
    return out;
  }

  /** Prepare + commit + apply one request. */
  write(request: WriteRequest, context: Partial<RequestContext> = {}): WriteOutcome {
    const proposed = this.propose(request, context);
    if (!proposed.ok) return proposed;
    const applied = this.commitAll().at(-1);
    if (!applied) throw new Error("nothing applied");
    return { ok: true, zxid: applied.zxid, result: applied.result, events: applied.events };
  }

  /** Like write, but throws on failure and returns the result. */
  must(request: WriteRequest, context: Partial<RequestContext> = {}): TxnResult {
    const r = this.write(request, context);
    if (!r.ok) throw new Error(`${r.failure.name}: ${r.failure.message}`);
    return r.result;
  }

  create(
    path: string,
    data = "",
    mode = 0,
    context: Partial<RequestContext> = {},
    ttlMs?: number,
  ): WriteOutcome {
    return this.write({ op: "create", path, data: enc(data), acl: open, mode, ttlMs }, context);
  }

  createdPath(
    path: string,
    data = "",
    mode = 0,
    context: Partial<RequestContext> = {},
    ttlMs?: number,
  ): string {
    const r = this.create(path, data, mode, context, ttlMs);
    if (!r.ok) throw new Error(`${r.failure.name}: ${r.failure.message}`);
    if (r.result.type !== "create") throw new Error("not a create");
    return r.result.path;
  }

  session(timeoutMs = 10_000): bigint {
    const r = this.must({ op: "createSession", timeoutMs });
    if (r.type !== "createSession") throw new Error("not a session");
    return r.sessionId;
  }

  /** A deterministic dump of every node and session, for equality checks. */
  dump(): string {
    const store = this.tree.store;
    const lines: string[] = [];
    for (const [path, node] of store.nodesAfter(undefined, 1_000_000)) {
      lines.push(
        `${path} ${JSON.stringify({ ...node, data: dec(node.data), ephemeralOwner: String(node.ephemeralOwner) })}`,
      );
    }
    for (const s of store.sessionsAfter(undefined, 1_000_000))
      lines.push(
        `session ${s.id} ${s.timeoutMs} ${s.createdZxid} ${s.lastSeq} ${s.lastZxid} ${s.lastResult.length}`,
      );
    return lines.join("\n");
  }

  #context(context: Partial<RequestContext>): RequestContext {
    return { authIds: [] as AuthId[], nowMs: this.nowMs, ...context };
  }
}

export function failureName(outcome: WriteOutcome): string {
  return outcome.ok ? "OK" : outcome.failure.name;
}
