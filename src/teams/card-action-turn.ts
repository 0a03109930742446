import { ActivityTypes, type TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import type { StaffCardAction, StaffMessageHandler, StaffReply } from "../core/staff-message";
import { mapCardAction } from "./card-action-mapper";
import { buildTemplateCard } from "./cards/template-card";
import { ADAPTIVE_CARD_CONTENT_TYPE } from "./cards/adaptive-card";
import { HANDLER_FAILED_REPLY, sendStaffReply, staffReplyActivity } from "./staff-reply-activity";

/** Calls the core; an unexpected failure is logged and answered with the generic error notice. */
async function callHandler(handler: StaffMessageHandler, action: StaffCardAction, logger: Logger): Promise<{ reply?: StaffReply; failed: boolean }> {
  try {
    const reply = await handler.onCardAction(action);
    return reply ? { reply, failed: false } : { failed: false };
  } catch (err) {
    logger.error("teams.card_action.failed", { messageId: action.messageId, error: describeError(err) });
    return { reply: HANDLER_FAILED_REPLY, failed: true };
  }
}

function bridgeActionOf(action: StaffCardAction): string {
  return typeof action.data.bridgeAction === "string" ? action.data.bridgeAction.slice(0, 60) : "-";
}

/**
 * Handles an `Action.Submit` press (a message activity with `value`) in a channel thread: the core's
 * `onCardAction` decides, and its answer goes to the same thread. A template card with `replace`
 * replaces the card that was pressed (`replyToId`) in place; other answers are posted as new messages.
 * The action never reaches `onStaffMessage`.
 */
export async function handleCardSubmit(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<void> {
  const action = mapCardAction(ctx.activity);
  if (!action) {
    logger.debug("teams.card_action.unmapped", { activityId: ctx.activity.id, reason: "no thread, tenant, id or serviceUrl" });
    return;
  }
  logger.info("teams.card_action.received", { messageId: action.messageId, bridgeAction: bridgeActionOf(action) });
  const { reply } = await callHandler(handler, action, logger);
  if (reply) await sendStaffReply(ctx, reply, ctx.activity.replyToId);
}

/** The body of an `adaptiveCard/action` invoke response (Universal Actions). */
type InvokeBody =
  | { statusCode: 200; type: typeof ADAPTIVE_CARD_CONTENT_TYPE; value: unknown }
  | { statusCode: 200; type: "application/vnd.microsoft.activity.message"; value: string }
  | { statusCode: number; type: "application/vnd.microsoft.error"; value: { code: string; message: string } };

async function answerInvoke(ctx: TurnContext, body: InvokeBody): Promise<void> {
  await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
}

const plainText = (reply: Exclude<StaffReply, { kind: "template-card" }>) => reply.text;

/**
 * Handles an `adaptiveCard/action` invoke (`Action.Execute`). The bridge's own cards use Action.Submit;
 * this exists so a Universal Action card reaches the core the same way. A replacing template card
 * updates the pressed card for everyone (PUT) and is returned to the presser; anything else is posted in
 * the thread and acknowledged with a short message. Teams waits about 5 s for the invoke response: a
 * slower core still completes, but the presser sees an error in the card.
 */
export async function handleCardInvoke(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<void> {
  const action = mapCardAction(ctx.activity);
  if (!action) {
    logger.debug("teams.card_action.unmapped", { activityId: ctx.activity.id, reason: "invoke outside a channel thread or without data" });
    await answerInvoke(ctx, { statusCode: 400, type: "application/vnd.microsoft.error", value: { code: "BadRequest", message: "This card works only in a channel thread." } });
    return;
  }
  logger.info("teams.card_action.received", { messageId: action.messageId, bridgeAction: bridgeActionOf(action), via: "invoke" });
  const { reply, failed } = await callHandler(handler, action, logger);
  if (!reply) {
    await answerInvoke(ctx, { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: "Done." });
    return;
  }
  if (reply.kind === "template-card" && reply.replace && ctx.activity.replyToId) {
    const card = buildTemplateCard(reply.card);
    await ctx.updateActivity({ ...staffReplyActivity(reply), id: ctx.activity.replyToId });
    await answerInvoke(ctx, { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card });
    return;
  }
  await ctx.sendActivity(staffReplyActivity(reply));
  const message = reply.kind === "template-card" ? "Posted in the thread." : plainText(reply);
  await answerInvoke(ctx, failed
    ? { statusCode: 500, type: "application/vnd.microsoft.error", value: { code: "InternalError", message } }
    : { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: message });
}
