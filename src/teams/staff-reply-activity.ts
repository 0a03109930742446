import type { Activity, TurnContext } from "botbuilder";
import type { StaffReply } from "../core/staff-message";
import { cardAttachment } from "./cards/adaptive-card";
import { buildTemplateCard } from "./cards/template-card";
import { renderStaffReply, type TextStaffReply } from "./teams-html";

/** What the bot answers when the core's handler fails unexpectedly (the failure is logged). */
export const HANDLER_FAILED_REPLY: TextStaffReply = {
  kind: "notice",
  tone: "error",
  text: "Something went wrong while handling this message. Check the thread before trying again.",
};

/**
 * The message activity for `reply`: Teams HTML for text and notices; for the template card, the card
 * attachment alone (text beside a card makes Teams split the message and refuse updates, toolchain-notes
 * "Updating a message in place").
 */
export function staffReplyActivity(reply: StaffReply): Partial<Activity> {
  if (reply.kind === "template-card") return { type: "message", attachments: [cardAttachment(buildTemplateCard(reply.card))] };
  return { type: "message", text: renderStaffReply(reply), textFormat: "xml" };
}

/**
 * Answers in the conversation of the turn (for a channel message: its thread). A template card with
 * `replace` updates the card message `replaceId` in place (PUT, card only) when that id is known;
 * everything else is posted as a new message. Does I/O; connector errors propagate.
 */
export async function sendStaffReply(ctx: TurnContext, reply: StaffReply, replaceId?: string): Promise<void> {
  const activity = staffReplyActivity(reply);
  if (reply.kind === "template-card" && reply.replace && replaceId) {
    await ctx.updateActivity({ ...activity, id: replaceId });
    return;
  }
  await ctx.sendActivity(activity);
}
