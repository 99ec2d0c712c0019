// The host's half of the Ready contract, written once: the member Durable Object and the
// simulator both carry out every Ready through handleReady, so the IO order the simulator proves
// is the order that runs in production.

import type { Entry, Snapshot, SnapshotMeta } from "./entry.ts";
import type { Message } from "./message.ts";
import type { RawNode } from "./raw-node.ts";
import type { Ready } from "./ready.ts";
import type { HardStateStorage, LogStorage } from "./storage.ts";

/** What a host provides; `A` is what applying one entry yields (answers, events, digests). */
export interface ReadyHost<A> {
  readonly log: LogStorage;
  readonly hard: HardStateStorage;
  /**
   * Runs `body` atomically and durably (in a member, within the event's SQLite transaction; a
   * throw part-way ends the object with nothing of it stored). Messages are sent only after it
   * returns, so nothing leaves before the state it reports is on disk.
   */
  transact(body: () => void): void;
  /** Replaces the state machine with the snapshot's state (inside the transaction). */
  restore(snapshot: Snapshot): void;
  /**
   * Applies the Ready's committed entries (inside the transaction, in log order), one result per
   * entry: all at once, so a host that meters its steps reads the clock once per Ready.
   */
  apply(entries: readonly Entry[]): A[];
  /** The state machine's bytes at `meta.index`, kept with the compacted log. */
  snapshotData(meta: SnapshotMeta): Uint8Array;
  /** Fire and forget: delivery may fail, the host never waits for it. */
  send(messages: readonly Message[]): void;
  /**
   * After the batch is durable and sent: role changes, events and answers for what was applied,
   * read points. Runs before advance(), so the node accepts no call from it.
   */
  settle(ready: Ready, applied: ReadonlyArray<{ entry: Entry; result: A }>): void;
}

/** Carries out one Ready if there is one; returns whether it did. */
export function handleReady<A>(node: RawNode, host: ReadyHost<A>): boolean {
  if (!node.hasReady()) return false;
  const rd = node.ready();
  const applied: Array<{ entry: Entry; result: A }> = [];
  // Persist (1), restore and apply (3) and compact (5) together: the log, the hard state and the
  // state machine move as one, and every message below waits for them to be durable.
  host.transact(() => {
    if (rd.snapshot) host.log.installSnapshot(rd.snapshot);
    host.log.append(rd.entries);
    if (rd.hardState) host.hard.save(rd.hardState);
    if (rd.snapshot) host.restore(rd.snapshot);
    if (rd.committed.length > 0) {
      const results = host.apply(rd.committed);
      rd.committed.forEach((entry, i) => {
        applied.push({ entry, result: results[i] as A });
      });
    }
    if (rd.compactTo) {
      host.log.compact({ meta: rd.compactTo, data: host.snapshotData(rd.compactTo) });
    }
  });
  host.send(rd.messages);
  host.settle(rd, applied);
  node.advance();
  return true;
}

/** Carries out Readies until the node has none; returns how many. */
export function drainReadies<A>(node: RawNode, host: ReadyHost<A>): number {
  let handled = 0;
  while (handleReady(node, host)) handled++;
  return handled;
}
