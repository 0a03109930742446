import type { Activity, Attachment, Entity } from "botbuilder";
import { paragraph, toPlainText } from "../core/formatted-text";
import { AadObjectId, parseThreadRef, TeamsGroupId, TeamsMessageId, TeamsTeamId, TeamsUserId, TenantId } from "../core/ids";
import type { OtherMention } from "../core/rules/reply-routing";
import type { ChannelKind, StaffAuthor, StaffMessage } from "../core/staff-message";
import { parseTeamsHtml, type MentionPolicy } from "./html/teams-html-parser";
import { isInlineImage } from "./inline-images";

const HTML_CONTENT_TYPE = "text/html";

/** The tenant of an activity: `channelData.tenant.id`, else `conversation.tenantId` (docs/protocols.md B2). */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  if (typeof fromChannelData === "string" && fromChannelData) return fromChannelData;
  const fromConversation = activity.conversation?.tenantId;
  return typeof fromConversation === "string" && fromConversation ? fromConversation : undefined;
}

/** Who sent the activity: Entra object id and Teams user id when given, and a display name. */
export function authorOf(activity: Partial<Activity>): StaffAuthor {
  const aadObjectId = activity.from?.aadObjectId;
  const id = activity.from?.id;
  return {
    ...(aadObjectId ? { aadObjectId: AadObjectId(aadObjectId) } : {}),
    ...(id ? { id: TeamsUserId(id) } : {}),
    name: activity.from?.name?.trim() || "Unknown",
  };
}

/** The channel's type when the activity says it (`channelData.channel.type`); undefined for other words. */
function channelTypeOf(channelData: { channel?: { type?: unknown } } | undefined): ChannelKind | undefined {
  const type = channelData?.channel?.type;
  return type === "standard" || type === "private" || type === "shared" ? type : undefined;
}

/** True when the activity was sent by the bot itself (Teams echoes nothing, but RSC can show own posts). */
export function isFromBot(activity: Partial<Activity>): boolean {
  return !!activity.from?.id && activity.from.id === activity.recipient?.id;
}

/** True for activities in a team channel (as opposed to personal or group chats). */
export function isChannelActivity(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  if (type) return type === "channel";
  return !!(activity.channelData as { channel?: { id?: unknown } } | undefined)?.channel?.id;
}

interface MentionEntity {
  readonly type: "mention";
  readonly mentioned?: { readonly id?: string; readonly name?: string; readonly type?: string };
  readonly text?: string;
}

function mentionEntities(activity: Partial<Activity>): MentionEntity[] {
  return (activity.entities ?? []).filter((e: Entity): e is Entity & MentionEntity => e?.type === "mention");
}

function stripAtTags(text: string): string {
  return text
    .replace(/<\/?at[^>]*>/gi, "")
    .replace(/\u00a0/g, " ")
    .trim();
}

/**
 * Which `<at>` elements name the bot: by the mention entities (the trusted source, docs/protocols.md B7), by
 * their position (`<at id="N">` counts the mentions in order) and, as a fallback, by the bot's name.
 */
function botMentionPolicy(activity: Partial<Activity>): MentionPolicy {
  const botId = activity.recipient?.id;
  const mentions = mentionEntities(activity);
  const botNames = new Set<string>();
  for (const m of mentions) {
    if (botId && m.mentioned?.id === botId) {
      if (m.text) botNames.add(stripAtTags(m.text));
      if (m.mentioned.name) botNames.add(m.mentioned.name.trim());
    }
  }
  if (activity.recipient?.name) botNames.add(activity.recipient.name.trim());
  return {
    isBotMention(name, id) {
      if (id !== undefined && /^\d+$/.test(id)) {
        const byIndex = mentions[Number(id)];
        if (byIndex && byIndex.mentioned?.id !== undefined && stripAtTags(byIndex.text ?? "") === name) return byIndex.mentioned.id === botId;
      }
      return botNames.has(name);
    },
  };
}

