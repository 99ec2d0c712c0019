// What the consensus core asks its host to do, and in which order (the IO contract).

import type { Entry, HardState, NodeId, Snapshot, SnapshotMeta } from "./entry.ts";
import type { Message } from "./message.ts";
import type { RoleKind } from "./role.ts";

/** A linearizable read may be served once the local state machine has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

export interface SoftState {
  readonly role: RoleKind;
  readonly leader: NodeId | null;
  readonly term: number;
}

/**
 * One batch of work (`hardState` is null when nothing in it must be written: a moved commit index
 * alone is written only once the member sleeps, see HardState.commit). The host must, in this
 * order:
 *
 * 1. Persist, atomically: `snapshot` (LogStorage.installSnapshot), then `entries`
 *    (LogStorage.append, which drops any conflicting suffix), then `hardState`. Nothing below may
 *    happen before this is durable: a vote or an acknowledgement sent before its state is on disk
 *    can be forgotten by a crash, and Raft's safety rests on it not being forgotten.
 * 2. Send `messages` (in any order, any may be lost; never block on delivery).
 * 3. Restore the state machine from `snapshot` if there is one, then apply `committed` in order.
 *    Every committed entry is already durable by step 1.
 * 4. Serve each of `readStates` once the state machine has applied its index.
 * 5. If `compactTo` is set, the state machine is now exactly at that index: snapshot it and call
 *    LogStorage.compact with this metadata and the snapshot's bytes.
 * 6. Call `advance()`. Until then the node accepts no other call.
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly snapshot: Snapshot | null;
  readonly entries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly committed: readonly Entry[];
  readonly readStates: readonly ReadState[];
  readonly compactTo: SnapshotMeta | null;
}
