import { groupKeyOf, groupRequestKeyOf, maskId, type GroupKey, type TeamsThreadRef } from "../../ids";
import type { GroupChange, GroupEvent, GroupParticipant, InboundMessage } from "../../messages";
import type { ChannelLink, Conversation, GroupInfo, InboxEntry } from "../../model";
import type { LaneResult } from "../scheduling/contact-lanes";
import { BACKGROUND_RETRY, withRetry } from "../../retry";
import type { BridgeContext } from "../context";
import { refreshRootCard } from "../thread-view/live-state";
import { nameOf, personName } from "../thread-view/thread-text";
import { ensureThread } from "./thread-start";
import { groupThreadSubject, refreshedGroupInfo } from "./thread-subjects";

/** How a participant is named in a thread line: profile name (cleaned) and number or username. */
function participantName(p: GroupParticipant): string {
  const handle = p.phone ? `+${p.phone}` : p.username ? `@${p.username.replace(/^@/, "")}` : undefined;
  const name = personName({ ...(p.name ? { profileName: p.name } : {}), ...(p.phone ? { phone: p.phone } : {}), ...(p.username ? { username: p.username } : {}) });
  return handle && name !== handle ? `${name} (${handle})` : name;
}

function names(participants: readonly GroupParticipant[]): string {
  return participants.length === 0 ? "A participant" : participants.map(participantName).join(", ");
}

/** The plain-text line a group change leaves in the group's thread (the record Purview keeps). */
export function groupChangeLine(change: GroupChange): string {
  switch (change.kind) {
    case "created":
      return change.inviteLink
        ? `WhatsApp created the group${change.subject ? ` “${change.subject}”` : ""}. Invite link: ${change.inviteLink} (send it to the people who should join: WhatsApp does not let a business add members itself).`
        : `WhatsApp created the group${change.subject ? ` “${change.subject}”` : ""}.`;
    case "deleted": return "The WhatsApp group was deleted. Nothing more can be sent to it.";
    case "joined": return `${names(change.participants)} joined the group${change.via ? ` (${change.via.replace(/_/g, " ")})` : ""}.`;
    case "join-requested": return `${names(change.participants)} asked to join the group. Approve or reject the request in WhatsApp.`;
    case "join-request-withdrawn": return `${names(change.participants)} withdrew their request to join the group.`;
    case "removed": {
      const refused = change.notRemoved?.length ? ` WhatsApp did not remove ${names(change.notRemoved)}${change.problem ? `: ${change.problem}` : "."}` : "";
      return `${names(change.participants)} ${change.participants.length > 1 ? "were" : "was"} removed from the group.${refused}`;
    }
    case "left": return `${names(change.participants)} left the group.`;
    case "settings": {
      const parts = [
        change.subject !== undefined ? `the subject is now “${change.subject}”` : undefined,
        change.description !== undefined ? `the description is now “${change.description}”` : undefined,
        change.pictureChanged ? "the picture changed" : undefined,
      ].filter(Boolean);
      const problem = change.problem ? ` Not everything asked for was changed: ${change.problem}` : "";
      return `${parts.length ? `Group settings changed: ${parts.join("; ")}.` : "The group's settings changed."}${problem}`;
    }
    case "suspended": return "WhatsApp suspended this group: nothing can be sent to it until WhatsApp lifts the suspension.";
    case "unsuspended": return "WhatsApp lifted this group's suspension: messages can be sent to it again.";
    case "request-failed": return `WhatsApp refused to ${change.request.replace(/_/g, " ")}${change.subject ? ` (“${change.subject}”)` : ""}: ${change.error}`;
    case "unsupported": return `WhatsApp sent a group event this bridge does not know (field ${change.field}, type ${change.type}). It is recorded (the raw webhook is kept in the journal) but not shown here.`;
  }
}

