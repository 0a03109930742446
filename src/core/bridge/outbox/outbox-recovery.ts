import { describeError } from "../../errors";
import { toPlainText } from "../../formatted-text";
import { maskId, parseThreadRef } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { StaffNotice, Unsendable } from "../../notices";
import { DEFAULT_OUTBOX_REQUEUE_MS } from "./pacer";
import type { OutboxEntry } from "../../ports/outbox-store";
import type { Recipient } from "../../ports/whatsapp-gateway";
import type { BridgeContext } from "../context";
import { recordLabel } from "../thread-view/record-lines";
import { dispatchOutbound, type DispatchOutcome } from "./outbox-send";
import { finishRecord, patchRow } from "./outbox-record";
import { recipientOf } from "./recipient";
import { templatePicker } from "../template-offer";

/**
 * Outbox recovery (docs/architecture.md, "Outbox"; nothing stranded): messages another pacer held when
 * its instance stopped. A row is taken to be abandoned when its owner is an earlier process of this
 * same instance (`PacingSettings.instanceName`: it restarted, so that process is gone), or another pacer
 * and it has not changed for `outboxRequeueAfterMs` (no pacer waits that long; and should one still hold
 * it, its claim fails on the changed version and it drops its copy, so the message still goes once).
 * - `queued`: re-queued here, in the order the messages were accepted.
 * - `sending`: the instance stopped mid-call and Meta may or may not have the message; the Cloud API has
 *   no idempotency key, so it is NOT sent again: marked `uncertain` and the thread is told.
 * - `recording`: Meta has it; only its record is finished here (outbox-record.ts), also for this
 *   instance's own rows whose background retries gave up (unchanged for `RECORD_RETRY_MS`).
 */

/** A `recording` row unchanged this long has no one finishing its record: the sweep does. */
export const RECORD_RETRY_MS = 60_000;

export interface OutboxResumeResult {
  readonly requeued: number;
  readonly uncertain: number;
  /** `recording` rows whose record was finished (or tried again). */
  readonly recorded: number;
}

const requeueAfterOf = (ctx: BridgeContext) => ctx.settings.pacing?.outboxRequeueAfterMs ?? DEFAULT_OUTBOX_REQUEUE_MS;

/** What a row records when its reply cannot go (its `detail`, which `npm run reconcile` shows operators). */
const UNSENDABLE_DETAIL: Readonly<Record<Unsendable, string>> = {
  "recipient-unknown": "The bridge no longer knows which WhatsApp user this thread belongs to.",
  "channel-unlinked": "This channel is no longer linked to the customer's WhatsApp number.",
};
export const unsendableDetail = (why: Unsendable) => UNSENDABLE_DETAIL[why];

/**
 * Takes over abandoned outbox rows (see above). Call on start-up and whenever leadership is gained.
 * A standby takes only the rows of its own earlier process (same instance name). The re-queued sends run in the background (`idle()`
 * waits for them). Resolves to what it did; throws if the outbox cannot be listed.
 */
export async function resumeOutbox(ctx: BridgeContext): Promise<OutboxResumeResult> {
  const leading = !ctx.leadership || ctx.leadership.isLeader();
  if (leading) lastSweep.set(ctx, ctx.clock.now());
  const rows = await ctx.stores.outbox.list(["queued", "sending", "recording"]);
  const now = ctx.clock.now();
  // Rows of an earlier process of this instance are taken at once, by any instance (it is the same
  // machine, restarted); rows of other instances only by the leader, once they have gone quiet. A
  // record left unfinished is finished by the leader whoever holds it (finishing it twice sends nothing).
  const stale = rows.filter(
    (r) =>
      ctx.pacer.isEarlierLife(r.owner) ||
      (leading && r.state === "recording" && now - r.updatedAt >= RECORD_RETRY_MS) ||
      (leading && r.owner !== ctx.pacer.instanceId && now - r.updatedAt >= requeueAfterOf(ctx)),
  );
  let requeued = 0;
  let uncertain = 0;
  let recorded = 0;
  const links = new Map<string, ChannelLink | undefined>();
  const linkOf = async (entry: OutboxEntry) => {
    if (!links.has(entry.business)) links.set(entry.business, await ctx.stores.links.get(entry.business));
    return links.get(entry.business);
  };
  for (const row of stale) {
    try {
      if (row.state === "sending") {
        if (await flagUncertain(ctx, row, await linkOf(row))) uncertain++;
      } else if (row.state === "recording") {
        if (await finishStaleRecord(ctx, row, await linkOf(row))) recorded++;
      } else if (await requeue(ctx, row, await linkOf(row))) {
        requeued++;
      }
    } catch (err) {
      // The next sweep tries again: the row is unchanged (or taken, and then its new owner carries on).
      ctx.logger.warn("outbox.resume_row_failed", { contact: maskId(row.contact), state: row.state, error: describeError(err) });
    }
  }
  if (requeued + uncertain + recorded > 0) ctx.logger.info("outbox.resumed", { requeued, uncertain, recorded });
  return { requeued, uncertain, recorded };
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
  const nothing = { requeued: 0, uncertain: 0, recorded: 0 };
  if (last !== undefined && ctx.clock.now() - last < Math.max(1_000, Math.min(RECORD_RETRY_MS, requeueAfterOf(ctx)) / 2)) return nothing;
  try {
    return await resumeOutbox(ctx);
  } catch (err) {
    ctx.logger.warn("outbox.sweep_failed", { error: describeError(err) });
    return nothing;
  }
}

