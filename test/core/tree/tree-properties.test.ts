// Property tests: random operation sequences, pipelined on one tree and applied one by one (with
// snapshot/restore at random points) on another, must agree on every answer and end with equal
// digests; invariants hold after every step; apply is deterministic.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Acl } from "../../../src/core/tree/acl.ts";
import { MemoryTreeStore } from "../../../src/core/tree/memory-tree-store.ts";
import { nodeType } from "../../../src/core/tree/node-record.ts";
import type { WriteOp, WriteRequest } from "../../../src/core/tree/request.ts";
import { restoreSnapshot, snapshotChunks } from "../../../src/core/tree/snapshot.ts";
import { add64, nodeFingerprint, sessionFingerprint } from "../../../src/core/tree/tree-digest.ts";
import { ZnodeTree } from "../../../src/core/tree/znode-tree.ts";
import { enc, open, TreeHarness } from "./harness.ts";

const seed = Number(process.env.TREE_SEED ?? 1);
const numRuns = Number(process.env.TREE_RUNS ?? 150);

const names = ["a", "b", "c", "s-", "t"];
const acls: Acl[][] = [
  open,
  [{ perms: 17, scheme: "world", id: "anyone" }],
  [{ perms: 31, scheme: "auth", id: "" }],
];
const alice = [{ scheme: "digest", id: "alice:hash" }];

type Step = [number, number, number, number];

/** Turns four random numbers into a request, aimed mostly at nodes that exist so most can succeed. */
function requestFor(h: TreeHarness, [kind, a, b, c]: Step, sessions: bigint[]): WriteRequest {
  const existing = h.tree.store
    .nodesAfter(undefined, 1000)
    .map(([p]) => p)
    .filter((p) => !p.startsWith("/zookeeper"));
  const pick = (n: number) => existing[n % existing.length] as string;
  // One time in eight, a path that probably does not exist.
  const target = c % 8 === 0 ? `/missing/${names[b % names.length]}` : pick(a);
  const child = (n: number) => {
    const parent = pick(n);
    return `${parent === "/" ? "" : parent}/${names[(n >> 3) % names.length]}`;
  };
  const current = h.tree.store.getNode(target);
  // Half the time the version the node has now (so conditional writes succeed), else -1 or a guess.
  const version = b % 4 === 0 ? -1 : b % 4 === 1 && current ? current.version : (b % 3) - 1;
  const op = (k: number): WriteOp => {
    switch (k % 6) {
      case 0:
      case 1: {
        const mode = c % 7;
        const ttlMs = mode === 5 || mode === 6 ? 1 + (b % 3000) : undefined;
        const acl = acls[(c >> 4) % acls.length] as Acl[];
        return {
          op: "create",
          path: child(a + k),
          data: enc("d".repeat(b % 20)),
          acl,
          mode,
          ttlMs,
        };
      }
      case 2:
        return { op: "delete", path: target, version };
      case 3:
        return { op: "setData", path: target, data: enc(String(c)), version };
      case 4:
        return { op: "setACL", path: target, acl: acls[c % acls.length] as Acl[], version };
      default:
        return { op: "check", path: target, version };
    }
  };
  switch (kind % 12) {
    case 0:
      return { op: "createSession", timeoutMs: 1000 * (c % 60) };
    case 1:
      return sessions.length > 0 && c % 3 !== 0
        ? { op: "closeSession", sessionId: sessions[c % sessions.length] as bigint }
        : { op: "closeSession", sessionId: 123n };
    case 2:
    case 3:
      return { op: "multi", ops: [op(a), op(b), op(c)].slice(0, 1 + (c % 3)) };
    case 4:
      return { op: "reap", path: target };
    default:
      return op(kind >> 4);
  }
}

