import { describeError } from "../../errors";
import { maskId, parseThreadRef } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import { DEFAULT_OUTBOX_REQUEUE_MS } from "./pacer";
import type { OutboxEntry } from "../../ports/outbox-store";
import type { Recipient } from "../../ports/whatsapp-gateway";
import type { BridgeContext } from "../context";
import { dispatchReply, quoteOf } from "./outbox-send";
import { recipientOf } from "./recipient";

/**
 * Outbox recovery (reliability.md §3.5 step 4, I3 "nothing stranded"): staff replies another pacer held
 * when its instance stopped. A row is taken to be abandoned when its owner is an earlier process of this
 * same instance (`PacingSettings.instanceName`: it restarted, so that process is gone), or another pacer
 * and it has not changed for `outboxRequeueAfterMs` (no pacer waits that long; and should one still hold
 * it, its claim fails on the changed version and it drops its copy, so the reply still goes once).
 * - `queued`: re-queued here, in the order the replies were accepted.
 * - `sending`: the instance stopped mid-call and Meta may or may not have the message; the Cloud API has
 *   no idempotency key, so it is NOT sent again: marked `uncertain` and the thread is told.
 */

export interface OutboxResumeResult {
  readonly requeued: number;
  readonly uncertain: number;
}

const requeueAfterOf = (ctx: BridgeContext) => ctx.settings.pacing?.outboxRequeueAfterMs ?? DEFAULT_OUTBOX_REQUEUE_MS;

/** Said in the thread of a reply found mid-send after a restart. */
export function uncertainNotice(entry: OutboxEntry): string {
  return `This reply may not have reached the customer: ${quoteOf(entry.body)}. The bridge stopped while sending it to WhatsApp. Check the ticks on the thread's card (or ask the customer) and send it again if it did not arrive.`;
}

/**
 * Takes over abandoned outbox rows (see above). Call on start-up and whenever leadership is gained.
 * A standby takes only the rows of its own earlier process (same instance name). The re-queued sends run in the background (`idle()`
 * waits for them). Resolves to what it did; throws if the outbox cannot be listed.
 */
export async function resumeOutbox(ctx: BridgeContext): Promise<OutboxResumeResult> {
  const leading = !ctx.leadership || ctx.leadership.isLeader();
  if (leading) lastSweep.set(ctx, ctx.clock.now());
  const rows = await ctx.stores.outbox.list(["queued", "sending"]);
  const now = ctx.clock.now();
  // Rows of an earlier process of this instance are taken at once, by any instance (it is the same
  // machine, restarted); rows of other instances only by the leader, once they have gone quiet.
  const stale = rows.filter((r) => ctx.pacer.isEarlierLife(r.owner) || (leading && r.owner !== ctx.pacer.instanceId && now - r.updatedAt >= requeueAfterOf(ctx)));
  let requeued = 0;
  let uncertain = 0;
  const links = new Map<string, ChannelLink | undefined>();
  const linkOf = async (entry: OutboxEntry) => {
    if (!links.has(entry.business)) links.set(entry.business, await ctx.stores.links.get(entry.business));
    return links.get(entry.business);
  };
  for (const row of stale) {
    try {
      if (row.state === "sending") {
        if (await flagUncertain(ctx, row, await linkOf(row))) uncertain++;
      } else if (await requeue(ctx, row, await linkOf(row))) {
        requeued++;
      }
    } catch (err) {
      // The next sweep tries again: the row is unchanged (or taken, and then its new owner carries on).
      ctx.logger.warn("outbox.resume_row_failed", { contact: maskId(row.contact), state: row.state, error: describeError(err) });
    }
  }
  if (requeued + uncertain > 0) ctx.logger.info("outbox.resumed", { requeued, uncertain });
  return { requeued, uncertain };
}

/** When each context last swept its outbox (kept outside the context, which the service builds). */
const lastSweep = new WeakMap<BridgeContext, number>();

/**
 * `resumeOutbox` at most once per half `outboxRequeueAfterMs` (the outbox is scanned): for the leader's
 * polling loop, so rows abandoned by a standby that stopped are found without waiting for a restart.
 * Never throws (a failed sweep is logged; the next one tries again).
 */
