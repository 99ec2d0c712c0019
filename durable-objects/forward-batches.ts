// A follower's writes reach the leader in batches: alone, a write goes at once; while a batch to
// that leader is in flight, the writes taken meanwhile go together as one RPC — one call, one
// structured clone and one event at the leader instead of one each (the create profile had
// forwarding at ≈ 4 % of the thread) — at the next setTimeout(0) window or when a batch in flight
// returns, whichever comes first: a busy object's timers can fire hundreds of milliseconds late
// (seen in the randomized history test), an answer cannot be starved that way.

import type { NodeId } from "../src/core/consensus/entry.ts";
import type { WriteRequest } from "../src/core/tree/request.ts";
import type { WriteAnswer, WriteContext } from "./writes.ts";

export interface ForwardedWrite {
  readonly request: WriteRequest;
  readonly context: WriteContext;
}

/** Sends one batch; resolves with one answer per write, in order, or rejects when the call failed. */
export type SendBatch = (to: NodeId, writes: ForwardedWrite[]) => Promise<WriteAnswer[]>;

interface Waiting {
  readonly write: ForwardedWrite;
  readonly resolve: (answer: WriteAnswer) => void;
}

export class ForwardBatches {
  readonly #send: SendBatch;
  readonly #failed: (to: NodeId, error: unknown) => WriteAnswer;
  /** Per leader: writes waiting for the window, and whether a batch is in flight. */
  readonly #waiting = new Map<NodeId, Waiting[]>();
  readonly #inFlight = new Map<NodeId, number>();

  constructor(send: SendBatch, failed: (to: NodeId, error: unknown) => WriteAnswer) {
    this.#send = send;
    this.#failed = failed;
  }

  forward(to: NodeId, request: WriteRequest, context: WriteContext): Promise<WriteAnswer> {
    return new Promise<WriteAnswer>((resolve) => {
      const entry = { write: { request, context }, resolve };
      if (!this.#inFlight.get(to)) {
        void this.#go(to, [entry]);
        return;
      }
      const list = this.#waiting.get(to);
      if (list) {
        list.push(entry);
        return;
      }
      this.#waiting.set(to, [entry]);
      setTimeout(() => this.#next(to), 0);
    });
  }

  /** Sends what waits for `to`, if anything does. */
  #next(to: NodeId): void {
    const batch = this.#waiting.get(to);
    if (batch === undefined) return;
    this.#waiting.delete(to);
    void this.#go(to, batch);
  }

  async #go(to: NodeId, batch: Waiting[]): Promise<void> {
    this.#inFlight.set(to, (this.#inFlight.get(to) ?? 0) + 1);
    try {
      const answers = await this.#send(
        to,
        batch.map((w) => w.write),
      );
      batch.forEach((w, i) => {
        w.resolve(answers[i] ?? this.#failed(to, new Error("the leader's answer had no entry")));
      });
    } catch (error) {
      for (const w of batch) w.resolve(this.#failed(to, error));
    } finally {
      this.#inFlight.set(to, (this.#inFlight.get(to) ?? 1) - 1);
      this.#next(to);
    }
  }
}
