import type { TeamsRefusal } from "../../errors";
import { maskId } from "../../ids";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import type { BridgeDeps } from "../context";
import { rootCardOf } from "../thread-view/live-state";

/**
 * Teams said a conversation's thread is gone (its root message or the thread was deleted): the
 * conversation continues in a new thread whose root card says the earlier one is gone, and the event
 * that hit the refusal is then posted there (the caller retries it). Returns false when there is nothing
 * to replace: no conversation has that thread (any more; it may have been replaced already). Does I/O.
 */
export async function replaceGoneThread(ctx: BridgeDeps, refusal: TeamsRefusal): Promise<boolean> {
  if (!refusal.thread) return false;
  const conversation = await ctx.stores.conversations.findByThread(refusal.thread);
  if (!conversation || conversation.thread !== refusal.thread) return false;
  const link = await ctx.stores.links.get(conversation.business);
  if (!link || link.channel.channelId !== conversation.channelId) return false;
  const now = ctx.clock.now();
  const replaced = { ...conversation, earlierThreadGoneAt: now };
  const started = await withRetry(() => ctx.teams.startThread(link.channel, rootCardOf(replaced, link, now)), BACKGROUND_RETRY, ctx);
  await ctx.stores.conversations.update(conversation.contact, { earlierThreadGoneAt: now });
  await ctx.stores.conversations.activate(conversation.contact, { channelId: link.channel.channelId, ...started });
  ctx.logger.warn("teams.thread.replaced", { business: conversation.business, contact: maskId(conversation.contact), why: refusal.code });
  return true;
}
