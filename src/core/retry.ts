import { BridgeError } from "./errors";
import type { Clock } from "./ports/clock";
import type { Metrics } from "./ports/metrics";
import { delayFor, type RetryPolicy } from "./retry-policy";

/** What a retry loop needs besides the work: a clock to wait on, and metrics that count the retries. */
export interface RetryEnv {
  readonly clock: Clock;
  readonly metrics?: Metrics;
}

/**
 * Runs `fn`, retrying only errors that say they are retryable (`BridgeError.retryable`), waiting as
 * `policy` says (`delayFor`: jittered backoff, at least an error's `retryAfterMs`, which botbuilder's own
 * retry ignores). Rethrows the last error when the attempts or the policy's time budget run out. `env` is
 * a clock, or (the bridge context) a clock with metrics, which then count each retry by policy name.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, env: Clock | RetryEnv, random: () => number = Math.random): Promise<T> {
  const { clock, metrics } = "now" in env ? { clock: env, metrics: undefined } : env;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof BridgeError) || !err.retryable || attempt >= policy.attempts) throw err;
      const delay = delayFor(policy, attempt, err, random);
      if (policy.budgetMs !== undefined && clock.now() - started + delay > policy.budgetMs) throw err;
      metrics?.count("bridge.retries", { "retry.policy": policy.name });
      await clock.sleep(delay);
    }
  }
}