async function flagUncertain(ctx: BridgeContext, row: OutboxEntry, link: ChannelLink | undefined): Promise<boolean> {
  const marked = await ctx.stores.outbox.update(row, {
    state: "uncertain",
    owner: ctx.pacer.instanceId,
    updatedAt: ctx.clock.now(),
    detail: "the bridge stopped while sending it to WhatsApp; it may or may not have been delivered",
  });
  if (!marked) return false;
  ctx.logger.warn("outbox.uncertain", { business: row.business, contact: maskId(row.contact), attempts: row.attempts });
  await tellThread(ctx, row, link, { kind: "reply-uncertain", reply: toPlainText(row.body) });
  return true;
}

/** Claims a `recording` row and finishes its record; false if another instance changed it first. */
async function finishStaleRecord(ctx: BridgeContext, row: OutboxEntry, link: ChannelLink | undefined): Promise<boolean> {
  const taken = await ctx.stores.outbox.update(row, { owner: ctx.pacer.instanceId, updatedAt: ctx.clock.now() });
  if (!taken) return false;
  const conversation = await ctx.stores.conversations.get(row.contact);
  const to = conversation && recipientOf(conversation);
  if (!conversation || !to) {
    // The conversation is gone (erased): nothing is left to record against.
    await patchRow(ctx, taken, { state: "sent", updatedAt: ctx.clock.now(), detail: "record not finished: the conversation no longer exists" });
    ctx.logger.warn("outbox.record_abandoned", { contact: maskId(row.contact) });
    return true;
  }
  const finished = await finishRecord(ctx, taken, { conversation, to, link });
  return finished.state === "sent";
}

/** Claims a queued row and sends it again; false if another instance changed it first. */
async function requeue(ctx: BridgeContext, row: OutboxEntry, link: ChannelLink | undefined): Promise<boolean> {
  const taken = await ctx.stores.outbox.update(row, { owner: ctx.pacer.instanceId, updatedAt: ctx.clock.now() });
  if (!taken) return false;
  const target = await targetOf(ctx, taken, link);
  if ("problem" in target) {
    await ctx.stores.outbox.update(taken, { state: "failed", updatedAt: ctx.clock.now(), detail: unsendableDetail(target.problem) });
    ctx.logger.warn("outbox.requeue_impossible", { contact: maskId(row.contact), problem: target.problem });
    await tellThread(ctx, row, link, { kind: "reply-unsendable", reply: toPlainText(row.body), why: target.problem, stage: "send" });
    return true;
  }
  ctx.logger.info("outbox.requeued", { business: row.business, contact: maskId(row.contact) });
  // dispatchOutbound queues in the pacer before its first await: rows of one customer keep their order
  // (a template row looks its template up first: it may overtake a reply queued at the same moment).
  ctx.background(sendAndReport(ctx, taken, target.conversation, target.to, link));
  return true;
}

/**
 * Sends a recovered or re-sent row and, when WhatsApp refuses it, says so in its thread (for a reply
 * refused because the 24-hour window closed, with the template card). A template row's template is
 * looked up again: one withdrawn since is not sent.
 */
