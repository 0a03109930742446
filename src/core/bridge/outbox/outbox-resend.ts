import { describeError } from "../../errors";
import { maskId } from "../../ids";
import type { StatusEvent } from "../../messages";
import type { MessageLink } from "../../model";
import { DEFAULT_RATE_LIMIT_RESENDS } from "./pacer";
import type { BridgeContext } from "../context";
import { sendAndReport, targetOf, tellThread } from "./outbox-recovery";
import { quoteOf } from "./outbox-send";

/**
 * Meta accepted a send and later reported it `failed` with a rate-limit code (protocols.md A15/A16): the
 * message never reached the customer, so sending the same content again cannot duplicate it. The reply
 * is re-sent from the outbox through the pacer after a backoff, a bounded number of times.
 */

/** Throughput (130429), pair rate (131056), throughput upgrade in progress (131057): "retry later" codes. */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([130429, 131056, 131057]);

/**
 * The wait before re-send number `resend` (0-based): 4^X s for the pair rate (A15), 2^X s for throughput,
 * a minute for an upgrade in progress (A15: "≤ 1 min"). The pacer's own spacing comes on top.
 */
export function resendBackoffMs(code: number, resend: number): number {
  if (code === 131056) return 1000 * 4 ** resend;
  if (code === 131057) return 60_000;
  return Math.min(60_000, 1000 * 2 ** resend);
}

/** What became of a `failed` status: re-sent (no notice now), or left to the usual notice (with how often it was re-sent). */
export type ResendDecision = { readonly kind: "resending" } | { readonly kind: "notice"; readonly resends: number };

/**
 * Decides on a `failed` status of outbound `message`: re-sends it when the code is a rate limit, its
 * outbox row says it was sent as this one wamid, and it was re-sent fewer than `rateLimitResends` times.
 * A multi-part text is not re-sent (its other parts reached WhatsApp). Never throws.
 */
export async function resendIfRateLimited(ctx: BridgeContext, message: MessageLink, event: StatusEvent): Promise<ResendDecision> {
  const code = event.errors[0]?.code;
  if (code === undefined || !RATE_LIMIT_CODES.has(code)) return { kind: "notice", resends: 0 };
  try {
    const entry = await ctx.stores.outbox.get(message.thread, message.teamsMessageId);
    if (!entry || entry.state !== "sent" || entry.wamids?.length !== 1 || entry.wamids[0] !== event.id) {
      return { kind: "notice", resends: entry?.resends ?? 0 };
    }
    const limit = ctx.settings.pacing?.rateLimitResends ?? DEFAULT_RATE_LIMIT_RESENDS;
    if (entry.resends >= limit) return { kind: "notice", resends: entry.resends };
    const queued = await ctx.stores.outbox.update(entry, {
      state: "queued", resends: entry.resends + 1, wamids: [], owner: ctx.pacer.instanceId, updatedAt: ctx.clock.now(), detail: `re-sent after WhatsApp error ${code}`,
    });
    // Changed meanwhile: another instance is handling this same failure (the status was delivered twice).
    if (!queued) return { kind: "resending" };
    const delay = resendBackoffMs(code, entry.resends);
    ctx.logger.info("whatsapp.message.resending", { business: entry.business, contact: maskId(entry.contact), code, resend: queued.resends, delayMs: delay });
    ctx.background((async () => {
      await ctx.clock.sleep(delay);
      const link = await ctx.stores.links.get(entry.business);
      const target = await targetOf(ctx, queued, link);
      if ("problem" in target) {
        await ctx.stores.outbox.update(queued, { state: "failed", updatedAt: ctx.clock.now(), detail: target.problem });
        await tellThread(ctx, queued, link, "error", `Not delivered to WhatsApp: ${quoteOf(queued.body)}. ${target.problem}`);
        return;
      }
      await sendAndReport(ctx, queued, target.conversation, target.to, link);
    })().catch((err: unknown) => ctx.logger.error("whatsapp.message.resend_failed", { contact: maskId(entry.contact), error: describeError(err) })));
    return { kind: "resending" };
  } catch (err) {
    ctx.logger.warn("whatsapp.message.resend_check_failed", { contact: maskId(message.contact), error: describeError(err) });
    return { kind: "notice", resends: 0 };
  }
}
