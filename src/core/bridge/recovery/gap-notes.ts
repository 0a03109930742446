import { describeError } from "../../errors";
import type { ChannelLink } from "../../model";
import type { LinkGap } from "../../ports/compliance-store";
import type { BridgeDeps } from "../context";
import { updateProgress } from "../scheduling/job-progress";

/** Gaps kept waiting for the compliance channel at most (the oldest go first); a few per suspension. */
export const MAX_PENDING_GAPS = 100;

/**
 * A linked channel stopped (suspended: Teams refuses the bot in its team) or started again (resumed)
 * taking its number's messages: the Teams record of that number has a gap, or the gap closed. Noted
 * durably here, posted in the compliance channel by its schedule (compliance/link-gaps.ts), so a gap is announced
 * even when the compliance channel is in the team that refused the bot (it is posted once that is back).
 * Never throws: a note that cannot be stored is logged (the link's own state still says it).
 */
export async function noteLinkGap(
  ctx: BridgeDeps,
  link: ChannelLink,
  change: { kind: "suspended"; since: number; reason: string } | { kind: "resumed"; since: number; waiting: number },
): Promise<void> {
  const deps = ctx.compliance;
  if (!deps) return;
  const at = change.kind === "suspended" ? change.since : ctx.clock.now();
  const gap: LinkGap = {
    // By the suspension's start: noting the same change twice (a retry after a crash) is one note.
    key: `${String(change.since).padStart(15, "0")}-${link.business}-${change.kind}`,
    kind: change.kind,
    business: link.business,
    ...(link.displayNumber ? { displayNumber: link.displayNumber } : {}),
    channelId: link.channel.channelId,
    ...(link.channel.channelName ? { channelName: link.channel.channelName } : {}),
    since: change.since,
    at,
    ...(change.kind === "suspended" ? { reason: change.reason } : { waiting: change.waiting }),
  };
  try {
    await updateProgress(deps.store, "link-gaps", (p) => {
      if (p.pending?.some((g) => g.key === gap.key)) return undefined;
      return { ...p, pending: [...(p.pending ?? []), gap].slice(-MAX_PENDING_GAPS) };
    });
  } catch (err) {
    ctx.logger.error("compliance.gap_not_noted", { business: link.business, kind: change.kind, error: describeError(err) });
  }
}
