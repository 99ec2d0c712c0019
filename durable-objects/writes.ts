// Client writes: taken at any member, forwarded to the leader, prepared against the leader's
// pipeline and proposed; answered once applied here. Writes that reach the leader while others are
// in flight wait for the next group-commit window and are prepared there together, in one read
// transaction. A session's retried write (same sequence number) is answered from its first
// attempt, never applied twice. A member that needs a leader and cannot reach one campaigns at
// once: an idle ensemble notices a lost leader only on demand.

import type { Entry, NodeId } from "../src/core/consensus/entry.ts";
import type { RawNode } from "../src/core/consensus/raw-node.ts";
import { type ErrorName, failure, type ZkFailure } from "../src/core/error-code.ts";
import type { TxnResult } from "../src/core/tree/apply.ts";
import { encodeCommand } from "../src/core/tree/command.ts";
import type { Pipeline } from "../src/core/tree/pipeline.ts";
import { prepare } from "../src/core/tree/prepare.ts";
import type { RequestContext, WriteRequest } from "../src/core/tree/request.ts";
import { decodeResult } from "../src/core/tree/result-codec.ts";
import type { ZnodeTree } from "../src/core/tree/znode-tree.ts";
import type { CpuMeter } from "./cpu-meter.ts";
import type { ReadBarriers } from "./read-barriers.ts";
import type { Parked } from "./wait-list.ts";

/** What `command` holds until prepare succeeds (never proposed). */
const noCommand: Uint8Array = new Uint8Array();

export type WriteAnswer =
  | { readonly ok: true; readonly zxid: number; readonly result: TxnResult }
  | {
      readonly ok: false;
      readonly failure: ZkFailure;
      readonly opErrors?: readonly ErrorName[];
      /** Set when the write was certainly not applied and the current leader may take it. */
      readonly retryable?: boolean;
      /** Set when the leader could not be reached from here: try another member. */
      readonly unreachable?: boolean;
      /** On "not the leader": the leader the answering member knows of (null: none). */
      readonly leader?: NodeId | null;
    };

/**
 * The caller's side of a write, without the time (the leader stamps it). A session's writes
 * carry increasing `seq` numbers so a retry through another leader is applied at most once.
 */
export type WriteContext = Omit<RequestContext, "nowMs"> & { readonly seq?: number | undefined };

/** How writes reach the leader from a follower. */
export type ForwardWrite = (
  to: NodeId,
  request: WriteRequest,
  context: WriteContext,
) => Promise<WriteAnswer>;

export interface WritesHost {
  readonly id: NodeId;
  readonly node: RawNode;
  readonly tree: ZnodeTree;
  readonly pipeline: Pipeline;
  readonly barriers: ReadBarriers;
  readonly forward: ForwardWrite;
  readonly now: () => number;
  readonly meter: CpuMeter;
  readonly requestTimeoutMs: number;
  /** The largest log entry proposed (maxEntryBytes): one SQLite row must hold it. */
  readonly maxEntryBytes: number;
  /** Runs the pending Readies now, or (`soon`) in the next group-commit window. */
  readonly drain: (soon: boolean) => void;
  /** Called when a proposal is parked, so the member books a wake-up for its deadline. */
  readonly parked: () => void;
}

