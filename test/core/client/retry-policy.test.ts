// The reconnect backoff: within Curator's bounds for every attempt, capped, spread by jitter, and
// the same sequence for the same seed.

import { describe, expect, it } from "vitest";
import { exponentialBackoff } from "../../../src/client/retry-policy.ts";
import { seededRng } from "../../../src/core/random.ts";

const seed = Number(process.env.RETRY_SEED ?? 7);

describe("exponential backoff with jitter (seed printed; replay with RETRY_SEED)", () => {
  it(`stays within base × [1, 2^(n+1)) and under the cap (seed=${seed})`, () => {
    const rng = seededRng(seed);
    const policy = exponentialBackoff({ baseMs: 100, maxMs: 3_000, random: () => rng.next() });
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let i = 0; i < 50; i++) {
        const d = policy.delayMs(attempt);
        expect(d).toBeGreaterThanOrEqual(100);
        expect(d).toBeLessThanOrEqual(Math.min(3_000, 100 * 2 ** (attempt + 1)));
      }
    }
  });

  it("spreads retries (jitter) and reaches the cap", () => {
    const rng = seededRng(seed);
    const policy = exponentialBackoff({ baseMs: 100, maxMs: 3_000, random: () => rng.next() });
    const third = new Set(Array.from({ length: 50 }, () => policy.delayMs(3)));
    expect(third.size).toBeGreaterThan(20);
    expect(Math.max(...Array.from({ length: 50 }, () => policy.delayMs(30)))).toBe(3_000);
    expect(exponentialBackoff({ random: () => 0 }).delayMs(0)).toBe(250);
    expect(exponentialBackoff({ random: () => 0.999999 }).delayMs(100)).toBe(5_000);
  });

  it("replays the same delays for the same seed", () => {
    const run = () => {
      const rng = seededRng(seed);
      const policy = exponentialBackoff({ random: () => rng.next() });
      return Array.from({ length: 20 }, (_, n) => policy.delayMs(n));
    };
    expect(run()).toEqual(run());
  });

  it("refuses nonsense bounds", () => {
    expect(() => exponentialBackoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => exponentialBackoff({ baseMs: 500, maxMs: 100 })).toThrow(RangeError);
  });
});
