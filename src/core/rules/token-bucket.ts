import type { Clock } from "../ports/clock";

/**
 * A token bucket that hands out reservations: `reserve()` takes one token now or books the next one and
 * says how long to wait for it. Callers that reserve in order are released in order.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly refillEveryMs: number,
    private readonly clock: Clock,
  ) {
    this.tokens = capacity;
    this.updatedAt = clock.now();
  }

  /** Milliseconds to wait before the reserved token may be used (0: use it now). */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) / this.refillEveryMs);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens * this.refillEveryMs);
  }
}
