import { BridgeError, describeError, PermanentError, WhatsAppSendError } from "../../errors";
import { excerpt, toPlainText, type FormattedText } from "../../formatted-text";
import { maskId, type WaMessageId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { OutboxEntry } from "../../ports/outbox-store";
import type { Recipient } from "../../ports/whatsapp-gateway";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { BridgeContext } from "../context";
import { recordOutbound } from "./outbound-record";

/**
 * The outbox side of a staff reply (reliability.md §3.5 step 4): a row is written before the reply is
 * queued in the pacer, claimed (`sending`, conditional on its version) right before each Cloud API call,
 * and marked `sent` with the wamids or `failed`. The conditional claim is what keeps two instances from
 * both sending one row: whoever changed the row last wins, the other drops its copy.
 */

/** Thrown inside the pacer when another instance took the row over: this copy must not be sent. */
class ClaimLost extends PermanentError {
  constructor() {
    super("outbox.claim_lost", "the outbox row changed under this instance (taken over elsewhere)");
  }
}

/** How a dispatch ended: sent, refused (with the notice for the thread), or left to another instance. */
export type DispatchOutcome =
  | { readonly kind: "sent"; readonly wamids: readonly WaMessageId[] }
  | { readonly kind: "failed"; readonly notice: StaffReply & { kind: "notice" } }
  | { readonly kind: "taken-over" };

/** Short quote of a reply for notices (never the whole text). */
export function quoteOf(body: FormattedText): string {
  const text = excerpt(toPlainText(body), 80);
  return text ? `“${text}”` : "a reply";
}

/**
 * Writes the outbox row of a staff reply. Resolves to the row, to `duplicate` when this Teams message was
 * accepted before (Teams redelivered the activity: it is not sent twice), or to a notice when the row could
 * not be written (nothing is sent unrecorded).
 */
export async function acceptReply(ctx: BridgeContext, message: StaffMessage, conversation: Conversation, replyTo: WaMessageId | undefined): Promise<OutboxEntry | "duplicate" | StaffReply> {
  const now = ctx.clock.now();
  try {
    const result = await ctx.stores.outbox.create({
      business: conversation.business, contact: conversation.contact, thread: message.thread, teamsMessageId: message.messageId,
      ...(message.author.aadObjectId ? { author: message.author.aadObjectId } : {}),
      body: message.body, ...(replyTo ? { replyTo } : {}),
      state: "queued", attempts: 0, resends: 0, createdAt: now, updatedAt: now, owner: ctx.pacer.instanceId,
    });
    if (result.created) return result.entry;
    ctx.logger.info("teams.reply.duplicate_activity", { contact: maskId(conversation.contact), state: result.existing.state });
    return "duplicate";
  } catch (err) {
    ctx.logger.warn("outbox.create_failed", { contact: maskId(conversation.contact), error: describeError(err) });
    if (err instanceof BridgeError && err.code === "storage.value_too_large") {
      return { kind: "notice", tone: "warning", text: `Not sent: this reply is too long for the bridge to keep safely before sending it (${Array.from(toPlainText(message.body)).length} characters). Split it into shorter messages and send them again.` };
    }
    return { kind: "notice", tone: "error", text: "Not sent: the bridge could not record your reply before sending it (its storage did not answer). Send it again in a minute; tell your bridge admin if it keeps happening." };
  }
}

/** True when the Cloud API certainly did not take the message (Meta answered with an error, or the request never left). */
function certainlyNotSent(err: unknown): boolean {
  return (err instanceof WhatsAppSendError && err.metaCode !== undefined) || (err instanceof BridgeError && err.notApplied);
}

/**
 * Sends an accepted reply through the pacer, as `entry` says (body, quote), to `to`; records what Meta
 * accepted (outbox `sent`, message map, conversation's last outbound, root card). Never throws.
 */
export async function dispatchReply(ctx: BridgeContext, entry: OutboxEntry, conversation: Conversation, to: Recipient, link?: ChannelLink): Promise<DispatchOutcome> {
  const { stores, logger, clock } = ctx;
  const { business, contact } = entry;
  let current = entry;
  let sent: { id: WaMessageId; parts?: readonly WaMessageId[] };
  try {
    sent = await ctx.pacer.send(business, contact, async () => {
      const claimed = await stores.outbox.update(current, { state: "sending", attempts: current.attempts + 1, owner: ctx.pacer.instanceId, updatedAt: clock.now() });
      if (!claimed) throw new ClaimLost();
      current = claimed;
      try {
        return await ctx.whatsapp.sendText({ business, to, body: entry.body, ...(entry.replyTo ? { replyTo: entry.replyTo } : {}), callbackData: entry.teamsMessageId });
      } catch (err) {
        // Meta refused it: back to `queued`, so a crash during the backoff is not mistaken for a crash mid-send.
        if (certainlyNotSent(err)) current = (await stores.outbox.update(current, { state: "queued", updatedAt: clock.now() }).catch(() => undefined)) ?? current;
        throw err;
      }
    });
  } catch (err) {
    if (err instanceof ClaimLost) {
      logger.info("outbox.taken_over", { contact: maskId(contact) });
      return { kind: "taken-over" };
    }
    logger.warn("teams.reply.failed", { business, contact: maskId(contact), error: describeError(err) });
    await markQuietly(ctx, current, { state: "failed", updatedAt: clock.now(), detail: describeError(err) });
    const why = err instanceof BridgeError ? err.userMessage : "an unexpected error occurred; try again, and tell your bridge admin if it keeps happening.";
    return { kind: "failed", notice: { kind: "notice", tone: "error", text: `Not sent to WhatsApp: ${why}` } };
  }
  // Meta has it: from here on nothing may turn into a "not sent" notice.
  const wamids = sent.parts ?? [sent.id];
  await markQuietly(ctx, current, { state: "sent", wamids, updatedAt: clock.now(), detail: "" });
  try {
    // A text too long for one WhatsApp message went as several (in order): each part is mapped.
    await recordOutbound(ctx, {
      conversation, thread: entry.thread, teamsMessageId: entry.teamsMessageId, wamids,
      excerpt: excerpt(toPlainText(entry.body), 200), ...(entry.author ? { author: entry.author } : {}),
    }, link);
  } catch (err) {
    logger.error("teams.reply.record_failed", { business, contact: maskId(contact), error: describeError(err) });
  }
  logger.info("teams.reply.sent", { business, contact: maskId(contact) });
  return { kind: "sent", wamids };
}

/** A state change after the fact: failing to write it is logged (reconciliation shows the row), never fatal. */
async function markQuietly(ctx: BridgeContext, entry: OutboxEntry, patch: Parameters<BridgeContext["stores"]["outbox"]["update"]>[1]): Promise<void> {
  try {
    const updated = await ctx.stores.outbox.update(entry, patch);
    if (!updated) ctx.logger.warn("outbox.mark_conflict", { contact: maskId(entry.contact), state: patch.state ?? entry.state });
  } catch (err) {
    ctx.logger.warn("outbox.mark_failed", { contact: maskId(entry.contact), state: patch.state ?? entry.state, error: describeError(err) });
  }
}
