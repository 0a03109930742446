import type { TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import type { StaffMessageHandler } from "../core/staff-message";
import { isChannelActivity, isFromBot, mapStaffMessage } from "./activity-mapper";
import { fetchInlineImages, isInlineImage } from "./inline-images";
import { handleCardSubmit } from "./card-action-turn";
import { HANDLER_FAILED_REPLY, sendStaffReply, type TurnReply } from "./staff-reply-activity";
import { CHANNELS_ONLY } from "./wording";

export { sendStaffReply } from "./staff-reply-activity";

/** What the bot answers outside channels: it only works in channel threads. */
export const CHANNELS_ONLY_REPLY = CHANNELS_ONLY;

/**
 * What every message turn checks first: the bot's own messages are ignored, personal and group chats
 * get a short pointer to channels. True when the turn is a person's, in a channel.
 */
async function fromStaffInChannel(ctx: TurnContext, logger: Logger): Promise<boolean> {
  const activity = ctx.activity;
  if (isFromBot(activity)) {
    logger.debug("teams.message.own_ignored", { messageId: activity.id });
    return false;
  }
  if (!isChannelActivity(activity)) {
    logger.debug("teams.message.not_in_channel", { conversationType: activity.conversation?.conversationType ?? "-" });
    await sendStaffReply(ctx, { kind: "said", said: CHANNELS_ONLY_REPLY });
    return false;
  }
  return true;
}

/**
 * Handles a card button press (`Action.Submit`, teams-ai's `actionSubmit` route): the core's
 * onCardAction, never onStaffMessage (card-action-turn.ts).
 */
export async function handleCardSubmitActivity(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<void> {
  if (await fromStaffInChannel(ctx, logger)) await handleCardSubmit(ctx, handler, logger);
}

/**
 * Handles one message activity: channel messages from people go to the core as StaffMessages and the
 * core's reply is posted in the same thread (see `fromStaffInChannel` for the others). A failing
 * handler is logged and answered with a notice. A template card answer is posted as a card.
 */
export async function handleMessageActivity(
  ctx: TurnContext,
  handler: StaffMessageHandler,
  logger: Logger,
  options: { serviceUrlHosts?: readonly string[] } = {},
): Promise<void> {
  if (!(await fromStaffInChannel(ctx, logger))) return;
  const activity = ctx.activity;
  const mapped = mapStaffMessage(activity);
  if (!mapped) {
    logger.debug("teams.message.unmapped", { messageId: activity.id, reason: "no thread, tenant, id or serviceUrl" });
    return;
  }
  let message = mapped;
  if (!mapped.isThreadRoot && options.serviceUrlHosts && (activity.attachments ?? []).some(isInlineImage)) {
    // Pasted images are fetched here, in the turn, with the bot's token (the core never sees Teams URLs).
    const { images, problems } = await fetchInlineImages(ctx, { serviceUrlHosts: options.serviceUrlHosts, logger });
    message = { ...mapped, ...(images.length ? { images } : {}), ...(problems.length ? { imageProblems: problems } : {}) };
  }
  let reply: TurnReply | undefined;
  try {
    reply = await handler.onStaffMessage(message);
  } catch (err) {
    logger.error("teams.handler.failed", { messageId: message.messageId, error: describeError(err) });
    reply = HANDLER_FAILED_REPLY;
  }
  if (reply) await sendStaffReply(ctx, reply);
}
