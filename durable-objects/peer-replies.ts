// Answers to a peer's messages ride back as the result of the `deliver` call that brought them,
// instead of each answer being a `deliver` call of its own the other way. A follower's append
// response is the common case: one RPC per append round trip where there were two. The runtime's
// cost of a call does not depend on what it carries (measured: a batch of six 1 KiB entries or
// one buffer of the same bytes, ≈ 0.1 ms a call either way), so the count of calls is what counts.
//
// Nothing about the messages changes: they are the ones the member's Ready would have sent, taken
// after the same synchronous drain, so after the same SQLite transaction — and the runtime's output
// gate holds a call's result until that transaction is durable, as it holds an outgoing call.

import type { NodeId } from "../src/core/consensus/entry.ts";
import type { Message } from "../src/core/consensus/message.ts";

export class PeerReplies {
  #collecting: { readonly to: NodeId; readonly messages: Message[] } | null = null;

  /**
   * Runs `receive` (which steps and drains synchronously) and returns the messages it sent to
   * `to`, which went nowhere else.
   */
  collect(to: NodeId, receive: () => void): Message[] {
    const outer = this.#collecting;
    const collecting = { to, messages: [] as Message[] };
    this.#collecting = collecting;
    try {
      receive();
    } finally {
      this.#collecting = outer;
    }
    return collecting.messages;
  }

  /** Takes `messages` as a reply when they go to the peer being answered; false otherwise. */
  take(to: NodeId, messages: readonly Message[]): boolean {
    if (this.#collecting?.to !== to) return false;
    this.#collecting.messages.push(...messages);
    return true;
  }
}
