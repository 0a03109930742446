import { describeError, type TeamsRefusal } from "../errors";
import { maskId } from "../ids";
import { DUPLICATE_SUSPECTED, type ChannelLink, type InboxEntry } from "../model";
import type { BridgeContext, BridgeDeps } from "./deps";

/**
 * When Teams refuses the bot in a channel's team (the app was removed, the team or channel is gone), the
 * link is suspended, not the messages: each event of that number waits in the inbox (`held`), in order,
 * and nothing is marked failed. The app being added back (Teams says so) or a periodic probe resumes it.
 */

/** Marks `link` suspended (once) and says so where it can: the log at error level, and the counters. */
export async function suspendLink(ctx: BridgeDeps, link: ChannelLink, refusal: TeamsRefusal): Promise<ChannelLink> {
  const current = await ctx.stores.links.get(link.business);
  if (!current) return link;
  if (current.suspended) return current;
  const suspended: ChannelLink = { ...current, suspended: { since: ctx.clock.now(), reason: refusal.userMessage } };
  await ctx.stores.links.put(suspended);
  ctx.logger.error("teams.link.suspended", {
    business: link.business,
    channel: link.channel.channelName ?? maskId(link.channel.channelId),
    reason: describeError(refusal),
    note: "Teams refuses the bot in this channel's team: its WhatsApp messages wait, in order, until the app is added back",
  });
  return suspended;
}

const HELD = "channel link suspended: Teams refuses the bot there";
/** Held while its post's outcome was unknown: on resume its thread is checked first, as after a crash. */
const HELD_WHILE_POSTING = `${HELD} (while posting)`;
const HELD_WHILE_POSTING_FLAGGED = `${HELD_WHILE_POSTING}, ${DUPLICATE_SUSPECTED}`;

/** Leaves an event waiting for its suspended link (`held`): it is delivered when the link resumes. */
export async function holdEntry(ctx: BridgeContext, entry: InboxEntry): Promise<"done"> {
  const detail = entry.state !== "posting" ? HELD : entry.detail === DUPLICATE_SUSPECTED ? HELD_WHILE_POSTING_FLAGGED : HELD_WHILE_POSTING;
  await ctx.stores.inbox.setState(entry.business, entry.key, "held", detail);
  ctx.linkSuspended?.();
  return "done";
}

/** The state a held event goes back to when its link resumes (an interrupted post is checked first). */
export function stateAfterHold(entry: InboxEntry): { state: "pending" | "posting"; detail?: string } {
  if (entry.detail === HELD_WHILE_POSTING_FLAGGED) return { state: "posting", detail: DUPLICATE_SUSPECTED };
  return entry.detail === HELD_WHILE_POSTING ? { state: "posting" } : { state: "pending" };
}

/** The sentence `status` and the readiness report use for a suspended link. */
export function suspensionText(link: ChannelLink, now: number): string | undefined {
  if (!link.suspended) return undefined;
  const minutes = Math.max(0, Math.round((now - link.suspended.since) / 60_000));
  return `suspended for ${minutes} min: ${link.suspended.reason} Messages wait and are posted, in order, once the app is back in the team.`;
}
