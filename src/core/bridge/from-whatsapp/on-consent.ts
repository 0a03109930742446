import { contactKeyOf, maskId, type ConversationKey } from "../../ids";
import type { PreferenceEvent } from "../../messages";
import type { InboxEntry } from "../../model";
import type { LaneResult } from "../scheduling/contact-lanes";
import type { BridgeContext } from "../context";
import { refreshRootCard } from "../thread-view/live-state";

const NOTICE = {
  stop: "🚫 The customer opted out of business-initiated messages. Templates to them are refused; replies while a conversation they started is open are still allowed.",
  start: "✅ The customer opted back in to business-initiated messages.",
} as const;

/**
 * Records a customer's consent change (a STOP/START keyword, or WhatsApp's marketing-messages setting):
 * the conversation is marked, a notice is posted in its thread, and the root card shows it.
 * Returns false when the customer has no conversation yet (nothing to mark).
 */
export async function setConsent(ctx: BridgeContext, contact: ConversationKey, change: "stop" | "start", source: string): Promise<boolean> {
  const conversation = await ctx.stores.conversations.get(contact);
  if (!conversation || conversation.state !== "active") return false;
  const optedOut = change === "stop";
  if ((conversation.optedOut ?? false) === optedOut) return true;
  await ctx.stores.conversations.update(contact, { optedOut });
  ctx.logger.info("whatsapp.consent.changed", { contact: maskId(contact), optedOut, source });
  const link = await ctx.stores.links.get(conversation.business);
  if (link && conversation.thread && link.channel.channelId === conversation.channelId) {
    await ctx.teams.postInThread(link.channel, conversation.thread, { kind: "notice", tone: optedOut ? "warning" : "info", text: `${NOTICE[change]} (${source})` });
  }
  await refreshRootCard(ctx, { ...conversation, optedOut }, link);
  return true;
}

/** Handles WhatsApp's `user_preferences` webhook (marketing messages stopped or resumed). */
export async function onPreference(ctx: BridgeContext, entry: InboxEntry, event: PreferenceEvent): Promise<LaneResult> {
  const contact = contactKeyOf(event.business, event.contact);
  const known = await setConsent(ctx, contact, event.value === "stop" ? "stop" : "start", "WhatsApp marketing-messages setting");
  await ctx.stores.inbox.setState(event.business, entry.key, "done", known ? `consent ${event.value}` : "no conversation for this customer");
  return "done";
}
