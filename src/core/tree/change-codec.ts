// The change log's stored form: a run of events in one binary value, so a member writes one row
// per flush of the applied tree instead of one per event (and trims one per batch, not per event).

import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { readAcl, writeAcl } from "./record-codec.ts";
import { type EventType, eventTypeCode, type TreeEvent } from "./tree-event.ts";

const codecVersion = 1;
const typeOfCode = new Map<number, EventType>(
  Object.entries(eventTypeCode).map(([type, code]) => [code, type as EventType]),
);

/** Events in the order given (zxid order, and each zxid's in the order applied). */
export function encodeChanges(events: readonly TreeEvent[]): Uint8Array {
  const w = new ByteWriter(64 + events.length * 48).u8(codecVersion).int(events.length);
  for (const e of events) {
    w.int(e.zxid).u8(eventTypeCode[e.type]).text(e.path);
    if (e.acl === undefined) w.u8(0);
    else writeAcl(w.u8(1), e.acl);
  }
  return w.finish();
}

export function decodeChanges(bytes: Uint8Array): TreeEvent[] {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== codecVersion) throw new Error(`unknown change codec version ${version}`);
  const n = r.int();
  const events: TreeEvent[] = [];
  for (let i = 0; i < n; i++) {
    const zxid = r.int();
    const code = r.u8();
    const type = typeOfCode.get(code);
    if (type === undefined) throw new Error(`unknown event type ${code}`);
    const path = r.text();
    events.push(r.u8() === 1 ? { zxid, type, path, acl: readAcl(r) } : { zxid, type, path });
  }
  if (!r.done) throw new Error("trailing bytes after changes");
  return events;
}
