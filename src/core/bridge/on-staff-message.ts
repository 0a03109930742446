import { isEmpty } from "../formatted-text";
import { maskId } from "../ids";
import type { ChannelLink, Conversation } from "../model";
import type { StaffMessage, StaffReply } from "../staff-message";
import { onCommand } from "./commands";
import type { BridgeContext } from "./deps";
import { recipientOf } from "./recipient";
import { sendReply } from "./send-reply";
import { FILES_NOT_DELIVERED, sendStaffImages } from "./staff-media";
import { answerWithin, templatePicker, windowClosedReason } from "./staff-replies";
import { serviceWindow } from "../rules/service-window";

/**
 * Use case `onTeamsReply`: routes a staff message. In a customer thread it is sent to that customer per
 * the reply mode; elsewhere, a message that mentions the bot is a command. Threads and channels the bridge
 * does not own are ignored. Expected failures become a notice in the thread, never an exception.
 */
export async function onStaffMessage(ctx: BridgeContext, message: StaffMessage, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply | undefined> {
  const conversation = message.isThreadRoot ? undefined : await ctx.stores.conversations.findByThread(message.thread);
  if (conversation) {
    if (message.mentionsBot && /^template\b/i.test(message.text.trim())) return templatePicker(ctx);
    return replyToCustomer(ctx, message, conversation);
  }
  if (!message.mentionsBot) return undefined;
  return onCommand(ctx, message, replayUnrouted);
}

async function replyToCustomer(ctx: BridgeContext, message: StaffMessage, conversation: Conversation): Promise<StaffReply | undefined> {
  const { settings, logger } = ctx;
  if (settings.replyMode === "mention" && !message.mentionsBot) return undefined;
  if (message.text.trimStart().startsWith(settings.notePrefix)) {
    logger.debug("teams.reply.note", { contact: maskId(conversation.contact) });
    return undefined;
  }
  if (conversation.channelId && conversation.channelId !== message.channelId) return undefined;
  const hasImages = (message.images?.length ?? 0) > 0;
  // Images that could not be fetched and files (never given to bots) are said; with images, sendStaffImages says it.
  const unfetched = !hasImages && message.imageProblems?.length ? `Not sent: ${message.imageProblems.join("; ")}.` : undefined;
  const attachmentsNote = [unfetched, message.attachmentCount > 0 ? FILES_NOT_DELIVERED : undefined].filter(Boolean).join(" ") || undefined;
  if (isEmpty(message.body) && !hasImages) {
    return attachmentsNote ? { kind: "notice", tone: "warning", text: attachmentsNote } : undefined;
  }
  const link = await ctx.stores.links.get(conversation.business);
  if (!link || link.channel.channelId !== message.channelId) {
    return { kind: "notice", tone: "warning", text: "Not sent: this channel is no longer linked to the customer's WhatsApp number. An admin can link it again with `link`." };
  }
  if (!conversation.phone && !conversation.userId) {
    logger.error("teams.reply.no_recipient", { contact: maskId(conversation.contact) });
    return { kind: "notice", tone: "error", text: "Not sent: I can't tell which WhatsApp user this thread belongs to. Please report this to your bridge admin." };
  }
  const to = recipientOf(conversation)!;
  const verdict = ctx.checkPolicy(message.text);
  if (!verdict.ok) {
    logger.warn("teams.reply.blocked_by_policy", { contact: maskId(conversation.contact), rule: verdict.rule });
    return { kind: "notice", tone: "warning", text: `Not sent: the message contains ${verdict.hint}, which matches the rule against ${verdict.rule}. Remove it and send again.` };
  }
  const window = serviceWindow(conversation.lastInboundAt, ctx.clock.now());
  if (!window.open) return templatePicker(ctx, windowClosedReason(window.closedAt));
  const outcome = (hasImages ? sendStaffImages(ctx, message, conversation, link, to) : sendReply(ctx, message, conversation, link, to)).then((reply) => (attachmentsNote && !reply ? { kind: "notice", tone: "warning", text: attachmentsNote } as const : reply));
  return answerWithin(ctx, outcome, link, message);
}
