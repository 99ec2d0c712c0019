// A follower's writes on their way to the leader: one goes out at once when none is in flight to
// that leader; writes taken while one is in flight wait for the next setTimeout(0) window and go
// together in one RPC. Each call costs the runtime far more than its bytes (≈ 57 µs of the
// members' one thread locally, docs/performance.md), and never waiting on an answer before
// sending the next batch keeps every write's latency what it was.

import type { NodeId } from "../src/core/consensus/entry.ts";
import type { WriteRequest } from "../src/core/tree/request.ts";
import type { WriteAnswer, WriteContext } from "./writes.ts";

/** One write in a forwarded batch. */
export interface ForwardedWrite {
  readonly request: WriteRequest;
  readonly context: WriteContext;
}

/** Sends one batch and answers each write, in order; never rejects. */
export type SendBatch = (to: NodeId, writes: ForwardedWrite[]) => Promise<WriteAnswer[]>;

export interface ForwardCounts {
  readonly batches: number;
  readonly writes: number;
}

interface Waiting extends ForwardedWrite {
  readonly resolve: (answer: WriteAnswer) => void;
}

export class ForwardBatches {
  readonly #send: SendBatch;
  readonly #inFlight = new Map<NodeId, number>();
  readonly #waiting = new Map<NodeId, Waiting[]>();
  #batches = 0;
  #writes = 0;

  constructor(send: SendBatch) {
    this.#send = send;
  }

  /** Batches sent and the writes in them, for the member's status. */
  get counts(): ForwardCounts {
    return { batches: this.#batches, writes: this.#writes };
  }

  forward(to: NodeId, request: WriteRequest, context: WriteContext): Promise<WriteAnswer> {
    if ((this.#inFlight.get(to) ?? 0) === 0 && !this.#waiting.has(to)) {
      return this.#sendBatch(to, [{ request, context }]).then(
        (answers) => answers[0] ?? lostAnswer(to),
      );
    }
    return new Promise<WriteAnswer>((resolve) => {
      let waiting = this.#waiting.get(to);
      if (waiting === undefined) {
        waiting = [];
        this.#waiting.set(to, waiting);
        setTimeout(() => this.#flush(to), 0);
      }
      waiting.push({ request, context, resolve });
    });
  }

  #flush(to: NodeId): void {
    const waiting = this.#waiting.get(to) ?? [];
    this.#waiting.delete(to);
    // Only the writes go: a resolve function in an RPC argument would travel as a stub.
    void this.#sendBatch(
      to,
      waiting.map(({ request, context }) => ({ request, context })),
    ).then((answers) => {
      waiting.forEach((w, i) => {
        w.resolve(answers[i] ?? lostAnswer(to));
      });
    });
  }

  async #sendBatch(to: NodeId, writes: ForwardedWrite[]): Promise<WriteAnswer[]> {
    this.#inFlight.set(to, (this.#inFlight.get(to) ?? 0) + 1);
    this.#batches++;
    this.#writes += writes.length;
    try {
      return await this.#send(to, writes);
    } finally {
      this.#inFlight.set(to, (this.#inFlight.get(to) ?? 1) - 1);
    }
  }
}

/**
 * A write whose batch failed or came back without its answer: the leader may have applied it, so
 * no retry is invited.
 */
export function lostAnswer(to: NodeId, why?: string): WriteAnswer {
  return {
    ok: false,
    failure: {
      name: "CONNECTIONLOSS",
      message: `Lost the leader (member ${to}) mid-write${why === undefined ? "" : `: ${why}`}`,
    },
  };
}
