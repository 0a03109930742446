import { describeError } from "../../errors";
import { maskId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { Recipient } from "../../ports/whatsapp-gateway";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { BridgeContext } from "../context";
import { acceptReply, dispatchReply } from "../outbox/outbox-send";
import { quotedWamid } from "./staff-media";

/**
 * Sends one staff reply: written to the outbox first (so a restart cannot lose it while it waits in the
 * pacer, and a redelivered Teams activity is not sent twice), then sent through the pacer and recorded:
 * the wamid mapped to the Teams message, the conversation's last outbound message, the root card.
 * Resolves to a notice when it was not sent.
 */
export async function sendReply(ctx: BridgeContext, message: StaffMessage, conversation: Conversation, link: ChannelLink, to: Recipient): Promise<StaffReply | undefined> {
  // A reply with quote of an earlier message goes to WhatsApp as a contextual reply to it.
  let replyTo;
  try {
    replyTo = await quotedWamid(ctx.stores, message);
  } catch (err) {
    ctx.logger.warn("teams.reply.quote_lookup_failed", { contact: maskId(conversation.contact), error: describeError(err) });
    return { kind: "notice", tone: "error", text: "Not sent: the bridge's storage did not answer. Send your reply again in a minute; tell your bridge admin if it keeps happening." };
  }
  const accepted = await acceptReply(ctx, message, conversation, replyTo);
  if (accepted === "duplicate") return undefined;
  if ("kind" in accepted) return accepted;
  const outcome = await dispatchReply(ctx, accepted, conversation, to, link);
  return outcome.kind === "failed" ? outcome.notice : undefined;
}
