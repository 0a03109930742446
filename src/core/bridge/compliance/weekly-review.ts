import type { ComplianceChannel } from "../../ports/compliance-store";
import type { BridgeDeps, ComplianceDeps } from "../context";
import { addDays, mondayOf, SETTLE_MS } from "./periods";
import { updateProgress } from "../scheduling/job-progress";
import { cursorPeriod, postOnce } from "./post-once";

/**
 * Posts the weekly review (the figures of `npm run report`) of the last ISO week that is over (Monday to
 * Sunday, UTC), once, as a new thread of the compliance channel: on Monday shortly after midnight. Missed
 * weeks are not caught up (`npm run report` gives any period). The first time, it only notes the current
 * week. Returns whether it posted.
 */
export async function postDueReview(ctx: BridgeDeps, deps: ComplianceDeps, channel: ComplianceChannel): Promise<boolean> {
  const now = ctx.clock.now();
  const monday = addDays(mondayOf(now - SETTLE_MS), -7);
  const done = (await deps.store.getProgress("weekly-review"))?.progress.done;
  if (done === undefined) {
    await updateProgress(deps.store, "weekly-review", (p) => (p.done === undefined ? { ...p, done: monday } : undefined));
    return false;
  }
  if (done >= monday) return false;
  const outcome = await postOnce(
    deps,
    cursorPeriod("weekly-review", monday),
    now,
    () => deps.records.activityReport(monday, addDays(monday, 6), now),
    (report, mayRepeat) => deps.gateway.startThread(channel.channel, { kind: "weekly-review", report }, { mayRepeat }),
  );
  if (outcome === "posted") ctx.logger.info("compliance.review_posted", { week: monday });
  return outcome === "posted";
}
