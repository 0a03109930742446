import { isEmpty, toPlainText } from "../../formatted-text";
import { DEFAULT_SEND_PREFIX, routeStaffReply } from "../../rules/reply-routing";
import { maskId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { StaffMessage, StaffReply } from "../../staff-message";
import { onCommand } from "./commands";
import type { BridgeContext } from "../context";
import { recipientOf } from "../outbox/recipient";
import { sendReply } from "./send-reply";
import { sendStaffImages } from "./staff-media";
import { answerWithin, groupCannotReceive, say } from "./staff-replies";
import { templatePicker } from "../template-offer";
import { serviceWindow } from "../../rules/service-window";
import { admitStaff } from "./staff-gate";
import type { InternalReason } from "../../ports/webhook-journal";
import { journalKeptInTeams } from "../journal-records";

/**
 * Use case `onTeamsReply`: routes a staff message. In a customer thread it is sent to that customer per
 * the reply mode; elsewhere, a message that mentions the bot is a command. Threads and channels the bridge
 * does not own are ignored. Expected failures become a notice in the thread, never an exception.
 */
export async function onStaffMessage(
  ctx: BridgeContext,
  message: StaffMessage,
  replayUnrouted: (link: ChannelLink) => Promise<number>,
): Promise<StaffReply | undefined> {
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
  // A reply that stays in Teams is recorded in the journal too, with why: the record shows it was not sent.
  const keptInTeams = (why: InternalReason, detail?: string) =>
    journalKeptInTeams(ctx, {
      conversation,
      teamsMessageId: message.messageId,
      author: message.author,
      why,
      text: message.text,
      ...(detail ? { detail } : {}),
    });
  switch (route.kind) {
    case "note":
    case "not-addressed":
      logger.debug("teams.reply.internal", { contact: maskId(conversation.contact), why: route.kind });
      await keptInTeams(route.kind);
      return undefined;
    case "internal-mention":
      logger.info("teams.reply.internal", { contact: maskId(conversation.contact), why: "mention" });
      await keptInTeams("internal-mention", `mentions: ${[...new Set(route.mentions.map((m) => m.kind))].join(", ")}`);
      return say({ kind: "kept-in-teams", mentions: route.mentions.some((m) => m.kind === "person") ? "colleague" : "organisation", sendPrefix });
    case "tenant-link":
      logger.info("teams.reply.internal", { contact: maskId(conversation.contact), why: "tenant-link" });
      await keptInTeams("tenant-link", `links to: ${route.hosts.join(", ")}`);
      return say({ kind: "tenant-link", hosts: route.hosts, sendPrefix });
    case "send":
      break;
  }
  // What the customer gets: the send-anyway prefix removed.
  if (route.sentAnyway) message = { ...message, body: route.body, text: toPlainText(route.body) };
  const hasImages = (message.images?.length ?? 0) > 0;
  // Images that could not be fetched and files (never given to bots) are said; with images, sendStaffImages says it.
  const imageProblems = !hasImages ? (message.imageProblems ?? []) : [];
  const attachmentsNote =
    imageProblems.length > 0 || message.attachmentCount > 0
      ? say({ kind: "attachments-not-sent", imageProblems, files: message.attachmentCount > 0 })
      : undefined;
  if (isEmpty(message.body) && !hasImages) return attachmentsNote;
  const link = await ctx.stores.links.get(conversation.business);
  if (!link || link.channel.channelId !== message.channelId) return say({ kind: "channel-unlinked" });
  // Only now is it a send: notes and replies kept in Teams never reach the gate.
  const refused = await admitStaff(ctx, link, message.author, "reply");
  if (refused) {
    await keptInTeams("not-allowed", refused.why);
    return refused.reply;
  }
  const unreachable = conversation.group && groupCannotReceive(conversation.group);
  if (unreachable) return say({ kind: "group-unreachable", why: unreachable });
  const to = recipientOf(conversation);
  if (!to) {
    logger.error("teams.reply.no_recipient", { contact: maskId(conversation.contact) });
    return say({ kind: "recipient-unknown", on: "reply" });
  }
  const verdict = ctx.checkPolicy(message.text);
  if (!verdict.ok) {
    logger.warn("teams.reply.blocked_by_policy", { contact: maskId(conversation.contact), rule: verdict.rule });
    await keptInTeams("policy-block", `rule: ${verdict.rule}`);
    return say({ kind: "policy-blocked", on: "reply", hint: verdict.hint, rule: verdict.rule });
  }
  const window = serviceWindow(conversation.lastInboundAt, ctx.clock.now());
  const group = conversation.group !== undefined;
  if (!window.open) {
    await keptInTeams("window-closed");
    return templatePicker(
      ctx,
      { kind: "window-closed", group, unsent: message.text, ...(window.closedAt !== undefined ? { closedAt: window.closedAt } : {}) },
      group,
    );
  }
  const label = route.sentAnyway ? "sent-anyway" : undefined;
  const outcome = (hasImages ? sendStaffImages(ctx, message, conversation, link, to) : sendReply(ctx, message, conversation, link, to, label)).then(
    (reply) => reply ?? attachmentsNote,
  );
  return answerWithin(ctx, outcome, link, message);
}
