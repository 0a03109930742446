import { BridgeError, describeError } from "../../errors";
import { maskId } from "../../ids";
import type { StaffMessageChange, StaffReaction, StaffReply } from "../../staff-message";
import type { BridgeContext } from "../context";
import { recipientOf } from "../outbox/recipient";
import { say } from "./staff-replies";
import { admitStaff } from "./staff-gate";

/**
 * Staff actions on existing messages of a customer thread: reactions (sent to WhatsApp as reactions to
 * the customer's message) and edits/deletions of sent replies (WhatsApp keeps what it delivered; the
 * thread is told once).
 */

/**
 * A reaction added on the bot's copy of a customer message is sent as a WhatsApp reaction to that
 * message; removing it removes it (empty emoji). WhatsApp keeps one reaction per sender, so the last one
 * added wins. Reactions on anything else (staff replies, notices) stay in Teams. Resolves to a notice
 * only when WhatsApp refused.
 */
export async function onStaffReaction(ctx: BridgeContext, reaction: StaffReaction): Promise<StaffReply | undefined> {
  if (reaction.added.length === 0 && reaction.removed.length === 0) return undefined;
  const conversation = await ctx.stores.conversations.findByThread(reaction.thread);
  if (!conversation || conversation.channelId !== reaction.channelId) return undefined;
  const target = await ctx.stores.messages.byTeamsMessage(reaction.thread, reaction.target);
  if (!target || target.direction !== "inbound") return undefined;
  const to = recipientOf(conversation);
  if (!to) return undefined;
  // Unlinked (or linked elsewhere since): nothing from this channel reaches the customer any more.
  const link = await ctx.stores.links.get(conversation.business);
  if (!link || link.channel.channelId !== reaction.channelId) return say({ kind: "channel-unlinked" });
  const refused = await admitStaff(ctx, link, reaction.author, "reaction");
  if (refused) return refused.reply;
  // Added wins over removed when both come in one activity (a change from one emoji to another).
  const emoji = reaction.added.at(-1) ?? "";
  try {
    await ctx.pacer.send(conversation.business, conversation.contact, () =>
      ctx.whatsapp.sendReaction({ business: conversation.business, to, target: target.wamid, emoji }),
    );
    // Who reacted is recorded with what was sent (the gate admitted them, so the object id is known).
    ctx.logger.info("teams.reaction.sent", {
      business: conversation.business,
      contact: maskId(conversation.contact),
      removed: emoji === "",
      user: reaction.author.aadObjectId ?? "unknown",
    });
    return undefined;
  } catch (err) {
    ctx.logger.warn("teams.reaction.failed", { business: conversation.business, contact: maskId(conversation.contact), error: describeError(err) });
    return say({ kind: "reaction-not-sent", ...(err instanceof BridgeError ? { why: err.userMessage } : {}) });
  }
}

/** Messages remembered as told at most (the oldest is forgotten first): the note may then come twice, harmlessly. */
export const MAX_CHANGES_TOLD = 10_000;

/**
 * A staff member edited or deleted a reply that was sent to WhatsApp: say, once per message and
 * briefly, that the customer keeps what was delivered. `told` remembers the messages already answered
 * (in memory: after a restart the note may be repeated once, which is harmless).
 */
export async function onStaffMessageChange(ctx: BridgeContext, change: StaffMessageChange, told: Set<string>): Promise<StaffReply | undefined> {
  const sent = await ctx.stores.messages.byTeamsMessage(change.thread, change.messageId);
  if (!sent || sent.direction !== "outbound") return undefined;
  const key = `${change.thread}|${change.messageId}`;
  if (told.has(key)) return undefined;
  told.add(key);
  if (told.size > MAX_CHANGES_TOLD) told.delete(told.values().next().value!);
  return say({ kind: "edit-not-forwarded", change: change.change });
}
