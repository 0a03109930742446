import type { TeamsRefusal } from "../errors";
import { maskId } from "../ids";
import { BACKGROUND_RETRY, withRetry } from "../retry";
import type { BridgeDeps } from "./deps";
import { rootCardOf } from "./live-state";

/**
 * Teams said a conversation's thread is gone (its root message or the thread was deleted): the
 * conversation continues in a new thread whose root card says the earlier one is gone, and the event
 * that hit the refusal is then posted there (the caller retries it). Returns false when there is nothing
 * to replace: no conversation has that thread (any more; it may have been replaced already). Does I/O.
 */
export async function replaceGoneThread(deps: BridgeDeps, refusal: TeamsRefusal): Promise<boolean> {
  if (!refusal.thread) return false;
  const conversation = await deps.stores.conversations.findByThread(refusal.thread);
  if (!conversation || conversation.thread !== refusal.thread) return false;
  const link = await deps.stores.links.get(conversation.business);
  if (!link || link.channel.channelId !== conversation.channelId) return false;
  const now = deps.clock.now();
  const replaced = { ...conversation, earlierThreadGoneAt: now };
  const started = await withRetry(() => deps.teams.startThread(link.channel, rootCardOf(replaced, link, now)), BACKGROUND_RETRY, deps.clock);
  await deps.stores.conversations.update(conversation.contact, { earlierThreadGoneAt: now });
  await deps.stores.conversations.activate(conversation.contact, { channelId: link.channel.channelId, ...started });
  deps.logger.warn("teams.thread.replaced", { business: conversation.business, contact: maskId(conversation.contact), why: refusal.code });
  return true;
}
