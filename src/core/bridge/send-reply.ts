import { BridgeError, describeError } from "../errors";
import { excerpt, toPlainText } from "../formatted-text";
import { maskId } from "../ids";
import type { ChannelLink, Conversation } from "../model";
import type { Recipient } from "../ports/whatsapp-gateway";
import type { StaffMessage, StaffReply } from "../staff-message";
import type { BridgeContext } from "./deps";
import { refreshRootCard } from "./live-state";
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
    const at = ctx.clock.now();
    const text = excerpt(toPlainText(message.body), 200);
    // A text too long for one WhatsApp message went as several (in order): each part is mapped.
    for (const wamid of sent.parts ?? [sent.id]) {
      await ctx.stores.messages.put({
        business: conversation.business,
        wamid,
        thread: message.thread,
        teamsMessageId: message.messageId,
        contact: conversation.contact,
        direction: "outbound",
        at,
        state: "accepted",
        excerpt: text,
        ...(message.author.aadObjectId ? { author: message.author.aadObjectId } : {}),
      });
    }
    const lastOutbound = { wamid: sent.id, state: "accepted" as const, at, excerpt: text };
    await ctx.stores.conversations.update(conversation.contact, { lastOutbound });
    await refreshRootCard(ctx, { ...conversation, lastOutbound }, link);
    logger.info("teams.reply.sent", { business: conversation.business, contact: maskId(conversation.contact) });
    return undefined;
  } catch (err) {
    logger.warn("teams.reply.failed", { business: conversation.business, contact: maskId(conversation.contact), error: describeError(err) });
    const why = err instanceof BridgeError ? err.userMessage : "an unexpected error occurred; try again, and tell your bridge admin if it keeps happening.";
    return { kind: "notice", tone: "error", text: `Not sent to WhatsApp: ${why}` };
  }
}
