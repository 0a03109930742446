import type { AadObjectId, TeamsMessageId, TeamsThreadRef, WaMessageId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { BridgeContext } from "../context";
import { refreshRootCard } from "../thread-view/live-state";

/**
 * Records what the business sent: each wamid mapped to the Teams message that shows it (state `accepted`,
 * moved forward by status webhooks), the last one as the conversation's last outbound message, and the
 * root card refreshed when the link is given. Every send path records through here.
 */
export async function recordOutbound(
  ctx: BridgeContext,
  sent: {
    conversation: Conversation;
    thread: TeamsThreadRef;
    teamsMessageId: TeamsMessageId;
    wamids: readonly WaMessageId[];
    excerpt: string;
    author?: AadObjectId;
  },
  link?: ChannelLink,
): Promise<Conversation> {
  const { conversation } = sent;
  const at = ctx.clock.now();
  for (const wamid of sent.wamids) {
    await ctx.stores.messages.put({
      business: conversation.business,
      wamid,
      thread: sent.thread,
      teamsMessageId: sent.teamsMessageId,
      contact: conversation.contact,
      direction: "outbound",
      at,
      state: "accepted",
      excerpt: sent.excerpt,
      ...(sent.author ? { author: sent.author } : {}),
    });
  }
  const last = sent.wamids.at(-1);
  if (!last) return conversation;
  const lastOutbound = { wamid: last, state: "accepted" as const, at, excerpt: sent.excerpt };
  await ctx.stores.conversations.update(conversation.contact, { lastOutbound });
  const updated = { ...conversation, lastOutbound };
  if (link) await refreshRootCard(ctx, updated, link);
  return updated;
}