export async function sweepOutbox(ctx: BridgeContext): Promise<OutboxResumeResult> {
  const last = lastSweep.get(ctx);
  if (last !== undefined && ctx.clock.now() - last < Math.max(1_000, requeueAfterOf(ctx) / 2)) return { requeued: 0, uncertain: 0 };
  try {
    return await resumeOutbox(ctx);
  } catch (err) {
    ctx.logger.warn("outbox.sweep_failed", { error: describeError(err) });
    return { requeued: 0, uncertain: 0 };
  }
}

async function flagUncertain(ctx: BridgeContext, row: OutboxEntry, link: ChannelLink | undefined): Promise<boolean> {
  const marked = await ctx.stores.outbox.update(row, {
    state: "uncertain", owner: ctx.pacer.instanceId, updatedAt: ctx.clock.now(),
    detail: "the bridge stopped while sending it to WhatsApp; it may or may not have been delivered",
  });
  if (!marked) return false;
  ctx.logger.warn("outbox.uncertain", { business: row.business, contact: maskId(row.contact), attempts: row.attempts });
  await tellThread(ctx, row, link, "warning", uncertainNotice(row));
  return true;
}

/** Claims a queued row and sends it again; false if another instance changed it first. */
async function requeue(ctx: BridgeContext, row: OutboxEntry, link: ChannelLink | undefined): Promise<boolean> {
  const taken = await ctx.stores.outbox.update(row, { owner: ctx.pacer.instanceId, updatedAt: ctx.clock.now() });
  if (!taken) return false;
  const target = await targetOf(ctx, taken, link);
  if ("problem" in target) {
    await ctx.stores.outbox.update(taken, { state: "failed", updatedAt: ctx.clock.now(), detail: target.problem });
    ctx.logger.warn("outbox.requeue_impossible", { contact: maskId(row.contact), problem: target.problem });
    await tellThread(ctx, row, link, "error", `Not sent to WhatsApp: ${quoteOf(row.body)}. ${target.problem}`);
    return true;
  }
  ctx.logger.info("outbox.requeued", { business: row.business, contact: maskId(row.contact) });
  // dispatchReply queues in the pacer before its first await: rows of one customer keep their order.
  ctx.background(sendAndReport(ctx, taken, target.conversation, target.to, link));
  return true;
}

/** Sends a recovered or re-sent reply and, when WhatsApp refuses it, says so in its thread. */
export async function sendAndReport(ctx: BridgeContext, entry: OutboxEntry, conversation: Conversation, to: Recipient, link: ChannelLink | undefined): Promise<void> {
  const outcome = await dispatchReply(ctx, entry, conversation, to, link);
  if (outcome.kind === "failed") await tellThread(ctx, entry, link, "error", `${outcome.notice.text} (${quoteOf(entry.body)})`);
}

/** Whom a recovered reply goes to, or why it cannot go. */
export async function targetOf(ctx: BridgeContext, entry: OutboxEntry, link: ChannelLink | undefined): Promise<{ conversation: Conversation; to: Recipient } | { problem: string }> {
  const conversation = await ctx.stores.conversations.get(entry.contact);
  const to = conversation && recipientOf(conversation);
  if (!conversation || !to) return { problem: "The bridge no longer knows which WhatsApp user this thread belongs to." };
  if (!link || link.channel.channelId !== conversation.channelId) return { problem: "This channel is no longer linked to the customer's WhatsApp number." };
  return { conversation, to };
}

/** Posts a notice in the reply's thread; best effort (the row's state is the record, reconcile lists it). */
export async function tellThread(ctx: BridgeContext, entry: OutboxEntry, link: ChannelLink | undefined, tone: "info" | "warning" | "error", text: string): Promise<void> {
  // The thread ref names its channel: a number linked to another channel since cannot reach this thread.
  if (!link || parseThreadRef(entry.thread)?.channel !== link.channel.channelId) {
    ctx.logger.warn("outbox.notice_unpostable", { contact: maskId(entry.contact), reason: "the thread's channel is not linked" });
    return;
  }
  try {
    await ctx.teams.postInThread(link.channel, entry.thread, { kind: "notice", tone, text });
  } catch (err) {
    ctx.logger.warn("outbox.notice_failed", { contact: maskId(entry.contact), error: describeError(err) });
  }
}
