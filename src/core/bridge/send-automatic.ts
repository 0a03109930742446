import { describeError } from "../errors";
import { excerpt, paragraph } from "../formatted-text";
import { maskId } from "../ids";
import type { ChannelLink, Conversation } from "../model";
import type { BridgeContext } from "./deps";
import { refreshRootCard } from "./live-state";
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
    const at = ctx.clock.now();
    await ctx.stores.messages.put({ business: conversation.business, wamid: sent.id, thread: conversation.thread, teamsMessageId: postId, contact: conversation.contact, direction: "outbound", at, state: "accepted", excerpt: excerpt(text, 200) });
    const lastOutbound = { wamid: sent.id, state: "accepted" as const, at, excerpt: excerpt(text, 200) };
    await ctx.stores.conversations.update(conversation.contact, { lastOutbound });
    await refreshRootCard(ctx, { ...conversation, lastOutbound }, link);
  } catch (err) {
    ctx.logger.warn("whatsapp.automatic.failed", { contact: maskId(conversation.contact), error: describeError(err) });
    await ctx.teams.postInThread(link.channel, conversation.thread, { kind: "notice", tone: "warning", text: `${label}: not sent (${describeError(err)}).` });
  }
}
