import { describeError } from "../../errors";
import { maskId, type ConversationKey, type TeamsThreadRef, type WaMessageId } from "../../ids";
import type { ChannelLink } from "../../model";
import type { Logger } from "../../ports/logger";
import type { PostLookup, RootLookup, ThreadHistory } from "../../ports/thread-history";

/**
 * Decides how to resume a customer post found in `posting` after a crash (docs/reliability.md, "The crash window",
 * row 11): Teams may have accepted it before the bridge could record its id, and the Bot Connector has
 * no idempotency key. So the thread is read first:
 * - `found`: the post is there; record its id, post nothing, flag nothing;
 * - `absent`: the whole thread was read and it is not there; post it, nothing to flag;
 * - `unknown` (no thread history configured, a link made without the team's group id, Graph failing):
 *   post again and flag the possible duplicate, as without this check.
 * Called only for entries resumed from `posting`: the normal path never reads the thread.
 */
export async function lookUpCutShortPost(
  ctx: { readonly threadHistory?: ThreadHistory; readonly logger: Logger },
  link: ChannelLink,
  thread: TeamsThreadRef,
  wamid: WaMessageId,
): Promise<PostLookup> {
  const lookup = await lookUp(ctx.threadHistory, link, thread, wamid);
  const fields = { business: link.business, key: maskId(wamid), outcome: lookup.kind };
  if (lookup.kind === "unknown") ctx.logger.warn("teams.post.recovery", { ...fields, why: lookup.why });
  else ctx.logger.info("teams.post.recovery", fields);
  return lookup;
}

async function lookUp(history: ThreadHistory | undefined, link: ChannelLink, thread: TeamsThreadRef, wamid: WaMessageId): Promise<PostLookup> {
  if (!history) return { kind: "unknown", why: "no thread history configured" };
  if (!link.teamGroupId) return { kind: "unknown", why: "the link has no team group id (link the channel again to record it)" };
  try {
    return await history.findPost({ channel: link.channel, teamGroupId: link.teamGroupId, thread }, wamid);
  } catch (err) {
    // The port promises not to throw; should one throw anyway, the safe answer is still "cannot tell".
    return { kind: "unknown", why: describeError(err) };
  }
}

/**
 * The same for a thread start cut short: the contact's conversation was reserved (`creating`) at
 * `since` and never activated, so Teams may or may not hold a root card for it. Found: that thread is
 * the contact's (no second thread). Absent: start one, nothing to say. Unknown: start one and say in it
 * that an empty thread may exist above.
 */
export async function lookUpCutShortThread(
  ctx: { readonly threadHistory?: ThreadHistory; readonly logger: Logger },
  link: ChannelLink,
  contact: ConversationKey,
  since: number,
): Promise<RootLookup> {
  let lookup: RootLookup;
  if (!ctx.threadHistory) lookup = { kind: "unknown", why: "no thread history configured" };
  else if (!link.teamGroupId) lookup = { kind: "unknown", why: "the link has no team group id (link the channel again to record it)" };
  else {
    try {
      lookup = await ctx.threadHistory.findThreadRoot({ channel: link.channel, teamGroupId: link.teamGroupId }, contact, since);
    } catch (err) {
      lookup = { kind: "unknown", why: describeError(err) };
    }
  }
  const fields = { business: link.business, contact: maskId(contact), outcome: lookup.kind };
  if (lookup.kind === "unknown") ctx.logger.warn("teams.thread.recovery", { ...fields, why: lookup.why });
  else ctx.logger.info("teams.thread.recovery", fields);
  return lookup;
}
