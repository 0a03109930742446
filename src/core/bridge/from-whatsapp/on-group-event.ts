import { groupKeyOf, groupRequestKeyOf, maskId, type GroupKey, type TeamsThreadRef } from "../../ids";
import type { GroupChange, GroupEvent, InboundMessage } from "../../messages";
import type { ChannelLink, Conversation, GroupInfo, InboxEntry } from "../../model";
import type { LaneResult } from "../scheduling/contact-lanes";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import type { BridgeContext } from "../context";
import { refreshRootCard } from "../thread-view/live-state";
import { groupChangeLine } from "../thread-view/record-lines";
import { nameOf } from "../thread-view/thread-text";
import { ensureThread } from "./thread-start";
import { groupThreadSubject, refreshedGroupInfo } from "./thread-subjects";

/** What the group looks like after `change`, from what was known (counts move by the participants named). */
function applyChange(group: GroupInfo, change: GroupChange): GroupInfo {
  const count = group.participantCount;
  switch (change.kind) {
    case "created":
      return { ...group, ...(change.subject ? { subject: change.subject } : {}), ...(change.inviteLink ? { inviteLink: change.inviteLink } : {}) };
    case "deleted":
      return { ...group, deleted: true };
    case "joined":
      return count === undefined ? group : { ...group, participantCount: count + change.participants.length };
    case "removed":
    case "left":
      return count === undefined ? group : { ...group, participantCount: Math.max(0, count - change.participants.length) };
    case "settings":
      return change.subject !== undefined ? { ...group, subject: change.subject } : group;
    case "suspended":
      return { ...group, suspended: true };
    case "unsuspended":
      return { ...group, suspended: false };
    default:
      return group;
  }
}

/** Changes after which WhatsApp's own count and subject are read again (ours may have drifted). */
const REFRESHES: ReadonlySet<GroupChange["kind"]> = new Set(["joined", "removed", "left", "settings"]);

/**
 * Handles a change to a WhatsApp group (use case `onWhatsAppEvent`, group branch). The group's thread
 * gets a plain-text line saying what happened and its root card is updated in place (subject,
 * participants, suspension). A group the bridge has not seen gets its thread now; a group asked for from
 * Teams continues in the thread `group create` started. Unknown kinds are shown as unsupported.
 */
export async function onGroupEvent(ctx: BridgeContext, entry: InboxEntry, event: GroupEvent): Promise<LaneResult> {
  const { stores, logger } = ctx;
  const link = await stores.links.get(event.business);
  if (!link) {
    logger.warn("whatsapp.group.unrouted", { business: event.business });
    await stores.inbox.setState(event.business, entry.key, "unrouted", "business number not linked to a channel");
    return "done";
  }
  const requested =
    "requestId" in event.change && event.change.requestId
      ? await stores.conversations.get(groupRequestKeyOf(event.business, event.change.requestId))
      : undefined;
  const key = event.group ? groupKeyOf(event.business, event.group) : (requested?.contact as GroupKey | undefined);
  if (!key) {
    // No group and no request to attach it to: kept in the inbox and the journal, said in the log.
    logger.error("whatsapp.group.event_without_group", { business: event.business, kind: event.change.kind });
    await stores.inbox.setState(event.business, entry.key, "done", `group event without a group: ${event.change.kind}`);
    return "done";
  }
  const conversation = await groupConversation(ctx, link, key, event, requested);
  if (!conversation) return "retry";
  await withRetry(
    () => ctx.teams.postInThread(link.channel, conversation.thread!, { kind: "notice", notice: { kind: "group-changed", change: event.change } }),
    BACKGROUND_RETRY,
    ctx,
  );
  let group = applyChange(conversation.group ?? { ...(event.group ? { id: event.group } : {}) }, event.change);
  if (REFRESHES.has(event.change.kind)) group = await refreshedGroupInfo(ctx, event.business, group);
  await stores.conversations.update(conversation.contact, { group });
  await refreshRootCard(ctx, { ...conversation, group }, link);
  await stores.inbox.setState(event.business, entry.key, "done", `group ${event.change.kind}`);
  logger.info("whatsapp.group.event", { business: event.business, group: maskId(key), kind: event.change.kind });
  return "done";
}

/**
 * The group's conversation, with its thread: the one `group create` started (its key now names the
 * group too), the one the group already has, or a new one. Undefined while another worker holds it.
 */
async function groupConversation(
  ctx: BridgeContext,
  link: ChannelLink,
  key: GroupKey,
  event: GroupEvent,
  requested: Conversation | undefined,
): Promise<Conversation | undefined> {
  const { stores } = ctx;
  if (requested?.state === "active" && requested.contact !== key && event.group) {
    const existing = await stores.conversations.get(key);
    if (existing?.state === "active") return existing;
    const group: GroupInfo = { ...requested.group, id: event.group };
    const reserved = await stores.conversations.reserve({ ...requested, contact: key, state: "creating", group });
    if (!reserved.created && reserved.existing.state === "active") return reserved.existing;
    const place = { channelId: requested.channelId!, thread: requested.thread!, rootMessageId: requested.rootMessageId! };
    const conversation = await stores.conversations.activate(key, place);
    // The request's row keeps pointing at the thread, now knowing its group (replies use the group's key).
    await stores.conversations.update(requested.contact, { group });
    return { ...conversation, group };
  }
  const ensured = await ensureThread(
    ctx,
    link,
    groupThreadSubject(ctx, link, key, { ...(event.group ? { id: event.group } : {}) }, groupChangeLine(event.change)),
  );
  return ensured?.conversation;
}

/**
 * A participant wrote a STOP/START keyword in a group: opting out is a person's choice about messages to
 * them, which a group cannot honour for one member, so nothing is changed and the thread says why.
 */
export async function explainGroupConsent(
  ctx: BridgeContext,
  link: ChannelLink,
  thread: TeamsThreadRef,
  message: InboundMessage,
  change: "stop" | "start",
): Promise<void> {
  const word = message.content.kind === "text" ? message.content.raw.trim() : "";
  const notice = { kind: "group-consent-ignored" as const, change, author: nameOf(message), word };
  await withRetry(() => ctx.teams.postInThread(link.channel, thread, { kind: "notice", notice }), BACKGROUND_RETRY, ctx);
}
