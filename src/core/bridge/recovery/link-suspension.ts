import { describeError, type TeamsRefusal } from "../../errors";
import { maskId } from "../../ids";
import type { ChannelLink, InboxEntry } from "../../model";
import type { BridgeContext, BridgeDeps } from "../context";
import { noteLinkGap } from "./gap-notes";

/**
 * When Teams refuses the bot in a channel's team (the app was removed, the team or channel is gone), the
 * link is suspended, not the messages: each event of that number waits in the inbox (`held`), in order,
 * and nothing is marked failed. The app being added back (Teams says so) or a periodic probe resumes it.
 */

/**
 * Marks `link` suspended (once) and says so where it can: the log at error level, the counters, and the
 * compliance channel (the record of the number has a gap).
 */
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
  // The Teams record of this number has a gap from now: the compliance channel is told (never throws).
  await noteLinkGap(ctx, suspended, { kind: "suspended", since: suspended.suspended!.since, reason: refusal.userMessage });
  return suspended;
}

const HELD = "channel link suspended: Teams refuses the bot there";

/** Leaves an event waiting for its suspended link (`held`): it is delivered when the link resumes. */
export async function holdEntry(ctx: BridgeContext, entry: InboxEntry): Promise<"done"> {
  // A post in flight may have reached Teams: on resume its thread is checked first (interruptedPost).
  await ctx.stores.inbox.setState(entry.business, entry.key, "held", HELD, entry.state === "posting" ? { interruptedPost: true } : {});
  ctx.linkSuspended?.();
  return "done";
}

/** The state a held event goes back to when its link resumes (an interrupted post is checked first). */
export function stateAfterHold(entry: InboxEntry): "pending" | "posting" {
  return entry.interruptedPost ? "posting" : "pending";
}
