// The simulator's replicated state machine: a running hash over every applied entry, so equal
// digests at an index mean identical histories up to it.

import type { Entry, Snapshot } from "../../src/core/consensus/entry.ts";

export class DigestMachine {
  index = 0;
  digest = 0x811c9dc5;

  static fromSnapshot(snapshot: Snapshot): DigestMachine {
    const m = new DigestMachine();
    if (snapshot.meta.index > 0) {
      const view = new DataView(
        snapshot.data.buffer,
        snapshot.data.byteOffset,
        snapshot.data.byteLength,
      );
      m.index = view.getUint32(0);
      m.digest = view.getUint32(4);
    }
    return m;
  }

  apply(e: Entry): void {
    let h = this.digest;
    const mix = (byte: number) => {
      h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    };
    for (const n of [e.index, e.term]) for (let s = 0; s < 32; s += 8) mix((n >>> s) & 0xff);
    mix(e.kind === "noop" ? 1 : 2);
    for (const b of e.data) mix(b);
    this.digest = h;
    this.index = e.index;
  }

  snapshotData(): Uint8Array {
    const data = new Uint8Array(8);
    const view = new DataView(data.buffer);
    view.setUint32(0, this.index);
    view.setUint32(4, this.digest);
    return data;
  }
}
