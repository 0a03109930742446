import { ActivityTypes, type TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import type { StaffCardAction, StaffMessageHandler, StaffReply } from "../core/staff-message";
import { mapCardAction } from "./card-action-mapper";
import { buildTemplateCard } from "./cards/template-card";
import type { AdaptiveCard } from "./cards/adaptive-card";
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

/** An error answer to an `adaptiveCard/action` invoke (Universal Actions). */
interface InvokeError {
  readonly statusCode: number;
  readonly type: "application/vnd.microsoft.error";
  readonly value: { readonly code: string; readonly message: string };
}

/** Sends an error answer; teams-ai's route then leaves the answer alone (it sends only 200 answers). */
async function answerInvokeError(ctx: TurnContext, body: InvokeError): Promise<void> {
  await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
}

const plainText = (reply: Exclude<StaffReply, { kind: "template-card" }>) => reply.text;

/**
 * Handles an `adaptiveCard/action` invoke (`Action.Execute`), as the handler of teams-ai's
 * `actionExecute` route: what it returns, teams-ai answers the presser with (a card replaces the card
 * for them, a string is shown as a message); errors are answered here. The bridge's own cards use
 * Action.Submit; this exists so a Universal Action card reaches the core the same way. A replacing
 * template card updates the pressed card for everyone (PUT) and is returned to the presser; anything
 * else is posted in the thread and acknowledged with a short message. Teams waits about 5 s for the
 * invoke response: a slower core still completes, but the presser sees an error in the card.
 */
export async function handleCardInvoke(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<AdaptiveCard | string> {
  const action = mapCardAction(ctx.activity);
  if (!action) {
    logger.debug("teams.card_action.unmapped", { activityId: ctx.activity.id, reason: "invoke outside a channel thread or without data" });
    const message = "This card works only in a channel thread.";
    await answerInvokeError(ctx, { statusCode: 400, type: "application/vnd.microsoft.error", value: { code: "BadRequest", message } });
    return message;
  }
  logger.info("teams.card_action.received", { messageId: action.messageId, bridgeAction: bridgeActionOf(action), via: "invoke" });
  const { reply, failed } = await callHandler(handler, action, logger);
  if (!reply) return "Done.";
  if (reply.kind === "template-card" && reply.replace && ctx.activity.replyToId) {
    await ctx.updateActivity({ ...staffReplyActivity(reply), id: ctx.activity.replyToId });
    return buildTemplateCard(reply.card);
  }
  await ctx.sendActivity(staffReplyActivity(reply));
  const message = reply.kind === "template-card" ? "Posted in the thread." : plainText(reply);
  if (failed) await answerInvokeError(ctx, { statusCode: 500, type: "application/vnd.microsoft.error", value: { code: "InternalError", message } });
  return message;
}
