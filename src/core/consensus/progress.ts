// The leader's view of one follower: how far its log matches, what to send next, and how much
// may be in flight (flow control).

/**
 * probe: one Append at a time until the follower's match point is found.
 * replicate: optimistic pipelining, up to maxInflight Appends.
 * snapshot: a snapshot is on its way; nothing else is sent until it is acknowledged or times out.
 */
export type ProgressState = "probe" | "replicate" | "snapshot";

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = "probe";
  /** probe: an Append is outstanding. */
  probeSent = false;
  /** snapshot: the index of the snapshot in flight, and ticks since it was sent. */
  pendingSnapshot = 0;
  snapshotTicks = 0;
  /** The last index of each Append in flight, ascending (replicate). */
  private inflight: number[] = [];
  /** Whether the follower answered since the last CheckQuorum round. */
  recentActive = false;
  /** Leader ticks since the follower last answered: an election timeout of silence is "down". */
  silentTicks = 0;
  /** The commit index last told to this follower. */
  sentCommit = 0;
  /** The follower lost its storage and has not been caught up yet (it said so last). */
  recovering = false;
  /** The follower's storage incarnation whose answers this progress reflects. */
  incarnation: number | null = null;

  private readonly maxInflight: number;

  constructor(next: number, maxInflight: number) {
    this.next = next;
    this.maxInflight = maxInflight;
  }

  isPaused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflight.length >= this.maxInflight;
      case "snapshot":
        return true;
    }
  }

  becomeProbe(): void {
    // After a snapshot, resume right after it; otherwise right after the known match.
    this.next =
      this.state === "snapshot"
        ? Math.max(this.match + 1, this.pendingSnapshot + 1)
        : this.match + 1;
    this.reset("probe");
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.reset("replicate");
  }

  becomeSnapshot(index: number): void {
    this.reset("snapshot");
    this.pendingSnapshot = index;
  }

  private reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.inflight = [];
  }

  /** Records an Append whose last entry is `lastIndex` (or an empty one when `lastIndex` is null). */
  sent(lastIndex: number | null): void {
    if (this.state === "replicate") {
      if (lastIndex !== null) {
        this.next = lastIndex + 1;
        this.inflight.push(lastIndex);
      }
    } else if (this.state === "probe") {
      this.probeSent = true;
    }
  }

  /** A successful acknowledgement up to `index`; false when it is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    this.inflight = this.inflight.filter((i) => i > index);
    return updated;
  }

  /**
   * A rejection of the Append at `rejected`; moves `next` back (at most to just past `hintIndex`).
   * False when the rejection is stale.
   */
  maybeDecrTo(rejected: number, hintIndex: number): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hintIndex + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** The follower lost its storage: nothing it acknowledged before counts any more. */
  forget(incarnation: number): void {
    this.incarnation = incarnation;
    this.match = 0;
    this.reset("probe");
    this.next = 1;
  }

  /** Whether an answer comes from the incarnation this progress tracks (adopting the first seen). */
  accepts(incarnation: number): boolean {
    this.incarnation ??= incarnation;
    return this.incarnation === incarnation;
  }

  /**
   * A heartbeat response shows the follower is reachable: unblock a probe, and let a full
   * pipeline send one more Append, in case every Append that filled it was lost (the follower's
   * answer to the next one reveals the gap).
   */
  onHeartbeatResponse(): void {
    this.probeSent = false;
    if (this.state === "replicate" && this.inflight.length >= this.maxInflight)
      this.inflight.shift();
  }
}