export class Writes {
  readonly #host: WritesHost;
  readonly #proposals = new Map<number, Parked<WriteAnswer> & { term: number }>();
  /** Writes waiting for the next window, in arrival order. */
  #queued: Array<{
    readonly request: WriteRequest;
    readonly context: WriteContext;
    readonly resolve: (answer: Promise<WriteAnswer>) => void;
    readonly reject: (error: unknown) => void;
  }> = [];
  proposed = 0;

  constructor(host: WritesHost) {
    this.#host = host;
  }

  get isLeader(): boolean {
    return this.#host.node.softState().role === "leader";
  }

  /** Runs a write on the leader, forwarding if needed; answers once this member has applied it. */
  async submit(request: WriteRequest, context: WriteContext): Promise<WriteAnswer> {
    const { node, barriers } = this.#host;
    // Where to send it: this member's leader, or a newer one the last answer named.
    let hint: NodeId | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.isLeader) return this.proposeHere(request, context);
      const leader: NodeId | null = hint ?? node.softState().leader;
      hint = null;
      if (leader === null || leader === this.#host.id) {
        if (!(await this.#elect())) break;
        continue;
      }
      const answer = await this.#host.forward(leader, request, context);
      if (answer.ok) {
        // Answer only once this member has applied it, so the client's next read here sees it.
        if (await barriers.applied(answer.zxid, this.#host.tree.lastZxid)) return answer;
        return unknown(
          `The write committed at zxid ${answer.zxid} but this member has not caught up; ` +
            "retry with the same sequence number to get its result",
        );
      }
      // The leader is gone (unreachable, or restarted knowing no leader): find a new one now.
      const lostLeader = answer.unreachable === true || answer.leader === null;
      if (lostLeader) {
        node.campaign();
        this.#host.drain(false);
      }
      if (!answer.retryable || answer.unreachable) return answer;
      if (answer.leader !== undefined && answer.leader !== null && answer.leader !== leader) {
        hint = answer.leader;
        continue;
      }
      const current = node.softState().leader;
      if (current === null || current === leader) await this.#elect();
    }
    return {
      ok: false,
      failure: failure("CONNECTIONLOSS", "No leader could take the write; retry"),
    };
  }

  /** Campaigns if no leader is known, and waits for the next leader to become known. */
  async #elect(): Promise<boolean> {
    if (this.#host.node.softState().leader === null) {
      this.#host.node.campaign();
      this.#host.drain(false);
    }
    return this.#host.barriers.leaderKnown();
  }

  /** Whether writes wait for proposeQueued(). */
  get hasQueued(): boolean {
    return this.#queued.length > 0;
  }

  /**
   * Prepares and proposes the writes that waited for this window, in arrival order (the member
   * calls it inside one transaction: a read outside one costs a transaction of its own).
   */
  proposeQueued(): void {
    const queued = this.#queued;
    this.#queued = [];
    for (const q of queued) {
      try {
        q.resolve(this.#propose(q.request, q.context, false));
      } catch (error) {
        q.reject(error);
      }
    }
  }

  /**
   * The leader's half: prepare against the pipeline, propose, resolve when applied here. Alone, a
   * write is prepared and goes out at once; behind others in flight, it joins the next window.
   */
  proposeHere(request: WriteRequest, context: WriteContext): Promise<WriteAnswer> {
    const { node } = this.#host;
    if (!this.isLeader) return Promise.resolve(notLeader(node.softState().leader));
    if (this.#queued.length === 0 && this.#proposals.size === 0)
      return this.#propose(request, context, true);
    return new Promise<WriteAnswer>((resolve, reject) => {
      this.#queued.push({ request, context, resolve, reject });
      if (this.#queued.length === 1) this.#host.drain(true);
    });
  }

  /**
   * Writes forwarded together: proposed together, at once when nothing is in flight, else with
   * the next window (one at a time, the first would go out alone and the rest in a second batch).
   */
  proposeAllHere(
    writes: ReadonlyArray<{ request: WriteRequest; context: WriteContext }>,
  ): Array<Promise<WriteAnswer>> {
    const { node } = this.#host;
    if (!this.isLeader)
      return writes.map(() => Promise.resolve(notLeader(node.softState().leader)));
    const idle = this.#queued.length === 0 && this.#proposals.size === 0;
    const answers = writes.map(
      ({ request, context }) =>
        new Promise<WriteAnswer>((resolve, reject) => {
          this.#queued.push({ request, context, resolve, reject });
        }),
    );
    this.#host.drain(!idle);
    return answers;
  }

  #propose(request: WriteRequest, context: WriteContext, drain: boolean): Promise<WriteAnswer> {
    const { node, pipeline, tree } = this.#host;
    if (!this.isLeader) return Promise.resolve(notLeader(node.softState().leader));
    const origin =
      context.sessionId !== undefined && context.seq !== undefined
        ? { sessionId: context.sessionId, seq: context.seq }
        : undefined;
    if (origin) {
      const seen = pipeline.getSession(origin.sessionId);
      if (seen && origin.seq <= seen.lastSeq)
        return this.#answerRetry(origin.seq, seen.lastSeq, seen.lastZxid, origin.sessionId);
    }
    const nowMs = this.#host.now();
    // Prepared and encoded in one metered step: the clock is read twice per step.
    let command = noCommand;
    const prepared = this.#host.meter.time("prepare", () => {
      const p = prepare(request, pipeline, { ...context, nowMs }, tree.config);
      if (p.ok) command = encodeCommand({ txn: p.txn, origin });
      return p;
    });
    if (!prepared.ok) {
      return Promise.resolve(
        prepared.opErrors
          ? { ok: false, failure: prepared.failure, opErrors: prepared.opErrors }
          : prepared,
      );
    }
    if (command.length > this.#host.maxEntryBytes) {
      return Promise.resolve({
        ok: false,
        failure: failure(
          "BADARGUMENTS",
          `The write encodes to ${command.length} bytes (maxEntryBytes: make the multi smaller); the limit is ${this.#host.maxEntryBytes}`,
        ),
      });
    }
    const proposed = node.propose(command);
    if (!proposed.ok) {
      return Promise.resolve(
        proposed.reason === "overloaded"
          ? {
              ok: false,
              failure: failure("THROTTLEDOP", "Too many writes in flight; retry shortly"),
            }
          : notLeader(proposed.leader),
      );
    }
    this.proposed++;
    pipeline.push(prepared.txn, proposed.index, origin);
    const answer = new Promise<WriteAnswer>((resolve) => {
      this.#proposals.set(proposed.index, {
        term: proposed.term,
        deadlineMs: nowMs + this.#host.requestTimeoutMs,
        resolve,
      });
    });
    this.#host.parked();
    if (drain) this.#host.drain(false);
    return answer;
  }

  /** A write whose sequence number the session already used: answer it from the first attempt. */
  async #answerRetry(
    seq: number,
    lastSeq: number,
    lastZxid: number,
    sessionId: bigint,
  ): Promise<WriteAnswer> {
    const { tree, barriers } = this.#host;
    if (seq < lastSeq) {
      return {
        ok: false,
        failure: failure(
          "BADARGUMENTS",
          `Sequence number ${seq} is older than the session's last (${lastSeq})`,
        ),
      };
    }
    if (!(await barriers.applied(lastZxid, tree.lastZxid)))
      return unknown(`zxid ${lastZxid} did not apply in time; its outcome is unknown`);
    const session = tree.store.getSession(sessionId);
    if (!session || session.lastSeq !== seq || session.lastResult.length === 0) {
      return unknown(
        `The first attempt of write ${seq} applied at zxid ${lastZxid}, but its result is gone`,
      );
    }
    return { ok: true, zxid: lastZxid, result: decodeResult(session.lastResult) };
  }

  /** After an entry applied: the proposal waiting for it gets its answer. */
  answer(entry: Entry, answer: WriteAnswer | null): void {
    const waiter = this.#proposals.get(entry.index);
    if (!waiter) return;
    this.#proposals.delete(entry.index);
    if (waiter.term === entry.term && answer) waiter.resolve(answer);
    else
      waiter.resolve(
        lost(`Leadership changed before zxid ${entry.index} committed; the write was not applied`),
      );
  }

  /** A snapshot replaced the tree: proposals it covers have unknown outcomes here. */
  abandonThrough(index: number): void {
    for (const [i, waiter] of this.#proposals) {
      if (i > index) continue;
      this.#proposals.delete(i);
      waiter.resolve(unknown(`zxid ${i} was covered by a snapshot; its outcome is unknown here`));
    }
  }

  expire(nowMs: number): void {
    for (const [index, w] of this.#proposals) {
      if (w.deadlineMs > nowMs) continue;
      this.#proposals.delete(index);
      w.resolve(unknown(`zxid ${index} did not commit in time; its outcome is unknown`));
    }
  }

  /** Proposals are parked in order with one timeout, so the oldest has the earliest deadline. */
  nextDeadlineMs(): number | null {
    for (const w of this.#proposals.values()) return w.deadlineMs;
    return null;
  }
}

function notLeader(leader: NodeId | null): WriteAnswer {
  return {
    ok: false,
    failure: failure(
      "CONNECTIONLOSS",
      `This member is not the leader (leader: ${leader ?? "unknown"}); not applied`,
    ),
    retryable: true,
    leader,
  };
}

function lost(message: string): WriteAnswer {
  return { ok: false, failure: failure("CONNECTIONLOSS", message), retryable: true };
}

export function unknown(message: string): WriteAnswer {
  return { ok: false, failure: failure("OPERATIONTIMEOUT", message) };
}