function checkInvariants(h: TreeHarness): void {
  const store = h.tree.store;
  const nodes = store.nodesAfter(undefined, 100_000);
  let digest = 0n;
  for (const [path, node] of nodes) {
    digest = add64(digest, nodeFingerprint(path, node));
    const children = store.childNames(path, undefined, 100_000);
    expect(node.numChildren, `numChildren of ${path}`).toBe(children.length);
    for (const name of children) {
      const child = store.getNode(path === "/" ? `/${name}` : `${path}/${name}`);
      expect(child && node.pzxid >= child.czxid, `pzxid of ${path}`).toBe(true);
    }
    expect(node.cversion, `cversion of ${path}`).toBeGreaterThanOrEqual(
      node.numChildren - (path === "/" || path === "/zookeeper" ? 2 : 0),
    );
    if (nodeType(node.ephemeralOwner) === "ephemeral") {
      expect(store.getSession(node.ephemeralOwner), `owner of ${path}`).toBeDefined();
      expect(node.numChildren).toBe(0);
    }
  }
  for (const s of store.sessionsAfter(undefined, 100_000))
    digest = add64(digest, sessionFingerprint(s));
  const meta = h.tree.meta();
  expect(meta.digest).toBe(digest);
  expect(meta.nodeCount).toBe(nodes.length);
}

/**
 * A request from a session whose close is still in flight is SESSIONEXPIRED; once the close has
 * applied the id is simply unknown. Pipelining moves that boundary, so the two count as one here.
 */
function answer(outcome: { ok: boolean; failure?: { name: string } }): string {
  const name = outcome.ok ? "OK" : (outcome.failure?.name ?? "?");
  return name === "SESSIONEXPIRED" ? "UNKNOWNSESSION" : name;
}

function restored(h: TreeHarness): TreeHarness {
  const store = new MemoryTreeStore();
  restoreSnapshot(store, snapshotChunks(h.tree.store, 200));
  const next = new TreeHarness({}, store);
  next.nowMs = h.nowMs;
  return next;
}

describe("tree properties", () => {
  it(`pipelined and step-by-step-with-restores trees agree (seed=${seed}, runs=${numRuns}; replay with TREE_SEED)`, () => {
    console.log(`tree properties: seed=${seed} runs=${numRuns}`);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 60, size: "max" }),
        fc.array(fc.nat({ max: 5 }), { minLength: 60, maxLength: 60 }),
        (steps, cuts) => {
          const piped = new TreeHarness();
          let stepped = new TreeHarness();
          const sessions: bigint[] = [];
          steps.forEach((step, i) => {
            const request = requestFor(stepped, step, sessions);
            const authIds = step[3] % 2 === 0 ? alice : [];
            const sessionId =
              step[2] % 3 === 0 && sessions.length > 0
                ? sessions[step[1] % sessions.length]
                : undefined;
            const context = { authIds, sessionId };
            const a = piped.propose(request, context);
            const b = stepped.write(request, context);
            expect(answer(a)).toBe(answer(b));
            if (b.ok && b.result.type === "createSession") sessions.push(b.result.sessionId);
            checkInvariants(stepped);
            if ((cuts[i] ?? 0) === 0) piped.commitAll();
            if ((cuts[i] ?? 0) === 2) piped.commit(Math.ceil(piped.proposed.length / 2));
            if ((cuts[i] ?? 0) === 1) stepped = restored(stepped);
            const advance = (step[0] % 7) * 700;
            piped.nowMs += advance;
            stepped.nowMs += advance;
          });
          piped.commitAll();
          expect(piped.tree.meta().digest).toBe(stepped.tree.meta().digest);
          expect(piped.dump()).toBe(stepped.dump());
        },
      ),
      { seed, numRuns },
    );
  });

  it("apply is deterministic: the same transactions give the same bytes and digest", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 40, size: "max" }),
        (steps) => {
          const h = new TreeHarness();
          const sessions: bigint[] = [];
          const log: Array<{ txn: import("../../../src/core/tree/txn.ts").Txn; zxid: number }> = [];
          for (const step of steps) {
            const r = h.propose(requestFor(h, step, sessions));
            if (r.ok) log.push(...h.proposed);
            for (const applied of h.commitAll()) {
              if (applied.result.type === "createSession") sessions.push(applied.result.sessionId);
            }
          }
          const replay = new ZnodeTree(new MemoryTreeStore());
          for (const { txn, zxid } of log) replay.apply(txn, zxid);
          expect(replay.meta().digest).toBe(h.tree.meta().digest);
          const bytes = (t: ZnodeTree) =>
            Buffer.concat([...snapshotChunks(t.store)].map((c) => Buffer.from(c)));
          expect(bytes(replay).equals(bytes(h.tree))).toBe(true);
        },
      ),
      { seed, numRuns: Math.ceil(numRuns / 2) },
    );
  });
});
