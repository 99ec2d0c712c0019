// The session expiry schedule: bucketed deadlines, O(1) touches, expiry in id order.

import { describe, expect, it } from "vitest";
import { ExpiryQueue } from "../../../src/core/session/expiry-queue.ts";

describe("ExpiryQueue", () => {
  it("rounds deadlines up to the next bucket and expires them once due", () => {
    const q = new ExpiryQueue(10);
    q.touch(1n, 0, 25);
    expect(q.deadlineOf(1n)).toBe(30);
    expect(q.expire(29)).toEqual([]);
    expect(q.expire(30)).toEqual([1n]);
    expect(q.size).toBe(0);
  });

  it("a touch pushes the deadline out; removal forgets the session", () => {
    const q = new ExpiryQueue(5);
    q.touch(1n, 0, 20);
    q.touch(2n, 0, 20);
    q.touch(1n, 18, 20);
    q.remove(2n);
    expect(q.expire(30)).toEqual([]);
    expect(q.nextDeadline()).toBe(40);
    expect(q.expire(40)).toEqual([1n]);
  });

  it("expires several buckets at once, in id order", () => {
    const q = new ExpiryQueue(1);
    q.touch(9n, 0, 3);
    q.touch(3n, 0, 1);
    q.touch(5n, 0, 2);
    expect(q.expire(100)).toEqual([3n, 5n, 9n]);
  });
});
