import type { Clock } from "../../src/core/ports/clock";

/**
 * A clock for core unit tests: `now()` is fixed until advanced, and `sleep` resolves at once while
 * advancing the time by the requested amount (so backoff logic runs instantly but observably).
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  // An hour after the fixtures' default message time (world.ts), so their 24-hour window is open.
  constructor(private time = (1_789_300_000 + 3600) * 1000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
    await new Promise((r) => setImmediate(r));
  }
}
