// The hand-checked fast path for the session protocol's frequent frames against the zod schema it
// stands in for: whatever it accepts, the schema accepts with the same output.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastRequestFrame } from "../../../src/protocol/request-frame-fast.ts";
import { maxDataTextLength } from "../../../src/protocol/request-schemas.ts";
import { requestFrameSchema } from "../../../src/protocol/session-frames.ts";

const seed = Number(process.env.FRAME_SEED ?? Date.now() % 1_000_000);
const longest = "x".repeat(maxDataTextLength);

/** Absent, a valid value, or (one time in four) a wrong one: most frames are then near misses. */
const field = (valid: unknown[], wrong: unknown[]) =>
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: fc.constantFrom(...valid), weight: 3 },
    { arbitrary: fc.constantFrom(...wrong), weight: 1 },
  );
const opKeys: Record<string, string[]> = {
  getData: ["op", "id", "path", "watch"],
  exists: ["op", "id", "path", "watch"],
  setData: ["op", "id", "seq", "path", "data", "encoding", "version"],
  create: ["op", "id", "seq", "path", "data", "encoding", "mode", "ttlMs"],
  delete: ["op", "id", "seq", "path", "version"],
};
const frames = fc
  .record({
    op: fc.constantFrom("getData", "exists", "setData", "create", "delete", "ping", "sync", "nope"),
    id: field([0, 77, Number.MAX_SAFE_INTEGER], [-1, 1.5, 2 ** 53, "1", null]),
    seq: field([1, 9], [0, -3, 2.5, "4", 2 ** 53]),
    path: field(["/", "/a/b", "/é", "/".repeat(4096)], ["", "/".repeat(4097), 5]),
    data: field(["", "abc", longest], [`${longest}x`, 3]),
    encoding: field(["utf8", "base64"], ["hex", 1]),
    version: field([-1, 0, 5], [1.5, "2", 2 ** 60]),
    mode: field([0, 6, "persistent", "ephemeral_sequential"], [7, -1, 2.5, "bogus", "toString"]),
    watch: field([true, false], ["yes"]),
    ttlMs: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, fc.constant(5)),
    bogus: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, fc.constant(1)),
  })
  .chain((r) => fc.tuple(fc.constant(r), fc.integer({ min: 0, max: 9 })))
  // Mostly the keys the op takes; one frame in ten keeps every key it drew.
  .map(([r, dice]) =>
    Object.fromEntries(
      Object.entries(r).filter(
        ([k, v]) => v !== undefined && (dice === 0 || (opKeys[r.op] ?? []).includes(k)),
      ),
    ),
  );

describe("session frames' fast path", () => {
  it(`accepts only what the schema accepts, with its output (seed ${seed}, FRAME_SEED=)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(frames, (frame) => {
        const fast = fastRequestFrame(frame);
        if (fast === undefined) return;
        accepted++;
        const parsed = requestFrameSchema.safeParse(frame);
        expect(parsed.success).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { seed, numRuns: 5000 },
    );
    // Most generated frames carry some wrong field; enough must pass to make the check mean something.
    expect(accepted).toBeGreaterThan(100);
  });

  it("takes the frames a client sends most, and leaves the rest to the schema", () => {
    const typical = [
      { op: "getData", id: 4, path: "/a", watch: true },
      { op: "exists", id: 5, path: "/a" },
      { op: "setData", id: 6, seq: 3, path: "/a", data: "aGk=", encoding: "base64" },
      { op: "create", id: 7, seq: 4, path: "/a/b", data: "hi", mode: "ephemeral_sequential" },
      { op: "create", id: 8, seq: 5, path: "/a/c", mode: 2 },
      { op: "delete", id: 9, seq: 6, path: "/a/c" },
    ];
    for (const frame of typical) {
      const parsed = requestFrameSchema.safeParse(frame);
      expect(parsed.success).toBe(true);
      expect(fastRequestFrame(frame)).toEqual(parsed.data);
    }
    expect(fastRequestFrame({ op: "setData", id: 1, path: "/a" })).toMatchObject({ version: -1 });
    expect(
      fastRequestFrame({ op: "create", id: 1, path: "/a", mode: "persistent_sequential" }),
    ).toMatchObject({ mode: 2 });
    for (const other of [
      { op: "create", id: 1, path: "/a", acl: [] },
      { op: "create", id: 1, path: "/a", ttlMs: 5, mode: "persistent_ttl" },
      { op: "multi", id: 1, ops: [] },
      JSON.parse('{"op":"getData","id":1,"path":"/a","__proto__":{"x":1}}'),
      [{ op: "getData" }],
      null,
    ])
      expect(fastRequestFrame(other)).toBeUndefined();
  });
});
