import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";

/** Meta retries a webhook for up to 7 days: an inbox entry must outlive that, or a retry looks new. */
export const MIN_RETENTION_DAYS = 7;
const DAY_MS = 86_400_000;

/** What retention purges (the table stores and the local media store implement these). */
export interface RetentionTargets {
  readonly tables: { purgeFinished(olderThan: number): Promise<{ inbox: number; outbox: number }> };
  /** Absent when files are kept in SharePoint: the tenant's retention policies govern them. */
  readonly media?: { purgeOlderThan(olderThan: number): Promise<number> };
}

export interface RetentionRun {
  /** Epoch ms: what was finished before this is gone. */
  readonly olderThan: number;
  readonly inbox: number;
  readonly outbox: number;
  readonly media: number;
}

/**
 * One purge: finished inbox entries and outbox rows, and the bridge's own media copies, older than
 * `retentionDays` before `now` (epoch ms). Never below 7 days (throws `RangeError`): the config refuses
 * it too. Does I/O; throws the stores' errors.
 */
export async function purgeExpired(targets: RetentionTargets, retentionDays: number, now: number): Promise<RetentionRun> {
  if (!(retentionDays >= MIN_RETENTION_DAYS)) throw new RangeError(`retention must be at least ${MIN_RETENTION_DAYS} days`);
  const olderThan = now - retentionDays * DAY_MS;
  const tables = await targets.tables.purgeFinished(olderThan);
  const media = targets.media ? await targets.media.purgeOlderThan(olderThan) : 0;
  return { olderThan, ...tables, media };
}

/**
 * Runs `purgeExpired` every `everyMs` (first after `firstAfterMs`), logging `retention.purged` with the
 * counts or `retention.failed`; a run never overlaps the previous one. Timers do not keep the process
 * alive. `stop()` cancels what is scheduled (a run in progress finishes).
 */
export function scheduleRetention(
  targets: RetentionTargets,
  options: { readonly retentionDays: number; readonly everyMs: number; readonly firstAfterMs: number; readonly now?: () => number },
  logger: Logger,
): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async () => {
    try {
      const result = await purgeExpired(targets, options.retentionDays, (options.now ?? Date.now)());
      logger.info("retention.purged", { ...result, olderThan: new Date(result.olderThan).toISOString(), retentionDays: options.retentionDays });
    } catch (err) {
      logger.warn("retention.failed", { error: describeError(err) });
    }
    if (!stopped) schedule(options.everyMs);
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => void run(), ms);
    timer.unref();
  };
  schedule(options.firstAfterMs);
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