export async function sendAndReport(
  ctx: BridgeContext,
  entry: OutboxEntry,
  conversation: Conversation,
  to: Recipient,
  link: ChannelLink | undefined,
): Promise<void> {
  const template = entry.kind === "template" && entry.template ? await ctx.templates.find(entry.template.id).catch(() => undefined) : undefined;
  if (entry.kind === "template" && !template) {
    await patchRow(ctx, entry, { state: "failed", updatedAt: ctx.clock.now(), detail: "the template is no longer approved or could not be looked up" });
    await tellThread(ctx, entry, link, {
      kind: "not-sent",
      what: "template",
      reply: toPlainText(entry.body),
      why: "the template is no longer approved (or the list of templates could not be loaded).",
    });
    return;
  }
  const outcome = await dispatchOutbound(ctx, entry, conversation, to, link, template);
  if (outcome.kind !== "failed") return;
  // The card says which message the closed window stopped: it is the notice.
  if (outcome.failure === "window-closed" && entry.kind !== "automatic") await offerTemplates(ctx, entry, toPlainText(entry.body), conversation, link);
  else await tellThread(ctx, entry, link, failureNotice(entry, outcome));
}

/** What the thread is told when WhatsApp refused a row: its text quoted, in words that fit its kind. */
export function failureNotice(entry: OutboxEntry, outcome: Extract<DispatchOutcome, { kind: "failed" }>): StaffNotice {
  if (entry.kind === "automatic")
    return { kind: "automatic-not-sent", label: recordLabel(entry), error: outcome.notice.why ?? outcome.error, text: toPlainText(entry.body) };
  return { ...outcome.notice, reply: toPlainText(entry.body) };
}

/**
 * Posts the template card in `thread`, saying which message (`unsent`) the closed window stopped (or, with
 * no template to offer, a notice saying so). Best effort.
 */
export async function offerTemplates(
  ctx: BridgeContext,
  at: Pick<OutboxEntry, "thread" | "contact">,
  unsent: string,
  conversation: Conversation,
  link: ChannelLink | undefined,
): Promise<void> {
  if (!link || parseThreadRef(at.thread)?.channel !== link.channel.channelId) return;
  const group = conversation.group !== undefined;
  const card = await templatePicker(ctx, { kind: "window-closed", group, unsent }, group);
  const entry = at;
  try {
    if (card.kind === "template-card") await ctx.teams.postInThread(link.channel, entry.thread, { kind: "template-card", card: card.card });
    else await ctx.teams.postInThread(link.channel, entry.thread, card);
  } catch (err) {
    ctx.logger.warn("outbox.notice_failed", { contact: maskId(entry.contact), error: describeError(err) });
  }
}

/** Whom a recovered reply goes to, or why it cannot go. */
export async function targetOf(
  ctx: BridgeContext,
  entry: OutboxEntry,
  link: ChannelLink | undefined,
): Promise<{ conversation: Conversation; to: Recipient } | { problem: Unsendable }> {
  const conversation = await ctx.stores.conversations.get(entry.contact);
  const to = conversation && recipientOf(conversation);
  if (!conversation || !to) return { problem: "recipient-unknown" };
  if (!link || link.channel.channelId !== conversation.channelId) return { problem: "channel-unlinked" };
  return { conversation, to };
}

/** Posts a notice in the reply's thread; best effort (the row's state is the record, reconcile lists it). */
export async function tellThread(
  ctx: BridgeContext,
  entry: Pick<OutboxEntry, "thread" | "contact">,
  link: ChannelLink | undefined,
  notice: StaffNotice,
): Promise<void> {
  // The thread ref names its channel: a number linked to another channel since cannot reach this thread.
  if (!link || parseThreadRef(entry.thread)?.channel !== link.channel.channelId) {
    ctx.logger.warn("outbox.notice_unpostable", { contact: maskId(entry.contact), reason: "the thread's channel is not linked" });
    return;
  }
  try {
    await ctx.teams.postInThread(link.channel, entry.thread, { kind: "notice", notice });
  } catch (err) {
    ctx.logger.warn("outbox.notice_failed", { contact: maskId(entry.contact), error: describeError(err) });
  }
}
