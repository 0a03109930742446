import type { Clock } from "../../src/core/ports/clock";

/**
 * A clock that only moves when a test says so: `sleep` waits until `advance` has moved the time past its
 * end. For loops that sleep between rounds (the link probe), so a test decides when each round runs.
 */
export class StepClock implements Clock {
  private time = 0;
  private sleepers: Array<{ until: number; wake: () => void }> = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ until: this.time + ms, wake }));
  }

  /** Moves the time forward and wakes every sleeper whose time has come; resolves once they have run a turn. */
  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    for (const sleeper of due) sleeper.wake();
    await new Promise((r) => setImmediate(r));
  }
}
