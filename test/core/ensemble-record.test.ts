// An ensemble's record: the names, sizes and regions a create may ask for, which member is placed
// where, and which member is nearest to a request from a given place.

import { describe, expect, it } from "vitest";
import {
  ensembleRecord,
  nearestMember,
  regionNear,
  regionOf,
} from "../../src/core/ensemble-record.ts";
import { memberRegion } from "../../src/core/live-members.ts";

describe("ensemble records", () => {
  it("take a lowercase name, 3 or 5 members and known regions, and refuse anything else", () => {
    expect(ensembleRecord({ name: "orders" })).toEqual({ name: "orders", size: 3, regions: [] });
    expect(ensembleRecord({ name: "a-1", size: 5, regions: ["weur", "apac"] })).toEqual({
      name: "a-1",
      size: 5,
      regions: ["weur", "apac"],
    });
    for (const bad of [
      { name: "" },
      { name: "Orders" },
      { name: "a_b" },
      { name: "trailing-" },
      { name: "x".repeat(33) },
      { name: "ok", size: 4 },
      { name: "ok", regions: ["mars"] },
      { name: "ok", regions: ["weur", "enam", "apac", "oc"] },
    ])
      expect(ensembleRecord(bad), JSON.stringify(bad)).toMatchObject({ name: "BADARGUMENTS" });
  });

  it("place member i in region i mod n, or nowhere in particular", () => {
    const r = { name: "e", size: 5, regions: ["weur", "apac"] } as const;
    expect([0, 1, 2, 3, 4].map((i) => regionOf(r, i))).toEqual([
      "weur",
      "apac",
      "weur",
      "apac",
      "weur",
    ]);
    expect(regionOf({ size: 3, regions: [] }, 1)).toBeUndefined();
  });

  it("send a request to the member in the region nearest to where it came from", () => {
    expect(regionNear({ continent: "NA", longitude: "-122.4" })).toBe("wnam");
    expect(regionNear({ continent: "NA", longitude: "-74.0" })).toBe("enam");
    expect(regionNear({ continent: "EU", longitude: 2.35 })).toBe("weur");
    expect(regionNear({ continent: "EU", longitude: 37.6 })).toBe("eeur");
    expect(regionNear({ continent: "AS", country: "JP" })).toBe("apac");
    expect(regionNear({ continent: "AS", country: "AE" })).toBe("me");
    expect(regionNear({ continent: "SA" })).toBe("sam");
    expect(regionNear({ continent: "AF" })).toBe("afr");
    expect(regionNear({ continent: "OC" })).toBe("oc");
    expect(regionNear({})).toBeUndefined();
    const r = { size: 3, regions: ["weur", "enam", "apac"] } as const;
    const ids = [0, 1, 2];
    expect(nearestMember(ids, (i) => regionOf(r, i), "apac")).toBe(2);
    expect(nearestMember(ids, (i) => regionOf(r, i), "oc")).toBeUndefined();
    const none = { size: 3, regions: [] };
    expect(nearestMember(ids, (i) => regionOf(none, i), "weur")).toBeUndefined();
    // A member added later is placed by its own hint, never by the ensemble's list.
    expect(regionOf(r, 3)).toBeUndefined();
    const live = {
      voters: [0, 2, 3],
      observers: [4],
      retired: [1],
      placed: { "4": "oc" as const },
    };
    expect(nearestMember([0, 2, 3, 4], (i) => memberRegion(r, live, i), "oc")).toBe(4);
    expect(nearestMember([0, 2, 3, 4], (i) => memberRegion(r, live, i), "enam")).toBeUndefined();
  });
});