/**
 * Everyone and everything the message @mentions besides the bot: people, tags (`mentioned.type` is
 * `tag`), channels and the team (their ids are conversation ids, `19:…`; the team's is its General
 * channel's). A reply with any of them is talk between colleagues, which stays in Teams.
 */
export function otherMentions(activity: Partial<Activity>): OtherMention[] {
  const botId = activity.recipient?.id;
  const teamId = (activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
  return mentionEntities(activity)
    .filter((m) => !botId || m.mentioned?.id !== botId)
    .map((m): OtherMention => {
      const id = m.mentioned?.id ?? "";
      const name = (m.mentioned?.name ?? stripAtTags(m.text ?? "")).trim() || "someone";
      if (m.mentioned?.type?.toLowerCase() === "tag") return { kind: "tag", name };
      if (id.startsWith("19:")) return { kind: id === teamId ? "team" : "channel", name };
      return { kind: "person", name };
    });
}

function htmlAttachment(activity: Partial<Activity>): Attachment | undefined {
  return (activity.attachments ?? []).find((a) => a?.contentType === HTML_CONTENT_TYPE && typeof a.content === "string");
}

/**
 * Maps a Teams channel message activity to a StaffMessage. Pure. Returns undefined when the activity is
 * not a channel message the core can act on (no thread in the conversation id, no tenant, no id).
 * The thread comes from `conversation.id` (`<channel>;messageid=<root>`), never from `replyToId`
 * (docs/protocols.md B2). The body is the `text/html` attachment when present (richer than `text`, docs/protocols.md B8),
 * else `text`; mentions of the bot and a leading quoted reply (docs/protocols.md B8a) are removed.
 */
export function mapStaffMessage(activity: Partial<Activity>): StaffMessage | undefined {
  const parsed = parseThreadRef(activity.conversation?.id ?? "");
  const tenant = tenantOf(activity);
  if (!parsed || !tenant || !activity.id || !activity.serviceUrl) return undefined;
  const html = htmlAttachment(activity);
  const source = typeof html?.content === "string" ? html.content : (activity.text ?? "");
  const parsedHtml = source ? parseTeamsHtml(source, botMentionPolicy(activity)) : undefined;
  const body = parsedHtml?.body ?? paragraph("");
  const botId = activity.recipient?.id;
  const channelData = activity.channelData as { team?: { id?: unknown; aadGroupId?: unknown }; channel?: { name?: unknown; type?: unknown } } | undefined;
  const teamId = typeof channelData?.team?.id === "string" ? channelData.team.id : undefined;
  // Graph addresses a team by its group id (the thread check after a crash reads replies through Graph).
  const teamGroupId = typeof channelData?.team?.aadGroupId === "string" && channelData.team.aadGroupId ? channelData.team.aadGroupId : undefined;
  const channelName = typeof channelData?.channel?.name === "string" ? channelData.channel.name : undefined;
  const channelType = channelTypeOf(channelData);
  return {
    tenantId: TenantId(tenant),
    channelId: parsed.channel,
    ...(teamId ? { teamId: TeamsTeamId(teamId) } : {}),
    ...(teamGroupId ? { teamGroupId: TeamsGroupId(teamGroupId) } : {}),
    ...(channelName ? { channelName } : {}),
    ...(channelType ? { channelType } : {}),
    serviceUrl: activity.serviceUrl,
    thread: parsed.thread,
    isThreadRoot: parsed.root === activity.id,
    messageId: TeamsMessageId(activity.id),
    author: authorOf(activity),
    body,
    text: toPlainText(body),
    mentionsBot: !!botId && mentionEntities(activity).some((m) => m.mentioned?.id === botId),
    mentions: otherMentions(activity),
    // Pasted images are fetched by the turn (inline-images.ts); other attachments are files bots never get.
    attachmentCount: (activity.attachments ?? []).filter((a) => a !== html && a?.contentType !== HTML_CONTENT_TYPE && !isInlineImage(a)).length,
    ...(parsedHtml?.quotedMessageId ? { quotedMessageId: TeamsMessageId(parsedHtml.quotedMessageId) } : {}),
  };
}
