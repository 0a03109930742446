import type { Clock } from "../../src/core/ports/clock";

/**
 * A clock for core unit tests: `now()` is fixed until advanced, and `sleep` resolves at once while
 * advancing the time by the requested amount (so backoff logic runs instantly but observably).
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = Date.UTC(2026, 10, 30, 9, 0, 0)) {}
  now(): number { return this.time; }
  advance(ms: number): void { this.time += ms; }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
    await new Promise((r) => setImmediate(r));
  }
}
