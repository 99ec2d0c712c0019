// The CPU meter charges each step its own time: a step inside another is taken out of the outer
// one, at any depth, and a step that throws is charged as well.

import { describe, expect, it } from "vitest";
import { CpuMeter } from "../../durable-objects/cpu-meter.ts";

describe("CpuMeter", () => {
  it("charges each step its time less the steps inside it", () => {
    let nowMs = 0;
    const meter = new CpuMeter(() => nowMs);
    meter.time("persist", () => {
      nowMs += 3;
      meter.time("apply", () => {
        nowMs += 5;
        meter.time("settle", () => {
          nowMs += 7;
        });
        nowMs += 1;
      });
      meter.time("apply", () => {
        nowMs += 2;
      });
      nowMs += 4;
    });
    expect(() =>
      meter.time("send", () => {
        nowMs += 10;
        throw new Error("peer gone");
      }),
    ).toThrow("peer gone");
    meter.time("receive", () => {
      nowMs += 6;
    });
    expect(meter.reading().ms).toMatchObject({
      persist: 7,
      apply: 8,
      settle: 7,
      send: 10,
      receive: 6,
      prepare: 0,
    });
  });
});
