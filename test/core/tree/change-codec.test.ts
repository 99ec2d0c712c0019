// The change log's stored form: events round-trip exactly, in order, ACLs included; a value of
// another version or a damaged one is refused rather than misread.

import { describe, expect, it } from "vitest";
import { decodeChanges, encodeChanges } from "../../../src/core/tree/change-codec.ts";
import type { TreeEvent } from "../../../src/core/tree/tree-event.ts";

const events: TreeEvent[] = [
  { zxid: 7, type: "NodeCreated", path: "/a" },
  { zxid: 7, type: "NodeChildrenChanged", path: "/" },
  { zxid: 8, type: "NodeDataChanged", path: "/a/ünïcødé" },
  {
    zxid: 2 ** 40,
    type: "NodeDeleted",
    path: "/a",
    acl: [
      { perms: 1, scheme: "digest", id: "u:hash=" },
      { perms: 31, scheme: "world", id: "anyone" },
    ],
  },
];

describe("change codec", () => {
  it("round-trips events in order, with and without ACLs", () => {
    expect(decodeChanges(encodeChanges(events))).toEqual(events);
    expect(decodeChanges(encodeChanges([]))).toEqual([]);
  });

  it("refuses another version, an unknown event type and trailing or missing bytes", () => {
    const bytes = encodeChanges(events);
    expect(() => decodeChanges(Uint8Array.of(9, ...bytes.subarray(1)))).toThrow(/version 9/);
    // The first event's type code sits after the version (1), count (8) and zxid (8).
    const badType = bytes.slice();
    badType[17] = 99;
    expect(() => decodeChanges(badType)).toThrow(/event type 99/);
    expect(() => decodeChanges(Uint8Array.of(...bytes, 0))).toThrow(/trailing/);
    expect(() => decodeChanges(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
  });
});
