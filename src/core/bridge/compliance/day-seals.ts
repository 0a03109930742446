import type { ComplianceChannel } from "../../ports/compliance-store";
import type { DaySealPost } from "../../ports/compliance-gateway";
import type { BridgeDeps, ComplianceDeps } from "../context";
import { addDays, DAY_MS, dayOf, SETTLE_MS, startOfDay } from "./periods";
import { updateProgress } from "../scheduling/job-progress";
import { cursorPeriod, postOnce } from "./post-once";

/** After downtime, the seals of at most this many days (the latest) are posted; the earlier ones are named as missed. */
export const SEAL_CATCH_UP_DAYS = 14;

/**
 * How long after a day's end its post waits while a writer has not sealed its part: a running writer
 * seals a minute after midnight, so waiting longer only helps a writer that is slow; one that crashed
 * never seals, and the post then names it.
 */
export const UNSEALED_WAIT_MS = 30 * 60_000;

/**
 * Posts the seal (`WebhookJournal.dayManifest`) of every UTC day that is over and not posted yet, in
 * day order, each once (post-once.ts), as a new thread of the compliance channel. After downtime the last
 * `SEAL_CATCH_UP_DAYS` days are caught up. A day without a manifest is posted as "nothing journaled",
 * except before the first day ever posted (a new deployment). Stops at the first day that cannot be
 * posted yet (a writer still to seal, another process posting, a failure: thrown). Returns how many it posted.
 */
export async function postDaySeals(ctx: BridgeDeps, deps: ComplianceDeps, channel: ComplianceChannel, mayWork: () => boolean): Promise<number> {
  const journal = ctx.journal;
  if (!journal) return 0;
  const now = ctx.clock.now();
  const lastDay = addDays(dayOf(now - SETTLE_MS), -1);
  const firstDay = addDays(lastDay, 1 - SEAL_CATCH_UP_DAYS);
  let done = (await deps.store.getProgress("day-seal"))?.progress.done;
  let day = done === undefined ? firstDay : addDays(done, 1);
  let missed: DaySealPost["missed"];
  if (day < firstDay) {
    missed = { from: day, to: addDays(firstDay, -1) };
    ctx.logger.warn("compliance.seals_missed", {
      from: missed.from,
      to: missed.to,
      note: "the bridge was not running: these days' seals are not posted (npm run verify prints them)",
    });
    day = firstDay;
  }
  let posted = 0;
  let stopped = false;
  for (; day <= lastDay; day = addDays(day, 1)) {
    if (!mayWork()) return posted;
    const seal = await journal.dayManifest(startOfDay(day));
    if (!seal && done === undefined) continue;
    if (seal && seal.unsealed.length > 0 && now < startOfDay(day) + DAY_MS + UNSEALED_WAIT_MS) {
      stopped = true;
      break;
    }
    const post: DaySealPost = { day, ...(seal ? { seal } : {}), ...(missed ? { missed } : {}) };
    const outcome = await postOnce(
      deps,
      cursorPeriod("day-seal", day),
      now,
      async () => post,
      (value, mayRepeat) => deps.gateway.startThread(channel.channel, { kind: "day-seal", seal: value }, { mayRepeat }),
    );
    if (outcome === "busy") {
      stopped = true;
      break;
    }
    if (outcome === "posted") {
      posted++;
      ctx.logger.info("compliance.seal_posted", { day, sha256: seal?.sha256 ?? "-", manifests: seal?.manifests.length ?? 0 });
    }
    done = day;
    missed = undefined;
  }
  // A new deployment with nothing sealed in reach: start the cursor, so the next days are each posted.
  if (!stopped && done === undefined && lastDay >= firstDay) {
    await updateProgress(deps.store, "day-seal", (p) => (p.done === undefined ? { ...p, done: lastDay } : undefined));
  }
  return posted;
}
