import type { TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import type { StaffMessageHandler, StaffReply } from "../core/staff-message";
import { isChannelActivity, isFromBot, mapStaffMessage } from "./activity-mapper";
import { renderStaffReply } from "./teams-html";

/** What the bot answers outside channels: it only works in channel threads. */
export const CHANNELS_ONLY_REPLY: StaffReply = { kind: "text", text: "I work in channels: mention me in a channel with `help`." };

const HANDLER_FAILED_REPLY: StaffReply = {
  kind: "notice",
  tone: "error",
  text: "Something went wrong while handling this message. Check the thread before trying again.",
};

/** Sends `reply` in the conversation of the turn (for a channel message: its thread) as Teams HTML. */
export async function sendStaffReply(ctx: TurnContext, reply: StaffReply): Promise<void> {
  await ctx.sendActivity({ type: "message", text: renderStaffReply(reply), textFormat: "xml" });
}

/**
 * Handles one message activity: channel messages from people go to the core as StaffMessages and the
 * core's reply is posted in the same thread; the bot's own messages are ignored; personal and group
 * chats get a short pointer to channels. A failing handler is logged and answered with a notice.
 */
export async function handleMessageActivity(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<void> {
  const activity = ctx.activity;
  if (isFromBot(activity)) {
    logger.debug("teams.message.own_ignored", { messageId: activity.id });
    return;
  }
  if (!isChannelActivity(activity)) {
    logger.debug("teams.message.not_in_channel", { conversationType: activity.conversation?.conversationType ?? "-" });
    await sendStaffReply(ctx, CHANNELS_ONLY_REPLY);
    return;
  }
  const message = mapStaffMessage(activity);
  if (!message) {
    logger.debug("teams.message.unmapped", { messageId: activity.id, reason: "no thread, tenant, id or serviceUrl" });
    return;
  }
  let reply: StaffReply | undefined;
  try {
    reply = await handler.onStaffMessage(message);
  } catch (err) {
    logger.error("teams.handler.failed", { messageId: message.messageId, error: describeError(err) });
    reply = HANDLER_FAILED_REPLY;
  }
  if (reply) await sendStaffReply(ctx, reply);
}
