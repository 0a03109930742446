import { BridgeError, describeError } from "../errors";
import { isEmpty } from "../formatted-text";
import { maskId } from "../ids";
import type { ChannelLink, Conversation } from "../model";
import { INTERACTIVE_RETRY, withRetry } from "../retry";
import type { StaffMessage, StaffReply } from "../staff-message";
import { onCommand } from "./commands";
import type { BridgeDeps } from "./deps";

/**
 * Use case `onTeamsReply`: routes a staff message. In a customer thread it is sent to that customer per
 * the reply mode; elsewhere, a message that mentions the bot is a command. Threads and channels the bridge
 * does not own are ignored. Expected failures become a notice in the thread, never an exception.
 */
export async function onStaffMessage(deps: BridgeDeps, message: StaffMessage, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply | undefined> {
  const conversation = message.isThreadRoot ? undefined : await deps.stores.conversations.findByThread(message.thread);
  if (conversation) return replyToCustomer(deps, message, conversation);
  if (!message.mentionsBot) return undefined;
  return onCommand(deps, message, replayUnrouted);
}

async function replyToCustomer(deps: BridgeDeps, message: StaffMessage, conversation: Conversation): Promise<StaffReply | undefined> {
  const { settings, logger } = deps;
  if (settings.replyMode === "mention" && !message.mentionsBot) return undefined;
  if (message.text.trimStart().startsWith(settings.notePrefix)) {
    logger.debug("teams.reply.note", { contact: maskId(conversation.contact) });
    return undefined;
  }
  if (conversation.channelId && conversation.channelId !== message.channelId) return undefined;
  const attachmentsNote = message.attachmentCount > 0
    ? "Files and images can't be sent to WhatsApp from Teams yet; only the text was sent. Share a link to the file instead."
    : undefined;
  if (isEmpty(message.body)) {
    return attachmentsNote ? { kind: "notice", tone: "warning", text: "Not sent: files and images can't be sent to WhatsApp from Teams yet. Share a link to the file instead." } : undefined;
  }
  const link = await deps.stores.links.get(conversation.business);
  if (!link || link.channel.channelId !== message.channelId) {
    return { kind: "notice", tone: "warning", text: "Not sent: this channel is no longer linked to the customer's WhatsApp number. An admin can link it again with `link`." };
  }
  if (!conversation.phone && !conversation.userId) {
    logger.error("teams.reply.no_recipient", { contact: maskId(conversation.contact) });
    return { kind: "notice", tone: "error", text: "Not sent: I can't tell which WhatsApp user this thread belongs to. Please report this to your bridge admin." };
  }
  const to = { ...(conversation.phone ? { phone: conversation.phone } : {}), ...(conversation.userId ? { userId: conversation.userId } : {}) };
  try {
    const sent = await withRetry(
      () => deps.whatsapp.sendText({ business: conversation.business, to, body: message.body, callbackData: message.messageId }),
      INTERACTIVE_RETRY,
      deps.clock,
    );
    await deps.stores.messages.put({
      business: conversation.business,
      wamid: sent.id,
      thread: message.thread,
      teamsMessageId: message.messageId,
      contact: conversation.contact,
      direction: "outbound",
      at: deps.clock.now(),
      ...(message.author.aadObjectId ? { author: message.author.aadObjectId } : {}),
    });
    logger.info("teams.reply.sent", { business: conversation.business, contact: maskId(conversation.contact) });
    return attachmentsNote ? { kind: "notice", tone: "warning", text: attachmentsNote } : undefined;
  } catch (err) {
    logger.warn("teams.reply.failed", { business: conversation.business, contact: maskId(conversation.contact), error: describeError(err) });
    const why = err instanceof BridgeError ? err.userMessage : "an unexpected error occurred; try again, and tell your bridge admin if it keeps happening.";
    return { kind: "notice", tone: "error", text: `Not sent to WhatsApp: ${why}` };
  }
}
