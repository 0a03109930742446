import assert from "node:assert/strict";
import { TeamsRateLimiter, THREAD_WINDOWS, tenantWindows, type LimiterTiming, type RateWindow } from "../../../src/teams/rate-limiter";

/** Virtual time: timers fire in order when `run` advances the clock, so minutes pass instantly. */
class VirtualTime implements LimiterTiming {
  private clock = 0;
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  now(): number {
    return this.clock;
  }

  setTimer(fn: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.clock + ms, seq: this.seq++, fn };
    this.timers.push(timer);
    return {
      cancel: () => {
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  /** Runs every timer (and what the promises they settle do) until none is left. */
  async run(): Promise<void> {
    await flush();
    while (this.timers.length > 0) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.clock = Math.max(this.clock, next.at);
      next.fn();
      await flush();
    }
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The largest number of events in any window of `windowMs` ending at an event (Teams' count). */
function busiest(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let from = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[from]! <= sorted[i]! - windowMs) from++;
    most = Math.max(most, i - from + 1);
  }
  return most;
}

/** A seeded generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("Teams rate limiter (docs/protocols.md B13)", () => {
  it("keeps one thread under 7/1 s, 8/2 s and 60/30 s, as fast as those allow, in order", async () => {
    const time = new VirtualTime();
    const limiter = new TeamsRateLimiter({ thread: THREAD_WINDOWS, tenant: tenantWindows(50) }, time);
    const starts: number[] = [];
    const order: number[] = [];
    // All asked at once (a backlog), answered at once: the order asked is the order let through.
    const calls = Array.from({ length: 130 }, (_, i) =>
      limiter.run(["thread:A", "tenant:T"], async () => {
        starts.push(time.now());
        order.push(i);
      }),
    );
    await time.run();
    await Promise.all(calls);
    assert.ok(busiest(starts, 1_000) <= 7, `1 s: ${busiest(starts, 1_000)}`);
    assert.ok(busiest(starts, 2_000) <= 8, `2 s: ${busiest(starts, 2_000)}`);
    assert.ok(busiest(starts, 30_000) <= 60, `30 s: ${busiest(starts, 30_000)}`);
    assert.deepEqual(starts.slice(0, 7), [0, 0, 0, 0, 0, 0, 0], "the first burst goes at once");
    assert.deepEqual(
      order,
      Array.from({ length: 130 }, (_, i) => i),
      "never out of order",
    );
    assert.equal(starts[7], 1_000, "the 8th as soon as the first has left the 1-second window");
    // 130 calls need two more 30-second windows beyond the first 60, and not more.
    assert.ok(starts.at(-1)! >= 60_000 && starts.at(-1)! <= 62_000, `last at ${starts.at(-1)}`);
  });

  it("shares the tenant limit across threads but not the thread limits", async () => {
    const time = new VirtualTime();
    const limiter = new TeamsRateLimiter({ thread: THREAD_WINDOWS, tenant: tenantWindows(10) }, time);
    const starts: number[] = [];
    const calls = Array.from({ length: 40 }, (_, i) =>
      limiter.run([`thread:${i % 20}`, "tenant:T"], async () => {
        starts.push(time.now());
      }),
    );
    await time.run();
    await Promise.all(calls);
    assert.ok(busiest(starts, 1_000) <= 10);
    assert.equal(starts.filter((t) => t === 0).length, 10, "10 threads at once fit the tenant limit");
    assert.equal(Math.max(...starts), 3_000, "then 10 more each second, no idle gaps");
  });

  it("a request on the way holds its place until its answer, then for a whole window", async () => {
    const time = new VirtualTime();
    const tight: RateWindow[] = [{ limit: 2, windowMs: 100 }];
    const limiter = new TeamsRateLimiter({ thread: tight }, time);
    const first = await limiter.acquire(["thread:x"]);
    await limiter.acquire(["thread:x"]);
    let third: number | undefined;
    void limiter.acquire(["thread:x"]).then(() => {
      third = time.now();
    });
    const later = time.sleep(500);
    await time.run();
    await later;
    assert.equal(third, undefined, "both places are taken while neither request has been answered");
    first.done();
    first.done(); // idempotent
    await time.run();
    assert.equal(third, 600, "answered at 500, so it may have arrived at 500: the place frees at 600");
    assert.equal(limiter.waiting, 0);
  });

  it("a thread held back by its own limit does not hold back other threads", async () => {
    const time = new VirtualTime();
    const limiter = new TeamsRateLimiter({ thread: [{ limit: 1, windowMs: 1_000 }], tenant: tenantWindows(100) }, time);
    const starts: Record<string, number[]> = { a: [], b: [] };
    const calls = ["a", "a", "a", "b"].map((t) =>
      limiter.run([`thread:${t}`, "tenant:T"], async () => {
        starts[t]!.push(time.now());
      }),
    );
    await time.run();
    await Promise.all(calls);
    assert.deepEqual(starts.a, [0, 1_000, 2_000]);
    assert.deepEqual(starts.b, [0], "b went at once, not after a's backlog");
  });

  it("a reply in a turn goes ahead of queued posts, still within the windows", async () => {
    const time = new VirtualTime();
    const limiter = new TeamsRateLimiter({ thread: THREAD_WINDOWS, tenant: tenantWindows(2) }, time);
    const order: string[] = [];
    const starts: number[] = [];
    const call = (name: string, first: boolean) =>
      limiter.run(
        [`thread:${name}`, "tenant:T"],
        async () => {
          order.push(name);
          starts.push(time.now());
        },
        { first },
      );
    const calls = ["p1", "p2", "p3", "p4", "p5"].map((n) => call(n, false));
    calls.push(call("turn1", true), call("turn2", true));
    await time.run();
    await Promise.all(calls);
    assert.deepEqual(order, ["p1", "p2", "turn1", "turn2", "p3", "p4", "p5"], "p1, p2 went at once; the turn replies jump the queue, in their own order");
    assert.ok(busiest(starts, 1_000) <= 2);
  });

  it("keys of other kinds are not limited", async () => {
    const time = new VirtualTime();
    const limiter = new TeamsRateLimiter({ thread: [{ limit: 1, windowMs: 1_000 }] }, time);
    const slots = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire(["other:x"])));
    assert.equal(slots.length, 5);
    assert.equal(time.now(), 0);
  });

  it("wherever in its round trip a request arrives, no window of Teams is exceeded; the tenant limit is used to ≥ 0.9", async () => {
    // Teams counts a request when it arrives: anywhere between our send and its answer. 200 threads with
    // 12 requests each (a creation, ten posts, a card update), round trips of 5 to 60 ms.
    const time = new VirtualTime();
    const random = seeded(5);
    const limiter = new TeamsRateLimiter({ thread: THREAD_WINDOWS, tenant: tenantWindows(50) }, time);
    const arrivals = new Map<string, number[]>();
    const arrived = (key: string, at: number) => (arrivals.get(key) ?? arrivals.set(key, []).get(key)!).push(at);
    const thread = async (t: number) => {
      for (let i = 0; i < 12; i++) {
        await limiter.run([`thread:${t}`, "tenant:T"], async () => {
          const roundTrip = 5 + random() * 55;
          const at = time.now() + random() * roundTrip;
          arrived(`thread:${t}`, at);
          arrived("tenant:T", at);
          await time.sleep(roundTrip);
        });
      }
    };
    const threads = Array.from({ length: 200 }, (_, t) => thread(t));
    await time.run();
    await Promise.all(threads);
    const tenant = arrivals.get("tenant:T")!;
    assert.equal(tenant.length, 2_400);
    assert.ok(busiest(tenant, 1_000) <= 50, `tenant: ${busiest(tenant, 1_000)} in a second`);
    for (const [key, times] of arrivals) {
      if (!key.startsWith("thread:")) continue;
      for (const w of THREAD_WINDOWS) assert.ok(busiest(times, w.windowMs) <= w.limit, `${key}: ${busiest(times, w.windowMs)} in ${w.windowMs} ms`);
    }
    const seconds = (Math.max(...tenant) - Math.min(...tenant)) / 1_000;
    const ratio = tenant.length / seconds / 50;
    assert.ok(ratio >= 0.9, `used ${(ratio * 100).toFixed(1)} % of the tenant limit`);
  });
});
