/**
 * Teams' throttling as the Bot Connector applies it (docs/protocols.md B13), for chaos tests and benchmarks:
 * per bot per thread 7 operations in 1 s, 8 in 2 s, 60 in 30 s, 1,800 in an hour ("send" and "create
 * conversation" alike), and per app per tenant N requests per second (documented as 50, older copies 30).
 * A request over any window is refused with 429 and a `Retry-After` (whole seconds) saying when the
 * oldest request counting against that window leaves it. Refused requests do not count.
 */

/** `limit` requests within any `windowMs`. */
export interface ThrottleWindow {
  readonly limit: number;
  readonly windowMs: number;
}

export const TEAMS_THREAD_WINDOWS: readonly ThrottleWindow[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

export interface TeamsLimitsOptions {
  /** Per-thread windows; default Teams' (above). */
  readonly threadWindows?: readonly ThrottleWindow[];
  /** Requests per second per tenant; default 50. */
  readonly tenantPerSecond?: number;
}

/** What the throttle refused, by scope. */
export interface ThrottleCounters {
  /** Requests that counted (were let through to the service). */
  admitted: number;
  /** 429s for a thread window. */
  throttledThread: number;
  /** 429s for the tenant window. */
  throttledTenant: number;
  /** The longest `Retry-After` answered, in milliseconds before rounding up to seconds. */
  maxRetryAfterMs: number;
}

/** The result of a check: admitted, or refused with how long to wait. */
export type ThrottleVerdict = { readonly ok: true } | { readonly ok: false; readonly scope: "thread" | "tenant"; readonly retryAfterMs: number };

export class TeamsThrottle {
  private readonly threadWindows: readonly ThrottleWindow[];
  private readonly tenantWindows: readonly ThrottleWindow[];
  /** Admitted request times per key (`thread:…` or `tenant:…`), ascending, trimmed to the longest window. */
  private readonly admitted = new Map<string, number[]>();
  readonly counters: ThrottleCounters = { admitted: 0, throttledThread: 0, throttledTenant: 0, maxRetryAfterMs: 0 };

  constructor(
    options: TeamsLimitsOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.threadWindows = options.threadWindows ?? TEAMS_THREAD_WINDOWS;
    this.tenantWindows = [{ limit: options.tenantPerSecond ?? 50, windowMs: 1_000 }];
  }

  /**
   * Admits (and counts) one request against `thread` (a conversation id; for a new thread, the channel
   * id) and `tenant`, or refuses it without counting it.
   */
  check(thread: string, tenant: string): ThrottleVerdict {
    const at = this.now();
    const keys = [
      { key: `thread:${thread}`, windows: this.threadWindows, scope: "thread" as const },
      { key: `tenant:${tenant}`, windows: this.tenantWindows, scope: "tenant" as const },
    ];
    for (const { key, windows, scope } of keys) {
      const wait = this.waitFor(key, windows, at);
      if (wait > 0) {
        if (scope === "thread") this.counters.throttledThread++;
        else this.counters.throttledTenant++;
        this.counters.maxRetryAfterMs = Math.max(this.counters.maxRetryAfterMs, wait);
        return { ok: false, scope, retryAfterMs: wait };
      }
    }
    for (const { key, windows } of keys) this.record(key, windows, at);
    this.counters.admitted++;
    return { ok: true };
  }

  /** Forgets every admitted request and zeroes the counters. */
  reset(): void {
    this.admitted.clear();
    Object.assign(this.counters, { admitted: 0, throttledThread: 0, throttledTenant: 0, maxRetryAfterMs: 0 });
  }

  /** Milliseconds until a request at `at` would fit every window of `key` (0: it fits now). */
  private waitFor(key: string, windows: readonly ThrottleWindow[], at: number): number {
    const times = this.admitted.get(key);
    if (!times) return 0;
    let wait = 0;
    for (const w of windows) {
      // Requests inside (at - windowMs, at]; the limit-th most recent one must have left the window.
      const oldestThatCounts = times[times.length - w.limit];
      if (oldestThatCounts !== undefined && oldestThatCounts > at - w.windowMs) wait = Math.max(wait, oldestThatCounts + w.windowMs - at);
    }
    return wait;
  }

  private record(key: string, windows: readonly ThrottleWindow[], at: number): void {
    const times = this.admitted.get(key) ?? [];
    times.push(at);
    const keep = Math.max(...windows.map((w) => w.limit));
    if (times.length > keep) times.splice(0, times.length - keep);
    this.admitted.set(key, times);
  }
}

/** The `Retry-After` header value for a wait: whole seconds, at least 1 (as HTTP and Teams send it). */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
