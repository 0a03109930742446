import { isEmpty, toPlainText } from "../../formatted-text";
import { DEFAULT_SEND_PREFIX, routeStaffReply } from "../../rules/reply-routing";
import { maskId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { StaffMessage, StaffReply } from "../../staff-message";
import { onCommand } from "./commands";
import type { BridgeContext } from "../context";
import { recipientOf } from "../outbox/recipient";
import { sendReply } from "./send-reply";
import { FILES_NOT_DELIVERED, sendStaffImages } from "./staff-media";
import { answerWithin, groupCannotReceive, templatePicker, windowClosedReason } from "./staff-replies";
import { serviceWindow } from "../../rules/service-window";

/**
 * Use case `onTeamsReply`: routes a staff message. In a customer thread it is sent to that customer per
 * the reply mode; elsewhere, a message that mentions the bot is a command. Threads and channels the bridge
 * does not own are ignored. Expected failures become a notice in the thread, never an exception.
 */
export async function onStaffMessage(ctx: BridgeContext, message: StaffMessage, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply | undefined> {
  const conversation = message.isThreadRoot ? undefined : await ctx.stores.conversations.findByThread(message.thread);
  if (conversation) {
    if (message.mentionsBot && /^template\b/i.test(message.text.trim())) return templatePicker(ctx, undefined, conversation.group !== undefined);
    return replyToCustomer(ctx, message, conversation);
  }
  if (!message.mentionsBot) return undefined;
  return onCommand(ctx, message, replayUnrouted);
}

async function replyToCustomer(ctx: BridgeContext, message: StaffMessage, conversation: Conversation): Promise<StaffReply | undefined> {
  const { settings, logger } = ctx;
  if (conversation.channelId && conversation.channelId !== message.channelId) return undefined;
  const sendPrefix = settings.sendPrefix ?? DEFAULT_SEND_PREFIX;
  const route = routeStaffReply({ ...message, mentions: message.mentions ?? [] }, { ...settings, sendPrefix });
  switch (route.kind) {
    case "note":
    case "not-addressed":
      logger.debug("teams.reply.internal", { contact: maskId(conversation.contact), why: route.kind });
      return undefined;
    case "internal-mention":
      logger.info("teams.reply.internal", { contact: maskId(conversation.contact), why: "mention" });
      return { kind: "notice", tone: "info", text: `Kept in Teams: it mentions ${route.mentions.some((m) => m.kind === "person") ? "a colleague" : "people in your organisation"}. Start with \`${sendPrefix}\` to send it to the customer anyway.` };
    case "tenant-link":
      logger.info("teams.reply.internal", { contact: maskId(conversation.contact), why: "tenant-link" });
      return { kind: "notice", tone: "warning", text: `Not sent: it links into your organisation (${route.hosts.slice(0, 3).join(", ")}). Share documents with customers through the channel's files on purpose; start with \`${sendPrefix}\` to send the link anyway.` };
    case "send":
      break;
  }
  // What the customer gets: the send-anyway prefix removed.
  if (route.sentAnyway) message = { ...message, body: route.body, text: toPlainText(route.body) };
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
  const groupProblem = conversation.group && groupCannotReceive(conversation.group);
  if (groupProblem) return { kind: "notice", tone: "warning", text: `Not sent: ${groupProblem}` };
  const to = recipientOf(conversation);
  if (!to) {
    logger.error("teams.reply.no_recipient", { contact: maskId(conversation.contact) });
    return { kind: "notice", tone: "error", text: "Not sent: I can't tell which WhatsApp user this thread belongs to. Please report this to your bridge admin." };
  }
  const verdict = ctx.checkPolicy(message.text);
  if (!verdict.ok) {
    logger.warn("teams.reply.blocked_by_policy", { contact: maskId(conversation.contact), rule: verdict.rule });
    return { kind: "notice", tone: "warning", text: `Not sent: the message contains ${verdict.hint}, which matches the rule against ${verdict.rule}. Remove it and send again.` };
  }
  const window = serviceWindow(conversation.lastInboundAt, ctx.clock.now());
  if (!window.open) return templatePicker(ctx, windowClosedReason(window.closedAt, conversation.group !== undefined), conversation.group !== undefined);
  const outcome = (hasImages ? sendStaffImages(ctx, message, conversation, link, to) : sendReply(ctx, message, conversation, link, to)).then((reply) => (attachmentsNote && !reply ? { kind: "notice", tone: "warning", text: attachmentsNote } as const : reply));
  return answerWithin(ctx, outcome, link, message);
}
