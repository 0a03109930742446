import { BridgeError } from "./errors";
import type { Clock } from "./ports/clock";
import { delayFor, type RetryPolicy } from "./retry-policy";

/**
 * Runs `fn`, retrying only errors that say they are retryable (`BridgeError.retryable`), waiting as
 * `policy` says (`delayFor`: jittered backoff, at least an error's `retryAfterMs`, which botbuilder's own
 * retry ignores). Rethrows the last error when the attempts or the policy's time budget run out.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, clock: Clock, random: () => number = Math.random): Promise<T> {
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof BridgeError) || !err.retryable || attempt >= policy.attempts) throw err;
      const delay = delayFor(policy, attempt, err, random);
      if (policy.budgetMs !== undefined && clock.now() - started + delay > policy.budgetMs) throw err;
      await clock.sleep(delay);
    }
  }
}
