import { describeError, type WhatsAppFailureKind } from "../../errors";
import { maskId } from "../../ids";
import type { StatusEvent } from "../../messages";
import type { MessageLink } from "../../model";
import { CAPACITY_UPGRADE_RESEND, delayFor, PAIR_RATE_RESEND, THROUGHPUT_RESEND, type RetryPolicy } from "../../retry-policy";
import type { BridgeContext } from "../context";
import { toPlainText } from "../../formatted-text";
import { sendAndReport, targetOf, tellThread, unsendableDetail } from "./outbox-recovery";

/**
 * Meta accepted a send and later reported it `failed` because of a rate limit (docs/protocols.md A15/A16): the
 * message never reached the customer, so sending the same content again cannot duplicate it. The reply
 * is re-sent from the outbox through the pacer after a backoff, a bounded number of times.
 */

/** The "retry later" failures (throughput, pair rate, throughput upgrade in progress), each with its re-send policy. */
const RESEND_POLICIES: ReadonlyMap<WhatsAppFailureKind, RetryPolicy> = new Map([
  ["throughput", THROUGHPUT_RESEND],
  ["pair-rate", PAIR_RATE_RESEND],
  ["capacity-upgrade", CAPACITY_UPGRADE_RESEND],
]);
export const RATE_LIMIT_FAILURES: ReadonlySet<WhatsAppFailureKind> = new Set(RESEND_POLICIES.keys());

/**
 * The wait before re-send number `resend` (0-based) after a `failure` (one of `RATE_LIMIT_FAILURES`):
 * 4^X s for the pair rate (docs/protocols.md A15), 2^X s for throughput, a minute for an upgrade in progress (retry-policy.ts).
 * The pacer's own spacing comes on top.
 */
export function resendBackoffMs(failure: WhatsAppFailureKind, resend: number): number {
  return delayFor(RESEND_POLICIES.get(failure) ?? THROUGHPUT_RESEND, resend + 1);
}

/** What became of a `failed` status: re-sent (no notice now), or left to the usual notice (with how often it was re-sent). */
export type ResendDecision = { readonly kind: "resending" } | { readonly kind: "notice"; readonly resends: number };

/**
 * Decides on a `failed` status of outbound `message`: re-sends it when it failed for a rate limit, its
 * outbox row says it was sent as this one wamid, and it was re-sent fewer than `rateLimitResends` times.
 * A multi-part text is not re-sent (its other parts reached WhatsApp). Never throws.
 */
export async function resendIfRateLimited(ctx: BridgeContext, message: MessageLink, event: StatusEvent): Promise<ResendDecision> {
  const error = event.errors[0];
  const policy = error && RESEND_POLICIES.get(error.kind);
  if (!error || !policy) return { kind: "notice", resends: 0 };
  const code = error.code;
  try {
    const entry = await ctx.stores.outbox.get(message.thread, message.teamsMessageId);
    if (!entry || entry.state !== "sent" || entry.wamids?.length !== 1 || entry.wamids[0] !== event.id) {
      return { kind: "notice", resends: entry?.resends ?? 0 };
    }
    const limit = ctx.settings.pacing?.rateLimitResends ?? policy.attempts - 1;
    if (entry.resends >= limit) return { kind: "notice", resends: entry.resends };
    const queued = await ctx.stores.outbox.update(entry, {
      state: "queued",
      resends: entry.resends + 1,
      wamids: [],
      owner: ctx.pacer.instanceId,
      updatedAt: ctx.clock.now(),
      detail: `re-sent after WhatsApp error ${code}`,
    });
    // Changed meanwhile: another instance is handling this same failure (the status was delivered twice).
    if (!queued) return { kind: "resending" };
    const delay = delayFor(policy, entry.resends + 1);
    ctx.logger.info("whatsapp.message.resending", { business: entry.business, contact: maskId(entry.contact), code, resend: queued.resends, delayMs: delay });
    ctx.metrics.count("bridge.retries", { "retry.policy": policy.name });
    ctx.background(
      (async () => {
        await ctx.clock.sleep(delay);
        const link = await ctx.stores.links.get(entry.business);
        const target = await targetOf(ctx, queued, link);
        if ("problem" in target) {
          await ctx.stores.outbox.update(queued, { state: "failed", updatedAt: ctx.clock.now(), detail: unsendableDetail(target.problem) });
          await tellThread(ctx, queued, link, { kind: "reply-unsendable", reply: toPlainText(queued.body), why: target.problem, stage: "resend" });
          return;
        }
        await sendAndReport(ctx, queued, target.conversation, target.to, link);
      })().catch((err: unknown) => ctx.logger.error("whatsapp.message.resend_failed", { contact: maskId(entry.contact), error: describeError(err) })),
    );
    return { kind: "resending" };
  } catch (err) {
    ctx.logger.warn("whatsapp.message.resend_check_failed", { contact: maskId(message.contact), error: describeError(err) });
    return { kind: "notice", resends: 0 };
  }
}
