// ReadIndex on the leader: a read is safe at the commit index seen when it arrived, once a quorum
// has confirmed (through a heartbeat round started after it arrived) that this node still leads.

import type { NodeId } from "./entry.ts";

export interface PendingRead {
  readonly context: string;
  readonly index: number;
  readonly from: NodeId;
  readonly acks: Set<NodeId>;
}

export class ReadOnlyQueue {
  private queue: PendingRead[] = [];
  /** The newest context not yet carried by a heartbeat round. */
  private unsent: string | null = null;

  add(context: string, index: number, from: NodeId, self: NodeId): void {
    if (this.queue.some((r) => r.context === context)) return;
    this.queue.push({ context, index, from, acks: new Set([self]) });
    this.unsent = context;
  }

  hasUnsent(): boolean {
    return this.unsent !== null;
  }

  /** The context for the next heartbeat round, if any request waits for one. */
  takeUnsent(): string | null {
    const context = this.unsent;
    this.unsent = null;
    return context;
  }

  /**
   * Records that `from` acknowledged the round carrying `context`. An acknowledgement also covers
   * every earlier request, because that round started after they arrived. Only `voters` count.
   * Returns the requests
   * that now have a quorum, oldest first.
   */
  ack(context: string, from: NodeId, voters: readonly NodeId[], quorum: number): PendingRead[] {
    const at = this.queue.findIndex((r) => r.context === context);
    if (at < 0) return [];
    for (let i = 0; i <= at; i++) this.queue[i]?.acks.add(from);
    // Counted against the configuration in force now: members may have come or gone since.
    const counted = (acks: Set<NodeId>) => voters.filter((v) => acks.has(v)).length;
    let ready = -1;
    for (let i = at; i >= 0; i--) {
      const read = this.queue[i];
      if (read && counted(read.acks) >= quorum) {
        ready = i;
        break;
      }
    }
    return ready < 0 ? [] : this.queue.splice(0, ready + 1);
  }

  /** The newest request waiting: a round carrying it confirms every request before it too. */
  newest(): string | null {
    return this.queue.at(-1)?.context ?? null;
  }

  size(): number {
    return this.queue.length;
  }
}
