/**
 * Every retry and backoff of the bridge, in one place: a named policy says how many attempts, how the wait
 * grows, its cap and whether it is jittered; `delayFor` turns a policy and a failure count into the wait.
 * (The media retries of `scheduling/follow-ups.ts` and `from-whatsapp/media-retry.ts` use `MEDIA_RETRY`.)
 */
export interface RetryPolicy {
  /** How metrics and logs call it (the `retry.policy` attribute of `bridge.retries`). */
  readonly name: string;
  /** Attempts in all, the first included (`Infinity`: until it succeeds or the work stops). */
  readonly attempts: number;
  /** The wait after the first failure … */
  readonly baseMs: number;
  /** … each further wait `factor` times the one before (1: always the same) … */
  readonly factor: number;
  /** … and never more than this. */
  readonly capMs: number;
  /**
   * `full`: a random wait between 0 and the computed one, so that many callers failing together do not
   * come back together; `none`: exactly the computed one (waits that follow an advice, e.g. Meta's 4^X s).
   */
  readonly jitter: "full" | "none";
  /** No new attempt starts after this much time since the first (`withRetry`); unset: no limit. */
  readonly budgetMs?: number;
}

/**
 * The wait after failure number `failures` (1 after the first) under `policy`: `baseMs × factor^(failures−1)`
 * capped at `capMs`, jittered as the policy says, and never shorter than a `retryAfterMs` the failure
 * carried (the other side said when to come back).
 */
export function delayFor(
  policy: RetryPolicy,
  failures: number,
  hint?: { readonly retryAfterMs?: number | undefined },
  random: () => number = Math.random,
): number {
  const grown = policy.baseMs <= 0 ? 0 : Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, failures - 1));
  const wait = policy.jitter === "full" ? random() * grown : grown;
  return Math.max(wait, hint?.retryAfterMs ?? 0);
}

/** A call made while a person waits (a staff reply in a Teams turn): few attempts, short waits. */
export const INTERACTIVE_RETRY: RetryPolicy = { name: "interactive", attempts: 3, baseMs: 300, factor: 2, capMs: 2_000, jitter: "full", budgetMs: 6_000 };

/** Background work (posting an inbound message to Teams, recording it). */
export const BACKGROUND_RETRY: RetryPolicy = { name: "background", attempts: 5, baseMs: 500, factor: 2, capMs: 8_000, jitter: "full", budgetMs: 30_000 };

/**
 * A WhatsApp send refused with a retryable failure, retried inside the pacer: 1, 2, 4, 8 s … (30 s at
 * most). Its `attempts` is the default of `PacingSettings.attempts`, which decides.
 */
export const WHATSAPP_SEND_RETRY: RetryPolicy = { name: "whatsapp-send", attempts: 5, baseMs: 1_000, factor: 2, capMs: 30_000, jitter: "none" };

/** The same, for a `pair-rate` refusal: Meta advises waiting 4^X seconds, X the failures so far (docs/protocols.md A15). */
export const PAIR_RATE_RETRY: RetryPolicy = { ...WHATSAPP_SEND_RETRY, name: "pair-rate", factor: 4, capMs: Number.POSITIVE_INFINITY };

/*
 * A reply Meta failed for a rate limit after accepting it is sent again (outbox-resend.ts), after the wait
 * Meta advises for that limit. `attempts` counts the sends, the first included: 3 re-sends by default
 * (`PacingSettings.rateLimitResends` decides when set).
 */
/** Re-send after a `pair-rate` failure: 1, 4, 16 s. */
export const PAIR_RATE_RESEND: RetryPolicy = { ...PAIR_RATE_RETRY, name: "pair-rate-resend", attempts: 4 };
/** Re-send after a `throughput` failure: 1, 2, 4 s … up to a minute. */
export const THROUGHPUT_RESEND: RetryPolicy = { name: "throughput-resend", attempts: 4, baseMs: 1_000, factor: 2, capMs: 60_000, jitter: "none" };
/** Re-send after a `capacity-upgrade` failure: a minute each time (docs/protocols.md A15: "≤ 1 min"). */
export const CAPACITY_UPGRADE_RESEND: RetryPolicy = { name: "capacity-upgrade-resend", attempts: 4, baseMs: 60_000, factor: 1, capMs: 60_000, jitter: "none" };

/**
 * A contact's lane whose head keeps failing: tried again until it succeeds, 1, 2, 4 s … up to a minute,
 * so that a later event of the contact never overtakes it.
 */
export const CONTACT_LANE_RETRY: RetryPolicy = {
  name: "contact-lane",
  attempts: Number.POSITIVE_INFINITY,
  baseMs: 1_000,
  factor: 2,
  capMs: 60_000,
  jitter: "none",
};

/** A customer's file that could not be downloaded: 8 attempts in all, 2, 4, 8 s … up to 5 minutes apart. */
export const MEDIA_RETRY: RetryPolicy = { name: "media", attempts: 8, baseMs: 2_000, factor: 2, capMs: 5 * 60_000, jitter: "none" };
