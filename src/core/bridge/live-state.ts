import { describeError } from "../errors";
import { maskId } from "../ids";
import type { ChannelLink, Conversation } from "../model";
import type { ConversationLiveState, RootCardModel } from "../ports/teams-gateway";
import { ticksOf } from "../rules/delivery-state";
import { serviceWindow } from "../rules/service-window";
import type { BridgeDeps } from "./deps";

/** The live state the root card shows for `conversation` at `now`. */
export function liveStateOf(conversation: Conversation, now: number): ConversationLiveState {
  const window = serviceWindow(conversation.lastInboundAt, now);
  const last = conversation.lastOutbound;
  return {
    window: window.open ? { open: true, closesAt: window.closesAt } : { open: false },
    ...(last ? { lastOutbound: { ticks: ticksOf(last.state), at: last.at, excerpt: last.excerpt } } : {}),
    optedOut: conversation.optedOut ?? false,
  };
}

/** The root card of a conversation as it should look now. */
export function rootCardOf(conversation: Conversation, link: ChannelLink, now: number): RootCardModel {
  return {
    ...(conversation.profileName ? { customerName: conversation.profileName } : {}),
    ...(conversation.phone ? { phone: `+${conversation.phone}` } : {}),
    ...(conversation.username ? { username: conversation.username } : {}),
    ...(link.displayNumber ? { businessDisplay: link.displayNumber } : {}),
    firstMessage: conversation.firstMessage ?? "",
    startedAt: conversation.createdAt,
    live: liveStateOf(conversation, now),
    ref: conversation.contact,
  };
}

/**
 * Updates the root card in place with the conversation's current state. Best effort: the card is a view,
 * the thread's messages are the record, so a failure is logged and never fails the event being handled.
 */
export async function refreshRootCard(deps: BridgeDeps, conversation: Conversation | undefined, link: ChannelLink | undefined): Promise<void> {
  if (!conversation?.thread || !conversation.rootMessageId || !link || link.channel.channelId !== conversation.channelId) return;
  try {
    await deps.teams.updateRootCard(link.channel, conversation.thread, conversation.rootMessageId, rootCardOf(conversation, link, deps.clock.now()));
  } catch (err) {
    deps.logger.warn("teams.root_card.update_failed", { contact: maskId(conversation.contact), error: describeError(err) });
  }
}
