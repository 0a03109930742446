import type { Clock } from "../../src/core/ports/clock";

/**
 * Real time moved by an offset a test sets: the bridge runs at its normal pace (sleeps are real), but
 * "now" can be put at noon today or just after midnight tomorrow, so a UTC day can end within a test.
 */
export class ShiftedClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  /** From now on, `now()` reads `at` (and moves on from there). */
  setTo(at: number): void {
    this.offset = at - Date.now();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}
