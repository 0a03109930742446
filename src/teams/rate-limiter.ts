/**
 * Keeps the bot under Teams' rate limits (protocols.md B13) instead of bouncing off them: per bot per
 * thread 7 sends/1 s, 8/2 s, 60/30 s, 1,800/hour; per app per tenant about 50 requests/s. Each call books
 * the earliest moment at which every window it counts against has room, then waits until then. Bookings
 * are made in call order, so one thread's posts keep their order.
 */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Slots are booked when a call starts, but Teams counts a call when it arrives: a call delayed on the way
 * (CPU, connection set-up) can land inside the next window. Each window is kept this much longer than
 * Teams' own, so such a call still fits (the benchmark saw 429s without it).
 */
export const TRANSIT_MARGIN_MS = 250;

export const THREAD_WINDOWS: readonly RateWindow[] = [
  { limit: 7, windowMs: 1_000 + TRANSIT_MARGIN_MS },
  { limit: 8, windowMs: 2_000 + TRANSIT_MARGIN_MS },
  { limit: 60, windowMs: 30_000 + TRANSIT_MARGIN_MS },
  { limit: 1_800, windowMs: 3_600_000 + TRANSIT_MARGIN_MS },
];

export const tenantWindows = (perSecond: number): readonly RateWindow[] => [{ limit: perSecond, windowMs: 1_000 + TRANSIT_MARGIN_MS }];

interface Timing {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTiming: Timing = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/**
 * Sliding-window limiter over several keys at once (e.g. a thread and its tenant). A key's windows come
 * from its prefix (`thread:…`, `tenant:…`). Each key's bookings are non-decreasing, so a new booking only
 * has to fit the windows that end at it.
 */
export class SlidingWindowLimiter {
  /** Booked start times per key, ascending. */
  private readonly booked = new Map<string, number[]>();

  constructor(private readonly windowsByKind: Readonly<Record<string, readonly RateWindow[]>>, private readonly timing: Timing = realTiming) {}

  private windowsOf(key: string): readonly RateWindow[] {
    return this.windowsByKind[key.slice(0, key.indexOf(":"))] ?? [];
  }

  /** Books one call against every key and resolves when it may start. */
  async acquire(keys: readonly string[]): Promise<void> {
    const now = this.timing.now();
    let at = now;
    for (const key of keys) at = Math.max(at, this.booked.get(key)?.at(-1) ?? now);
    for (let changed = true; changed; ) {
      changed = false;
      for (const key of keys) {
        const times = this.booked.get(key) ?? [];
        for (const w of this.windowsOf(key)) {
          // The limit-th most recent booking must have left the window that ends at `at`.
          const oldestThatCounts = times[times.length - w.limit];
          if (oldestThatCounts !== undefined && oldestThatCounts + w.windowMs > at) {
            at = oldestThatCounts + w.windowMs;
            changed = true;
          }
        }
      }
    }
    if (this.booked.size > 10_000) this.forgetIdle(now);
    for (const key of keys) {
      const times = this.booked.get(key) ?? [];
      times.push(at);
      const keep = Math.max(...this.windowsOf(key).map((w) => w.limit));
      if (times.length > keep) times.splice(0, times.length - keep);
      this.booked.set(key, times);
    }
    if (at > now) await this.timing.sleep(at - now);
  }

  /** Drops keys (threads long quiet) whose bookings can no longer affect any window. */
  private forgetIdle(now: number): void {
    for (const [key, times] of this.booked) {
      const longest = Math.max(0, ...this.windowsOf(key).map((w) => w.windowMs));
      if ((times.at(-1) ?? 0) + longest < now) this.booked.delete(key);
    }
  }
}
