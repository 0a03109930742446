import { describeError } from "../../errors";
import { excerpt, paragraph } from "../../formatted-text";
import { maskId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { BridgeContext } from "../context";
import { recordOutbound } from "./outbound-record";
import { recipientOf } from "./recipient";

/**
 * Sends a text the bridge itself writes to the customer (e.g. the first-contact notice) and records in the
 * thread, as ordinary text, exactly what the customer received. A failure becomes a notice, not an error:
 * the customer's own message has already been posted.
 */
export async function sendAutomatic(ctx: BridgeContext, conversation: Conversation, link: ChannelLink, text: string, label: string): Promise<void> {
  const to = recipientOf(conversation);
  if (!to || !conversation.thread) return;
  try {
    const sent = await ctx.pacer.send(conversation.business, conversation.contact, () => ctx.whatsapp.sendText({ business: conversation.business, to, body: paragraph(text) }));
    const postId = await ctx.teams.postInThread(link.channel, conversation.thread, { kind: "sent", label, text });
    await recordOutbound(ctx, { conversation, thread: conversation.thread, teamsMessageId: postId, wamids: [sent.id], excerpt: excerpt(text, 200) }, link);
  } catch (err) {
    ctx.logger.warn("whatsapp.automatic.failed", { contact: maskId(conversation.contact), error: describeError(err) });
    await ctx.teams.postInThread(link.channel, conversation.thread, { kind: "notice", tone: "warning", text: `${label}: not sent (${describeError(err)}).` });
  }
}
