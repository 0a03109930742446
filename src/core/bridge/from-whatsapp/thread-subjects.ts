import { describeError } from "../../errors";
import { maskId, type BusinessNumberId, type GroupKey } from "../../ids";
import { conversationKeyOf, type InboundMessage } from "../../messages";
import type { ChannelLink, Conversation, GroupInfo } from "../../model";
import { serviceWindow } from "../../rules/service-window";
import type { BridgeContext, BridgeDeps } from "../context";
import { rootCardOf } from "../thread-view/live-state";
import { toRootCard } from "./render-inbound";
import type { ThreadSubject } from "./thread-start";

/**
 * What WhatsApp says of a group now (subject, participant count), over what the bridge knew. The group's
 * thread is the record either way, so when WhatsApp cannot say, what was known is kept. Never throws.
 */
export async function refreshedGroupInfo(ctx: Pick<BridgeContext, "whatsapp" | "logger">, business: BusinessNumberId, known: GroupInfo): Promise<GroupInfo> {
  if (!known.id) return known;
  try {
    const details = await ctx.whatsapp.groupDetails({ business, group: known.id });
    return {
      ...known,
      ...(details.subject ? { subject: details.subject } : {}),
      ...(details.participantCount !== undefined ? { participantCount: details.participantCount } : {}),
    };
  } catch (err) {
    ctx.logger.warn("whatsapp.group.details_failed", { business, group: maskId(known.id), error: describeError(err) });
    return known;
  }
}

/** The conversation of a message, as a thread subject: the group's when it was written in a group, else the sender's. */
export function messageThreadSubject(ctx: BridgeContext, link: ChannelLink, message: InboundMessage): ThreadSubject {
  const contact = message.contact;
  const key = conversationKeyOf(message);
  return {
    key,
    reservation: async (): Promise<Conversation> => {
      const base = {
        contact: key,
        business: message.business,
        state: "creating" as const,
        firstMessage: toRootCard(message).firstMessage,
        createdAt: ctx.clock.now(),
      };
      if (message.group) return { ...base, group: await refreshedGroupInfo(ctx, message.business, { id: message.group }) };
      return {
        ...base,
        ...(contact.userId ? { userId: contact.userId } : {}),
        ...(contact.phone ? { phone: contact.phone } : {}),
        ...(contact.profileName ? { profileName: contact.profileName } : {}),
        ...(contact.username ? { username: contact.username } : {}),
      };
    },
    rootCard: (conversation) => {
      const window = serviceWindow(message.timestamp * 1000, ctx.clock.now());
      const live = { window: window.open ? { open: true, closesAt: window.closesAt } : { open: false }, optedOut: false };
      return { ...toRootCard(message, link.displayNumber, conversation.group), live };
    },
  };
}

/**
 * A group's conversation known only from a group event (created from Teams, or a participant joined
 * before anyone wrote): the thread starts with the group's card, `firstLine` saying how it began.
 */
export function groupThreadSubject(ctx: BridgeDeps, link: ChannelLink, key: GroupKey, group: GroupInfo, firstLine: string): ThreadSubject {
  const business = link.business;
  return {
    key,
    reservation: async () => ({
      contact: key,
      business,
      state: "creating",
      firstMessage: firstLine,
      createdAt: ctx.clock.now(),
      group: await refreshedGroupInfo(ctx, business, group),
    }),
    rootCard: (conversation) => rootCardOf(conversation, link, ctx.clock.now()),
  };
}
