import { describeError } from "../../errors";
import { maskId } from "../../ids";
import type { ChannelLink, Conversation, GroupInfo, LastOutbound } from "../../model";
import type { ConversationLiveState, RootCardModel } from "../../ports/teams-gateway";
import { ticksOf } from "../../rules/delivery-state";
import { serviceWindow } from "../../rules/service-window";
import type { BridgeDeps } from "../context";

/** The live state the root card shows for `conversation` at `now`. */
export function liveStateOf(conversation: Conversation, now: number): ConversationLiveState {
  const window = serviceWindow(conversation.lastInboundAt, now);
  const last = conversation.lastOutbound;
  return {
    window: window.open ? { open: true, closesAt: window.closesAt } : { open: false },
    ...(last ? { lastOutbound: { ticks: lastOutboundTicks(last), at: last.at, excerpt: last.excerpt } } : {}),
    optedOut: conversation.optedOut ?? false,
  };
}

/** Ticks of the last outbound message; for a group, how many participants it reached and how many read it. */
function lastOutboundTicks(last: LastOutbound): string {
  if (last.read === undefined && last.delivered === undefined) return ticksOf(last.state);
  if (last.state === "failed") return ticksOf(last.state);
  const read = last.read ?? 0;
  const delivered = Math.max(last.delivered ?? 0, read);
  return read > 0 ? `✓✓ read by ${read} (delivered to ${delivered})` : `✓✓ delivered to ${delivered}`;
}

/** What the root card shows of a group. */
export function groupCardOf(group: GroupInfo): NonNullable<RootCardModel["group"]> {
  return {
    ...(group.subject ? { subject: group.subject } : {}),
    ...(group.participantCount !== undefined ? { participantCount: group.participantCount } : {}),
    ...(group.suspended ? { suspended: true } : {}),
    ...(group.deleted ? { deleted: true } : {}),
  };
}

/** The root card of a conversation as it should look now. */
export function rootCardOf(conversation: Conversation, link: ChannelLink, now: number): RootCardModel {
  const who = conversation.group
    ? { group: groupCardOf(conversation.group) }
    : {
        ...(conversation.profileName ? { customerName: conversation.profileName } : {}),
        ...(conversation.phone ? { phone: `+${conversation.phone}` } : {}),
        ...(conversation.username ? { username: conversation.username } : {}),
      };
  return {
    ...who,
    ...(link.displayNumber ? { businessDisplay: link.displayNumber } : {}),
    firstMessage: conversation.firstMessage ?? "",
    startedAt: conversation.createdAt,
    live: liveStateOf(conversation, now),
    ref: conversation.contact,
    ...(conversation.earlierThreadGoneAt ? { earlierThreadGone: true } : {}),
  };
}

/**
 * Updates the root card in place with the conversation's current state. Best effort: the card is a view,
 * the thread's messages are the record, so a failure is logged and never fails the event being handled.
 */
export async function refreshRootCard(ctx: BridgeDeps, conversation: Conversation | undefined, link: ChannelLink | undefined): Promise<void> {
  if (!conversation?.thread || !conversation.rootMessageId || !link || link.channel.channelId !== conversation.channelId) return;
  try {
    await ctx.teams.updateRootCard(link.channel, conversation.thread, conversation.rootMessageId, rootCardOf(conversation, link, ctx.clock.now()));
  } catch (err) {
    ctx.logger.warn("teams.root_card.update_failed", { contact: maskId(conversation.contact), error: describeError(err) });
  }
}
