/**
 * Keeps the bot under Teams' rate limits (docs/protocols.md B13) instead of bouncing off them: per bot per
 * thread 7 sends/1 s, 8/2 s, 60/30 s, 1,800/hour; per app per tenant about 50 requests/s.
 *
 * Teams counts a request when it arrives, which we cannot see. What we do know: it arrived after we sent
 * it and before its answer came back. So a request holds its place in a window from the moment it is let
 * through until `windowMs` after its answer (or failure): however long it spent on the way, it cannot
 * still be inside Teams' window once ours has let it go. No safety margin is needed (a fixed one wasted a
 * fifth of the tenant limit and still saw 429s when a call was delayed more than the margin); the cost is
 * one round trip per window.
 */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

export const THREAD_WINDOWS: readonly RateWindow[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

export const tenantWindows = (perSecond: number): readonly RateWindow[] => [{ limit: perSecond, windowMs: 1_000 }];

/** A monotonic clock (milliseconds) and a one-shot timer; virtual in tests. */
export interface LimiterTiming {
  now(): number;
  setTimer(fn: () => void, ms: number): { cancel(): void };
}

const realTiming: LimiterTiming = {
  // Monotonic: a wall-clock step must not open or close windows.
  now: () => performance.now(),
  setTimer: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A request let through: `done()` once its answer (or failure) is in. Idempotent. */
export interface RateSlot {
  done(): void;
}

/** One key's requests: how many are on the way, and when the answered ones were answered. */
interface KeyState {
  inFlight: number;
  /** Answer times, ascending (the clock is monotonic); only the most recent `max limit` matter. */
  readonly answered: number[];
}

interface Waiter {
  readonly keys: readonly string[];
  readonly admit: (slot: RateSlot) => void;
  readonly first: boolean;
}

/**
 * Keys tracked at most. Beyond it the least recently booked keys with nothing on the way are forgotten:
 * 10,000 bookings take over 3 minutes at Teams' 50 requests/s per tenant, so such a key's 1 s, 2 s and
 * 30 s windows are empty, and only a thread that was busy for an hour and then quiet could lose some of
 * its hourly count (docs/security.md, "Bounded in-memory maps").
 */
export const MAX_TRACKED_KEYS = 10_000;

/** `first`: goes ahead of every waiter that did not ask so (a reply inside a turn, which Teams waits on). */
export interface AcquireOptions {
  readonly first?: boolean;
}

/**
 * Sliding-window limiter over several keys at once (a thread and its tenant). A key's windows come from
 * its prefix (`thread:…`, `tenant:…`); keys of unknown kinds are not limited. Waiters are let through in
 * the order they asked, except that one held back by its own thread does not hold back other threads,
 * and those asking to go first (replies in a turn) go before the rest; otherwise two waiters of one key
 * never overtake each other.
 */
export class TeamsRateLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly queue: Waiter[] = [];
  private timer: { cancel(): void } | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowsByKind: Readonly<Record<string, readonly RateWindow[]>>,
    private readonly timing: LimiterTiming = realTiming,
  ) {}

  /** Waits until a request counting against every key of `keys` fits all their windows; books it. */
  acquire(keys: readonly string[], options: AcquireOptions = {}): Promise<RateSlot> {
    return new Promise((admit) => {
      const waiter = { keys, admit, first: options.first === true };
      if (!waiter.first) this.queue.push(waiter);
      else {
        const at = this.queue.findIndex((w) => !w.first);
        this.queue.splice(at < 0 ? this.queue.length : at, 0, waiter);
      }
      this.pump();
    });
  }

  /** Runs `call` once it fits, and keeps its place until it has settled. */
  async run<T>(keys: readonly string[], call: () => Promise<T>, options: AcquireOptions = {}): Promise<T> {
    const slot = await this.acquire(keys, options);
    try {
      return await call();
    } finally {
      slot.done();
    }
  }

  /** Requests waiting to be let through (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Keys (threads, tenants) whose recent requests are tracked (for tests and diagnostics). */
  get trackedKeys(): number {
    return this.keys.size;
  }

  private windowsOf(key: string): readonly RateWindow[] {
    return this.windowsByKind[key.slice(0, key.indexOf(":"))] ?? [];
  }

  /**
   * The earliest time a new request of `key` fits all its windows: `now` if it fits now, +Infinity if
   * it only can once a request on the way is answered.
   */
  private freeAt(key: string, now: number): number {
    const state = this.keys.get(key);
    if (!state) return now;
    let at = now;
    for (const w of this.windowsOf(key)) {
      // Counting: every request on the way, and every one answered within the window before `at`.
      const room = w.limit - state.inFlight;
      if (room <= 0) return Number.POSITIVE_INFINITY;
      const answered = state.answered[state.answered.length - room];
      if (answered !== undefined) at = Math.max(at, answered + w.windowMs);
    }
    return at;
  }

  /** Lets through every waiter that fits now, in order; sets a timer for the next one that will. */
  private pump(): void {
    const now = this.timing.now();
    const held = new Set<string>();
    let wakeAt = Number.POSITIVE_INFINITY;
    let kept = 0;
    for (const waiter of this.queue) {
      let fits = !waiter.keys.some((k) => held.has(k));
      if (fits) {
        for (const key of waiter.keys) {
          const at = this.freeAt(key, now);
          if (at > now) {
            fits = false;
            // Later waiters of this key wait too (their order is kept); others may go.
            held.add(key);
            wakeAt = Math.min(wakeAt, at);
          }
        }
      }
      if (fits) waiter.admit(this.book(waiter.keys));
      else this.queue[kept++] = waiter;
    }
    this.queue.length = kept;
    this.schedule(wakeAt, now);
  }

  private book(keys: readonly string[]): RateSlot {
    for (const key of keys) {
      const state = this.keys.get(key) ?? { inFlight: 0, answered: [] };
      // Re-inserted: the Map's order is then the order of last booking, oldest first.
      this.keys.delete(key);
      this.keys.set(key, state);
      state.inFlight++;
    }
    this.forgetLeastRecent();
    let settled = false;
    return {
      done: () => {
        if (settled) return;
        settled = true;
        this.answered(keys);
      },
    };
  }

  private answered(keys: readonly string[]): void {
    const now = this.timing.now();
    for (const key of keys) {
      const state = this.keys.get(key);
      if (!state) continue;
      state.inFlight--;
      state.answered.push(now);
      const windows = this.windowsOf(key);
      const keep = Math.max(0, ...windows.map((w) => w.limit));
      if (state.answered.length > keep) state.answered.splice(0, state.answered.length - keep);
    }
    this.forgetIdle(now);
    this.pump();
  }

  /** Above MAX_TRACKED_KEYS, forgets the least recently booked keys that have nothing on the way. */
  private forgetLeastRecent(): void {
    let excess = this.keys.size - MAX_TRACKED_KEYS;
    if (excess <= 0) return;
    for (const [key, state] of this.keys) {
      if (excess <= 0) break;
      if (state.inFlight > 0) continue;
      this.keys.delete(key);
      excess--;
    }
  }

  /** Drops keys (threads long quiet) whose requests can no longer affect any window. */
  private forgetIdle(now: number): void {
    if (this.keys.size <= 1_000 || now - this.sweptAt < 10_000) return;
    this.sweptAt = now;
    for (const [key, state] of this.keys) {
      const longest = Math.max(0, ...this.windowsOf(key).map((w) => w.windowMs));
      if (state.inFlight === 0 && (state.answered.at(-1) ?? Number.NEGATIVE_INFINITY) + longest <= now) this.keys.delete(key);
    }
  }

  private schedule(wakeAt: number, now: number): void {
    if (wakeAt === this.timerAt) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = wakeAt;
    if (!Number.isFinite(wakeAt)) return;
    // Timers may fire a little early: at least 1 ms, and a pump that finds nothing fits re-arms.
    this.timer = this.timing.setTimer(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(1, Math.ceil(wakeAt - now)),
    );
  }
}

/**
 * The legacy shape of the gateway's optional `limiter` option (teams-gateway.ts). Nothing passes one any
 * more: the limiter runs in the Bot Connector client's pipeline (guarded-connector.ts), where it sees
 * every request Teams counts and when its answer came back.
 */
export interface SlidingWindowLimiter {
  acquire(keys: readonly string[]): Promise<unknown>;
}
