import { BridgeError } from "./errors";
import type { Clock } from "./ports/clock";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  /** No new attempt starts after this much time since the first. */
  readonly budgetMs: number;
}

/** For calls made while a person waits (a staff reply in a Teams turn). */
export const INTERACTIVE_RETRY: RetryPolicy = { attempts: 3, baseMs: 300, capMs: 2_000, budgetMs: 6_000 };
/** For background work (posting an inbound message to Teams). */
export const BACKGROUND_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, capMs: 8_000, budgetMs: 30_000 };

/**
 * Runs `fn`, retrying only errors that say they are retryable (`BridgeError.retryable`), with exponential
 * backoff and full jitter, honouring an error's `retryAfterMs` (which botbuilder's own retry ignores).
 * Rethrows the last error when attempts or the time budget run out.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, clock: Clock, random: () => number = Math.random): Promise<T> {
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof BridgeError) || !err.retryable || attempt >= policy.attempts) throw err;
      const backoff = random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
      const delay = Math.max(backoff, err.retryAfterMs ?? 0);
      if (clock.now() - started + delay > policy.budgetMs) throw err;
      await clock.sleep(delay);
    }
  }
}
