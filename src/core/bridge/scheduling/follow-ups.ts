import { describeError } from "../../errors";
import type { BusinessNumberId, WaMessageId } from "../../ids";
import { maskId } from "../../ids";
import type { InboundMessage } from "../../messages";
import type { InboxEntry } from "../../model";
import type { Clock } from "../../ports/clock";
import type { Logger } from "../../ports/logger";
import type { MediaRetry, MediaRetryStore } from "../../ports/media-retry-store";
import { delayFor, MEDIA_RETRY, type RetryPolicy } from "../../retry-policy";

/**
 * Work that must happen later without holding up a contact's lane (later messages keep flowing):
 * - parked events: a reaction, edit or deletion whose target has not arrived yet. It stays `pending`
 *   in the inbox and is scheduled again as soon as its target is posted, or when the park limit runs
 *   out (then it is posted with a note). A restart re-parks it through the normal pending replay.
 * - media retries: a file that could not be downloaded. A durable entry in the media retry queue is
 *   tried again with backoff until it is kept or the attempts run out; a restart resumes it.
 */
export interface FollowUpScheduler {
  /**
   * Waits for `target` to be posted (or the park limit), then hands `entry` back to the contact's lane.
   * False when `entry` cannot wait: as many events are parked as memory allows (`MAX_PARKED`), so the
   * caller posts it now, without its target.
   */
  park(entry: InboxEntry, target: WaMessageId): boolean;
  /** A message was posted and mapped: wakes what was parked waiting for it. */
  targetPosted(business: BusinessNumberId, wamid: WaMessageId): void;
  /** Records a durable retry of `message`'s media and starts it. Does I/O. */
  retryMedia(message: InboundMessage): Promise<void>;
}

/** How long a reaction, edit or deletion waits for its target before it is posted without it. */
export const PARK_LIMIT_MS = 5 * 60_000;

/**
 * Most events parked at once. Each waits at most the park limit (5 minutes) anyway; this bounds a flood
 * of reactions to messages that never come (docs/security.md, "Bounded in-memory maps").
 */
export const MAX_PARKED = 10_000;

export interface FollowUpOptions {
  readonly mediaRetries: MediaRetryStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hands an entry back to its contact's lane. */
  readonly schedule: (entry: InboxEntry) => void;
  /** One attempt of a queued media retry: `done` when finished either way, `retry` to try again later. */
  readonly runMediaRetry: (retry: MediaRetry) => Promise<"done" | "retry">;
  readonly parkLimitMs?: number;
  /** Most events parked at once; default `MAX_PARKED`. */
  readonly maxParked?: number;
  /** Overrides the waits of `MEDIA_RETRY` between media attempts (tests shorten them). */
  readonly backoff?: Partial<Pick<RetryPolicy, "baseMs" | "capMs">>;
}

/** The scheduler the bridge service runs (see `FollowUpScheduler`). */
export class FollowUps implements FollowUpScheduler {
  private readonly parked = new Map<string, Map<string, InboxEntry>>();
  private readonly running = new Set<Promise<void>>();
  private readonly mediaKeys = new Set<string>();
  /** Events in `parked`, over all its slots. */
  private parkedCount = 0;
  private stopped = false;
  private wakeAll: () => void = () => {};
  private readonly stopSignal = new Promise<void>((resolve) => {
    this.wakeAll = resolve;
  });

  constructor(private readonly options: FollowUpOptions) {}

  park(entry: InboxEntry, target: WaMessageId): boolean {
    // Stopping: the entry stays pending in the inbox and is parked again after the restart.
    if (this.stopped) return true;
    const slot = `${entry.business}|${target}`;
    const waiting = this.parked.get(slot) ?? new Map<string, InboxEntry>();
    if (waiting.has(entry.key)) return true;
    if (this.parkedCount >= (this.options.maxParked ?? MAX_PARKED)) {
      this.options.logger.warn("whatsapp.event.park_full", { business: entry.business, key: maskId(entry.key), parked: this.parkedCount });
      return false;
    }
    waiting.set(entry.key, entry);
    this.parked.set(slot, waiting);
    this.parkedCount++;
    this.options.logger.info("whatsapp.event.parked", { business: entry.business, key: maskId(entry.key), target: maskId(target) });
    const limit = this.options.parkLimitMs ?? PARK_LIMIT_MS;
    const left = Math.max(0, entry.receivedAt + limit - this.options.clock.now());
    this.track(
      (async () => {
        await this.sleep(left);
        if (this.stopped || !this.parked.get(slot)?.delete(entry.key)) return;
        this.parkedCount--;
        if (this.parked.get(slot)?.size === 0) this.parked.delete(slot);
        this.options.schedule(entry);
      })(),
    );
    return true;
  }

  targetPosted(business: BusinessNumberId, wamid: WaMessageId): void {
    const slot = `${business}|${wamid}`;
    const waiting = this.parked.get(slot);
    if (!waiting) return;
    this.parked.delete(slot);
    this.parkedCount -= waiting.size;
    for (const entry of waiting.values()) this.options.schedule(entry);
  }

  async retryMedia(message: InboundMessage): Promise<void> {
    const retry: MediaRetry = { business: message.business, message, attempts: 1, createdAt: this.options.clock.now() };
    await this.options.mediaRetries.add(retry);
    this.resumeMediaRetry(retry);
  }

  /** Starts (or resumes after a restart) the retry loop of a queued media retry. */
  resumeMediaRetry(retry: MediaRetry): void {
    const key = `${retry.business}|${retry.message.id}`;
    if (this.stopped || this.mediaKeys.has(key)) return;
    this.mediaKeys.add(key);
    const policy: RetryPolicy = { ...MEDIA_RETRY, ...this.options.backoff };
    this.track(
      (async () => {
        try {
          for (let round = 0; !this.stopped; round++) {
            await this.sleep(delayFor(policy, round + 1));
            if (this.stopped) return;
            let result: "done" | "retry";
            try {
              result = await this.options.runMediaRetry(retry);
            } catch (err) {
              this.options.logger.warn("whatsapp.media.retry_error", { business: retry.business, key: maskId(retry.message.id), error: describeError(err) });
              result = "retry";
            }
            if (result === "done") return;
          }
        } finally {
          this.mediaKeys.delete(key);
        }
      })(),
    );
  }

  /** Number of parked events and running media retries. */
  get size(): number {
    return this.mediaKeys.size + this.parkedCount;
  }

  /** Number of parked events. */
  get parkedEvents(): number {
    return this.parkedCount;
  }

  /** Stops: parked events stay pending in the inbox (a restart re-parks them); loops end at their next wait. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeAll();
    this.parked.clear();
    this.parkedCount = 0;
    await Promise.all([...this.running]);
  }

  /** Resolves when no media retry is running and nothing is parked (for tests). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : Promise.race([this.options.clock.sleep(ms), this.stopSignal]);
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }
}