/** What the group looks like after `change`, from what was known (counts move by the participants named). */
function applyChange(group: GroupInfo, change: GroupChange): GroupInfo {
  const count = group.participantCount;
  switch (change.kind) {
    case "created": return { ...group, ...(change.subject ? { subject: change.subject } : {}), ...(change.inviteLink ? { inviteLink: change.inviteLink } : {}) };
    case "deleted": return { ...group, deleted: true };
    case "joined": return count === undefined ? group : { ...group, participantCount: count + change.participants.length };
    case "removed":
    case "left": return count === undefined ? group : { ...group, participantCount: Math.max(0, count - change.participants.length) };
    case "settings": return change.subject !== undefined ? { ...group, subject: change.subject } : group;
    case "suspended": return { ...group, suspended: true };
    case "unsuspended": return { ...group, suspended: false };
    default: return group;
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
  const requested = "requestId" in event.change && event.change.requestId ? await stores.conversations.get(groupRequestKeyOf(event.business, event.change.requestId)) : undefined;
  const key = event.group ? groupKeyOf(event.business, event.group) : (requested?.contact as GroupKey | undefined);
  if (!key) {
    // No group and no request to attach it to: kept in the inbox and the journal, said in the log.
    logger.error("whatsapp.group.event_without_group", { business: event.business, kind: event.change.kind });
    await stores.inbox.setState(event.business, entry.key, "done", `group event without a group: ${event.change.kind}`);
    return "done";
  }
  const conversation = await groupConversation(ctx, link, key, event, requested);
  if (!conversation) return "retry";
  const line = groupChangeLine(event.change);
  await withRetry(() => ctx.teams.postInThread(link.channel, conversation.thread!, { kind: "notice", tone: toneOf(event.change), text: line }), BACKGROUND_RETRY, ctx.clock);
  let group = applyChange(conversation.group ?? { ...(event.group ? { id: event.group } : {}) }, event.change);
  if (REFRESHES.has(event.change.kind)) group = await refreshedGroupInfo(ctx, event.business, group);
  await stores.conversations.update(conversation.contact, { group });
  await refreshRootCard(ctx, { ...conversation, group }, link);
  await stores.inbox.setState(event.business, entry.key, "done", `group ${event.change.kind}`);
  logger.info("whatsapp.group.event", { business: event.business, group: maskId(key), kind: event.change.kind });
  return "done";
}

function toneOf(change: GroupChange): "info" | "warning" | "error" {
  if (change.kind === "request-failed" || change.kind === "suspended" || change.kind === "deleted") return "warning";
  return "info";
}

/**
 * The group's conversation, with its thread: the one `group create` started (its key now names the
 * group too), the one the group already has, or a new one. Undefined while another worker holds it.
 */
async function groupConversation(ctx: BridgeContext, link: ChannelLink, key: GroupKey, event: GroupEvent, requested: Conversation | undefined): Promise<Conversation | undefined> {
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
  const ensured = await ensureThread(ctx, link, groupThreadSubject(ctx, link, key, { ...(event.group ? { id: event.group } : {}) }, groupChangeLine(event.change)));
  return ensured?.conversation;
}

/**
 * A participant wrote a STOP/START keyword in a group: opting out is a person's choice about messages to
 * them, which a group cannot honour for one member, so nothing is changed and the thread says why.
 */
export async function explainGroupConsent(ctx: BridgeContext, link: ChannelLink, thread: TeamsThreadRef, message: InboundMessage, change: "stop" | "start"): Promise<void> {
  const raw = message.content.kind === "text" ? message.content.raw.trim() : "";
  const text = change === "stop"
    ? `${nameOf(message)} wrote “${raw}” in the group. Opting out does not apply to a WhatsApp group: a participant who wants no more messages leaves the group (or is removed from it). Nothing was changed.`
    : `${nameOf(message)} wrote “${raw}” in the group. Opting in does not apply to a WhatsApp group: nothing was changed.`;
  await withRetry(() => ctx.teams.postInThread(link.channel, thread, { kind: "notice", tone: "info", text }), BACKGROUND_RETRY, ctx.clock);
}
