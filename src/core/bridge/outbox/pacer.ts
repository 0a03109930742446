import { BridgeError, WhatsAppSendError } from "../../errors";
import type { BusinessNumberId, ConversationKey } from "../../ids";
import type { Clock } from "../../ports/clock";
import { NO_METRICS, type Metrics } from "../../ports/metrics";
import { delayFor, PAIR_RATE_RETRY, WHATSAPP_SEND_RETRY } from "../../retry-policy";
import { TokenBucket } from "../../rules/token-bucket";
import type { PacingSettings } from "../../settings";

/**
 * Token buckets kept per map (contacts, business numbers) at most: beyond it the least recently used one
 * is forgotten. A bucket unused that long has long been full again, which is what a new one is; at worst
 * a contact gets its burst again early and Meta's pair-rate error is retried (docs/security.md, "Bounded
 * in-memory maps").
 */
export const MAX_BUCKETS = 10_000;

export const DEFAULT_PACING: PacingSettings = { pairIntervalMs: 6_000, pairBurst: 10, perNumberPerSecond: 80, attempts: WHATSAPP_SEND_RETRY.attempts };
/** Longer than any wait in a pacer (a 45-message burst at the pair rate, then 4^X backoff) is likely to be. */
export const DEFAULT_OUTBOX_REQUEUE_MS = 5 * 60_000;

/**
 * Outbound sends go through here: one FIFO queue per customer (order kept), spaced by the pair rate
 * limit with bursts allowed, under a per-number throughput limit; retryable WhatsApp errors are retried
 * as `PAIR_RATE_RETRY` (Meta's 4^X s) or `WHATSAPP_SEND_RETRY` says (never sooner than a `retryAfterMs`),
 * others fail at once.
 */
export class OutboundPacer {
  private readonly contactBuckets = new Map<string, TokenBucket>();
  private readonly numberBuckets = new Map<string, TokenBucket>();
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Names this pacer as the owner of the outbox rows it holds (one pacer per running bridge): `<instance name>#<random>`. */
  readonly instanceId: string;

  constructor(
    private readonly settings: PacingSettings,
    private readonly clock: Clock,
    private readonly metrics: Metrics = NO_METRICS,
  ) {
    const boot = globalThis.crypto.randomUUID();
    this.instanceId = settings.instanceName ? `${settings.instanceName}#${boot}` : boot;
  }

  /** True when `owner` is an earlier process of this same instance (so certainly not running any more). */
  isEarlierLife(owner: string): boolean {
    const name = this.settings.instanceName;
    return name !== undefined && owner !== this.instanceId && owner.startsWith(`${name}#`);
  }

  /** Runs `send` in `contact`'s queue; resolves or rejects with its final outcome. */
  send<T>(business: BusinessNumberId, contact: ConversationKey, send: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(contact) ?? Promise.resolve();
    const run = previous.then(
      () => this.paced(business, contact, send),
      () => this.paced(business, contact, send),
    );
    const tail = run.catch(() => undefined);
    this.tails.set(contact, tail);
    void tail.then(() => {
      if (this.tails.get(contact) === tail) this.tails.delete(contact);
    });
    return run;
  }

  /** Buckets tracked (contacts and numbers), for tests and diagnostics. */
  get bucketCount(): number {
    return this.contactBuckets.size + this.numberBuckets.size;
  }

  /** The bucket of `key`, made the most recently used (a Map keeps insertion order); at most MAX_BUCKETS kept. */
  private bucket(map: Map<string, TokenBucket>, key: string, capacity: number, everyMs: number): TokenBucket {
    const bucket = map.get(key) ?? new TokenBucket(capacity, everyMs, this.clock);
    map.delete(key);
    map.set(key, bucket);
    if (map.size > MAX_BUCKETS) map.delete(map.keys().next().value!);
    return bucket;
  }

  private async paced<T>(business: BusinessNumberId, contact: ConversationKey, send: () => Promise<T>): Promise<T> {
    const { pairBurst, pairIntervalMs, perNumberPerSecond } = this.settings;
    const attempts = this.settings.attempts ?? WHATSAPP_SEND_RETRY.attempts;
    for (let attempt = 1; ; attempt++) {
      await this.wait(this.bucket(this.contactBuckets, contact, pairBurst, pairIntervalMs).reserve());
      await this.wait(this.bucket(this.numberBuckets, business, perNumberPerSecond, 1000 / perNumberPerSecond).reserve());
      try {
        return await send();
      } catch (err) {
        if (!(err instanceof BridgeError) || !err.retryable || attempt >= attempts) throw err;
        const policy = err instanceof WhatsAppSendError && err.failure === "pair-rate" ? PAIR_RATE_RETRY : WHATSAPP_SEND_RETRY;
        this.metrics.count("bridge.retries", { "retry.policy": policy.name });
        await this.wait(delayFor(policy, attempt, err));
      }
    }
  }

  private async wait(ms: number): Promise<void> {
    if (ms > 0) await this.clock.sleep(ms);
  }
}
