import { BridgeError, describeError, PermanentError, WhatsAppSendError, type WhatsAppFailureKind } from "../../errors";
import { toPlainText } from "../../formatted-text";
import { maskId, type WaMessageId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { NewOutboxEntry, OutboxEntry } from "../../ports/outbox-store";
import type { Recipient } from "../../ports/whatsapp-gateway";
import type { ReplyNotice } from "../../notices";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { MessageTemplate } from "../../templates";
import type { BridgeContext } from "../context";
import { patchRow, recordAccepted } from "./outbox-record";

/**
 * The outbox side of every message to WhatsApp (docs/architecture.md, "Outbox"): staff replies,
 * templates and automatic messages. A row is written before the message is queued in the pacer, claimed
 * (`sending`, conditional on its version) right before each Cloud API call, then `recording` and `sent`
 * once Meta accepted it (outbox-record.ts), or `failed`. The conditional claim is what keeps two instances
 * (or two presses of one button) from both sending one row: whoever changed the row last wins, the other
 * drops its copy.
 */

/** Thrown inside the pacer when another instance took the row over: this copy must not be sent. */
class ClaimLost extends PermanentError {
  constructor() {
    super("outbox.claim_lost", "the outbox row changed under this instance (taken over elsewhere)");
  }
}

/** How a dispatch ended: sent (Meta accepted it), refused (with the notice for the thread), or left to another instance. */
export type DispatchOutcome =
  | { readonly kind: "sent"; readonly wamids: readonly WaMessageId[]; readonly row: OutboxEntry }
  | { readonly kind: "failed"; readonly notice: Extract<ReplyNotice, { kind: "not-sent" }>; readonly failure?: WhatsAppFailureKind; readonly error: string }
  | { readonly kind: "taken-over" };

/** What `createRow` resolves to: the new row, the row written before for the same key, or a notice. */
export type CreateOutcome = { readonly created: true; readonly entry: OutboxEntry } | { readonly created: false; readonly existing: OutboxEntry } | StaffReply;

/**
 * Writes an outbox row before anything is sent. Resolves to the row, to the existing row when its key was
 * accepted before (Teams redelivered the activity, a button was pressed twice), or to a notice when the
 * row could not be written (nothing is sent unrecorded).
 */
export async function createRow(ctx: BridgeContext, row: NewOutboxEntry): Promise<CreateOutcome> {
  try {
    return await ctx.stores.outbox.create(row);
  } catch (err) {
    ctx.logger.warn("outbox.create_failed", { contact: maskId(row.contact), error: describeError(err) });
    if (err instanceof BridgeError && err.code === "storage.value_too_large") {
      return { kind: "notice", notice: { kind: "reply-too-long", characters: Array.from(toPlainText(row.body)).length } };
    }
    return { kind: "notice", notice: { kind: "reply-not-recorded" } };
  }
}

/** The fields every new row starts with: queued, owned by this instance's pacer. */
export function newRow(ctx: BridgeContext): Pick<NewOutboxEntry, "state" | "attempts" | "resends" | "createdAt" | "updatedAt" | "owner"> {
  const now = ctx.clock.now();
  return { state: "queued", attempts: 0, resends: 0, createdAt: now, updatedAt: now, owner: ctx.pacer.instanceId };
}

/**
 * Writes the outbox row of a staff reply (`label`: `sent-anyway` when sent with the send prefix). Resolves
 * to the row, to `duplicate` when this Teams message was accepted before (Teams redelivered the activity:
 * it is not sent twice), or to a notice when the row could not be written.
 */
export async function acceptReply(
  ctx: BridgeContext,
  message: StaffMessage,
  conversation: Conversation,
  replyTo: WaMessageId | undefined,
  label?: string,
): Promise<{ readonly accepted: OutboxEntry } | "duplicate" | StaffReply> {
  const result = await createRow(ctx, {
    business: conversation.business,
    contact: conversation.contact,
    thread: message.thread,
    teamsMessageId: message.messageId,
    ...(message.author.aadObjectId ? { author: message.author.aadObjectId, authorName: message.author.name } : {}),
    body: message.body,
    ...(replyTo ? { replyTo } : {}),
    ...(label ? { label } : {}),
    ...newRow(ctx),
  });
  if ("kind" in result) return result;
  if (result.created) return { accepted: result.entry };
  ctx.logger.info("teams.reply.duplicate_activity", { contact: maskId(conversation.contact), state: result.existing.state });
  return "duplicate";
}

/** True when WhatsApp certainly did not take the message (it answered with an error, or the request never left). */
function certainlyNotSent(err: unknown): boolean {
  return err instanceof BridgeError && err.notApplied;
}

/** The Cloud API call that sends a row, as its kind says (a template row needs its template). */
function senderOf(
  ctx: BridgeContext,
  entry: OutboxEntry,
  to: Recipient,
  template: MessageTemplate | undefined,
): () => Promise<{ id: WaMessageId; parts?: readonly WaMessageId[] }> {
  const { business } = entry;
  if (entry.kind === "template") {
    if (!template || !entry.template) throw new PermanentError("outbox.template_missing", "a template row was dispatched without its template");
    const values = entry.template.values;
    return () => ctx.whatsapp.sendTemplate({ business, to, template, values, callbackData: entry.teamsMessageId });
  }
  if (entry.kind === "automatic") return () => ctx.whatsapp.sendText({ business, to, body: entry.body });
  return () =>
    ctx.whatsapp.sendText({ business, to, body: entry.body, ...(entry.replyTo ? { replyTo: entry.replyTo } : {}), callbackData: entry.teamsMessageId });
}

/**
 * Sends an accepted row through the pacer to `to` (a template row with `template`, its catalogue entry),
 * then records what Meta accepted (outbox-record.ts: the row `recording`, then `sent`). Once Meta has
 * it, the outcome is `sent` whatever happens to the record. Never throws.
 */
export async function dispatchOutbound(
  ctx: BridgeContext,
  entry: OutboxEntry,
  conversation: Conversation,
  to: Recipient,
  link?: ChannelLink,
  template?: MessageTemplate,
): Promise<DispatchOutcome> {
  const { stores, logger, clock } = ctx;
  const { business, contact } = entry;
  const what = entry.kind === "template" ? "template" : "reply";
  let current = entry;
  let sent: { id: WaMessageId; parts?: readonly WaMessageId[] };
  try {
    const send = senderOf(ctx, entry, to, template);
    sent = await ctx.pacer.send(business, contact, async () => {
      const claimed = await stores.outbox.update(current, {
        state: "sending",
        attempts: current.attempts + 1,
        owner: ctx.pacer.instanceId,
        updatedAt: clock.now(),
      });
      if (!claimed) throw new ClaimLost();
      current = claimed;
      try {
        return await send();
      } catch (err) {
        // Meta refused it: back to `queued`, so a crash during the backoff is not mistaken for a crash mid-send.
        if (certainlyNotSent(err))
          current = (await stores.outbox.update(current, { state: "queued", updatedAt: clock.now() }).catch(() => undefined)) ?? current;
        throw err;
      }
    });
  } catch (err) {
    if (err instanceof ClaimLost) {
      logger.info("outbox.taken_over", { contact: maskId(contact) });
      return { kind: "taken-over" };
    }
    logger.warn("outbox.send_failed", { business, contact: maskId(contact), kind: entry.kind ?? "reply", error: describeError(err) });
    await patchRow(ctx, current, { state: "failed", updatedAt: clock.now(), detail: describeError(err) });
    return {
      kind: "failed",
      error: describeError(err),
      notice: { kind: "not-sent", what, reply: toPlainText(entry.body), ...(err instanceof BridgeError ? { why: err.userMessage } : {}) },
      ...(err instanceof WhatsAppSendError ? { failure: err.failure } : {}),
    };
  }
  // Meta has it: from here on nothing may turn into a "not sent" notice.
  const wamids = sent.parts ?? [sent.id];
  const row = await recordAccepted(ctx, current, wamids, { conversation, to, link });
  // Staff replies keep the event name operators' log queries have always used.
  logger.info(entry.kind === undefined ? "teams.reply.sent" : "outbox.sent", { business, contact: maskId(contact), kind: entry.kind ?? "reply" });
  return { kind: "sent", wamids, row };
}
