import assert from "node:assert/strict";
import { SlidingWindowLimiter, THREAD_WINDOWS, tenantWindows, type RateWindow } from "../../../src/teams/rate-limiter";

/** Virtual time: `sleep` advances it, so a schedule of thousands of calls runs instantly. */
function virtualTiming() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => { now += ms; } };
}

/** The largest number of calls in any window of `windowMs` ending at a call. */
function busiest(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0; i < times.length; i++) most = Math.max(most, times.filter((t) => t > times[i]! - windowMs && t <= times[i]!).length);
  return most;
}

describe("Teams rate limiter (protocols.md B13)", () => {
  it("keeps one thread under 7/1 s, 8/2 s and 60/30 s, as fast as those allow, in order", async () => {
    const timing = virtualTiming();
    const limiter = new SlidingWindowLimiter({ thread: THREAD_WINDOWS, tenant: tenantWindows(50) }, timing);
    const starts: number[] = [];
    for (let i = 0; i < 130; i++) {
      await limiter.acquire(["thread:A", "tenant:T"]);
      starts.push(timing.now());
    }
    assert.ok(busiest(starts, 1_000) <= 7, `1 s: ${busiest(starts, 1_000)}`);
    assert.ok(busiest(starts, 2_000) <= 8, `2 s: ${busiest(starts, 2_000)}`);
    assert.ok(busiest(starts, 30_000) <= 60, `30 s: ${busiest(starts, 30_000)}`);
    assert.deepEqual(starts.slice(0, 7), [0, 0, 0, 0, 0, 0, 0], "the first burst goes at once");
    assert.ok(starts.every((t, i) => i === 0 || t >= starts[i - 1]!), "never out of order");
    // 130 calls need at least two 30-second windows beyond the first 60.
    assert.ok(starts.at(-1)! >= 60_000, `last at ${starts.at(-1)}`);
  });

  it("shares the tenant limit across threads but not the thread limits", async () => {
    const timing = virtualTiming();
    const limiter = new SlidingWindowLimiter({ thread: THREAD_WINDOWS, tenant: tenantWindows(10) }, timing);
    const starts: number[] = [];
    for (let i = 0; i < 40; i++) {
      await limiter.acquire([`thread:${i % 20}`, "tenant:T"]);
      starts.push(timing.now());
    }
    assert.ok(busiest(starts, 1_000) <= 10);
    assert.equal(starts.filter((t) => t === 0).length, 10, "10 threads at once fit the tenant limit");
  });

  it("the limits are data: a custom window applies", async () => {
    const timing = virtualTiming();
    const tight: RateWindow[] = [{ limit: 2, windowMs: 100 }];
    const limiter = new SlidingWindowLimiter({ thread: tight }, timing);
    const starts: number[] = [];
    for (let i = 0; i < 6; i++) { await limiter.acquire(["thread:x"]); starts.push(timing.now()); }
    assert.deepEqual(starts, [0, 0, 100, 100, 200, 200]);
  });
});
