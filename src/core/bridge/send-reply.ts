import { BridgeError, describeError } from "../errors";
import { excerpt, toPlainText } from "../formatted-text";
import { maskId } from "../ids";
import type { ChannelLink, Conversation } from "../model";
import type { Recipient } from "../ports/whatsapp-gateway";
import type { StaffMessage, StaffReply } from "../staff-message";
import type { BridgeContext } from "./deps";
import { recordOutbound } from "./outbound-record";
import { quotedWamid } from "./staff-media";

/**
 * Sends one staff reply through the pacer and records it: the wamid mapped to the Teams message, the
 * conversation's last outbound message, the root card. Resolves to a notice when Meta refused it.
 */
export async function sendReply(ctx: BridgeContext, message: StaffMessage, conversation: Conversation, link: ChannelLink, to: Recipient): Promise<StaffReply | undefined> {
  const { logger } = ctx;
  try {
    // A reply with quote of an earlier message goes to WhatsApp as a contextual reply to it.
    const replyTo = await quotedWamid(ctx.stores, message);
    const sent = await ctx.pacer.send(conversation.business, conversation.contact, () =>
      ctx.whatsapp.sendText({ business: conversation.business, to, body: message.body, ...(replyTo ? { replyTo } : {}), callbackData: message.messageId }),
    );
    // A text too long for one WhatsApp message went as several (in order): each part is mapped.
    await recordOutbound(ctx, {
      conversation, thread: message.thread, teamsMessageId: message.messageId, wamids: sent.parts ?? [sent.id],
      excerpt: excerpt(toPlainText(message.body), 200), ...(message.author.aadObjectId ? { author: message.author.aadObjectId } : {}),
    }, link);
    logger.info("teams.reply.sent", { business: conversation.business, contact: maskId(conversation.contact) });
    return undefined;
  } catch (err) {
    logger.warn("teams.reply.failed", { business: conversation.business, contact: maskId(conversation.contact), error: describeError(err) });
    const why = err instanceof BridgeError ? err.userMessage : "an unexpected error occurred; try again, and tell your bridge admin if it keeps happening.";
    return { kind: "notice", tone: "error", text: `Not sent to WhatsApp: ${why}` };
  }
}
