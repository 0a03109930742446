import type { Activity, TurnContext } from "botbuilder";
import type { StaffReply } from "../core/staff-message";
import { cardAttachment } from "./cards/adaptive-card";
import { buildTemplateCard, wordTemplateCard } from "./cards/template-card";
import { renderWording } from "./teams-html";
import { HANDLER_FAILED, sayNotice, type Wording } from "./wording";

/** An answer in a turn: the core's reply, or one of the Teams side's own, already in words (`said`). */
export type TurnReply = StaffReply | { readonly kind: "said"; readonly said: Wording };

/** What the bot answers when the core's handler fails unexpectedly (the failure is logged). */
export const HANDLER_FAILED_REPLY: TurnReply = { kind: "said", said: HANDLER_FAILED };

/** The words of a reply that is not a card. */
export function wordingOf(reply: Exclude<TurnReply, { kind: "template-card" }>): Wording {
  return reply.kind === "said" ? reply.said : sayNotice(reply.notice);
}

/**
 * The message activity for `reply`: Teams HTML for notices and answers; for the template card, the card
 * attachment alone (text beside a card makes Teams split the message and refuse updates, toolchain-notes
 * "Updating a message in place").
 */
export function staffReplyActivity(reply: TurnReply): Partial<Activity> {
  if (reply.kind === "template-card") return { type: "message", attachments: [cardAttachment(buildTemplateCard(wordTemplateCard(reply.card)))] };
  return { type: "message", text: renderWording(wordingOf(reply)), textFormat: "xml" };
}

/**
 * Answers in the conversation of the turn (for a channel message: its thread). A template card with
 * `replace` updates the card message `replaceId` in place (PUT, card only) when that id is known;
 * everything else is posted as a new message. Does I/O; connector errors propagate.
 */
export async function sendStaffReply(ctx: TurnContext, reply: TurnReply, replaceId?: string): Promise<void> {
  const activity = staffReplyActivity(reply);
  if (reply.kind === "template-card" && reply.replace && replaceId) {
    await ctx.updateActivity({ ...activity, id: replaceId });
    return;
  }
  await ctx.sendActivity(activity);
}
