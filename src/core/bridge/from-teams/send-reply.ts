import { describeError } from "../../errors";
import { toPlainText } from "../../formatted-text";
import { maskId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { Recipient } from "../../ports/whatsapp-gateway";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { BridgeContext } from "../context";
import { say } from "./staff-replies";
import { templatePicker } from "../template-offer";
import { acceptReply, dispatchOutbound } from "../outbox/outbox-send";
import { quotedWamid } from "./staff-media";

/**
 * Sends one staff reply: written to the outbox first (so a restart cannot lose it while it waits in the
 * pacer, and a redelivered Teams activity is not sent twice), then sent through the pacer and recorded
 * (outbox-record.ts). Resolves to a notice when it was not sent, quoting it; when WhatsApp says the
 * 24-hour window has closed, to the template card, which quotes it.
 */
export async function sendReply(
  ctx: BridgeContext,
  message: StaffMessage,
  conversation: Conversation,
  link: ChannelLink,
  to: Recipient,
  label?: string,
): Promise<StaffReply | undefined> {
  // A reply with quote of an earlier message goes to WhatsApp as a contextual reply to it.
  let replyTo;
  try {
    replyTo = await quotedWamid(ctx.stores, message);
  } catch (err) {
    ctx.logger.warn("teams.reply.quote_lookup_failed", { contact: maskId(conversation.contact), error: describeError(err) });
    return say({ kind: "storage-unavailable" });
  }
  const result = await acceptReply(ctx, message, conversation, replyTo, label);
  if (result === "duplicate") return undefined;
  if (!("accepted" in result)) return result;
  const { accepted } = result;
  const outcome = await dispatchOutbound(ctx, accepted, conversation, to, link);
  if (outcome.kind !== "failed") return undefined;
  if (outcome.failure === "window-closed") {
    const group = conversation.group !== undefined;
    return templatePicker(ctx, { kind: "window-closed", group, unsent: toPlainText(accepted.body) }, group);
  }
  return say(outcome.notice);
}
