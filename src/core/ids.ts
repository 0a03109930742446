/**
 * Branded identifiers. A raw `string` never crosses a port (docs/architecture.md, "Layout"): each id is made by
 * one of the constructors below, so a Teams message id can never be passed where a wamid is expected.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Meta's `phone_number_id` of a business number (digits). */
export type BusinessNumberId = Brand<string, "BusinessNumberId">;
/** WhatsApp message id (`wamid.…`), unique per business number. */
export type WaMessageId = Brand<string, "WaMessageId">;
/** Business-scoped user id (BSUID, e.g. `US.1349…`), present in webhooks since 2026-03-31. */
export type WaUserId = Brand<string, "WaUserId">;
/** The customer's phone number as WhatsApp gives it: digits without `+`. May be absent (usernames). */
export type WaPhone = Brand<string, "WaPhone">;
/** One customer of one business number: `<phone_number_id>|<BSUID or wa_id>` (docs/architecture.md, Identity). */
export type ContactKey = Brand<string, "ContactKey">;
/** A WhatsApp group made with the Groups API (Meta's opaque `group_id`). */
export type WaGroupId = Brand<string, "WaGroupId">;
/** Meta's id of a `group create` request, named again in the webhook announcing the group. */
export type GroupRequestId = Brand<string, "GroupRequestId">;
/** One WhatsApp group of one business number: `<phone_number_id>|group:<group_id>`. */
export type GroupKey = Brand<string, "GroupKey">;
/**
 * The key of a conversation, hence of its thread: one customer (`ContactKey`) or one group (`GroupKey`).
 * A group's conversation belongs to the group whoever wrote; a reply to it goes to the group.
 */
export type ConversationKey = ContactKey | GroupKey;
/** Teams tenant id (GUID). */
export type TenantId = Brand<string, "TenantId">;
/** Entra object id of a person. */
export type AadObjectId = Brand<string, "AadObjectId">;
/** A person's id in Teams conversations (`29:…`, the activity's `from.id`): what the Bot Connector roster is asked with. */
export type TeamsUserId = Brand<string, "TeamsUserId">;
/** An Entra (Azure AD) security or Microsoft 365 group that names who may send to customers (`BRIDGE_STAFF`). */
export type EntraGroupId = Brand<string, "EntraGroupId">;
/** Teams team id (the General channel's id). */
export type TeamsTeamId = Brand<string, "TeamsTeamId">;
/** The Microsoft 365 group id of a team (`channelData.team.aadGroupId`): what Microsoft Graph calls the team id. */
export type TeamsGroupId = Brand<string, "TeamsGroupId">;
/** Teams channel conversation id, e.g. `19:abc@thread.tacv2`. */
export type TeamsChannelId = Brand<string, "TeamsChannelId">;
/** Teams thread conversation id: `<channelId>;messageid=<rootMessageId>` (docs/architecture.md). */
export type TeamsThreadRef = Brand<string, "TeamsThreadRef">;
/** An approved message template of the WhatsApp Business Account: `<name>|<language>`. */
export type TemplateKey = Brand<string, "TemplateKey">;
/** Id of one message (activity) in Teams. */
export type TeamsMessageId = Brand<string, "TeamsMessageId">;
/** WhatsApp media id: from a webhook (valid 7 days) or from an upload (valid 30 days). */
export type WaMediaId = Brand<string, "WaMediaId">;

export const BusinessNumberId = (v: string) => v as BusinessNumberId;
export const WaMessageId = (v: string) => v as WaMessageId;
export const WaUserId = (v: string) => v as WaUserId;
export const WaPhone = (v: string) => v as WaPhone;
export const TenantId = (v: string) => v as TenantId;
export const AadObjectId = (v: string) => v as AadObjectId;
export const TeamsUserId = (v: string) => v as TeamsUserId;
export const EntraGroupId = (v: string) => v as EntraGroupId;
export const TeamsTeamId = (v: string) => v as TeamsTeamId;
export const TeamsGroupId = (v: string) => v as TeamsGroupId;
export const TeamsChannelId = (v: string) => v as TeamsChannelId;
export const TeamsMessageId = (v: string) => v as TeamsMessageId;
export const WaMediaId = (v: string) => v as WaMediaId;
export const WaGroupId = (v: string) => v as WaGroupId;
export const GroupRequestId = (v: string) => v as GroupRequestId;

/** Key of a contact: the BSUID when WhatsApp gives one (stable across usernames), else the wa_id. */
export function contactKeyOf(business: BusinessNumberId, who: { userId?: WaUserId; phone?: WaPhone }): ContactKey {
  const id = who.userId ?? who.phone;
  if (!id) throw new Error("a contact needs a BSUID or a wa_id");
  return `${business}|${id}` as ContactKey;
}

const GROUP_MARKER = "|group:";

/** Key of a group's conversation. The `group:` prefix keeps it apart from any BSUID or wa_id. */
export function groupKeyOf(business: BusinessNumberId, group: WaGroupId): GroupKey {
  return `${business}${GROUP_MARKER}${group}` as GroupKey;
}

const REQUEST_MARKER = "|group-request:";

/**
 * Key of a group asked for from Teams (`group create`) that WhatsApp has not created yet: its thread
 * exists at once and becomes the group's when WhatsApp announces the group (with the request id).
 */
export function groupRequestKeyOf(business: BusinessNumberId, requestId: GroupRequestId): GroupKey {
  return `${business}${REQUEST_MARKER}${requestId}` as GroupKey;
}

/** The group a conversation key names, or undefined for a customer's key (and for a group not created yet). */
export function groupOfKey(key: ConversationKey): WaGroupId | undefined {
  const at = key.indexOf(GROUP_MARKER);
  return at < 0 ? undefined : (key.slice(at + GROUP_MARKER.length) as WaGroupId);
}

export function businessOfContact(key: ConversationKey): BusinessNumberId {
  return key.slice(0, key.indexOf("|")) as BusinessNumberId;
}

const THREAD_MARKER = ";messageid=";

/** Builds the thread ref of a root message in a channel. */
export function threadRefOf(channel: TeamsChannelId, root: TeamsMessageId): TeamsThreadRef {
  return `${channel}${THREAD_MARKER}${root}` as TeamsThreadRef;
}

/**
 * Splits a Teams conversation id into channel and root message id. Returns undefined for a conversation
 * id that is not a channel thread (personal or group chats). Teams may omit `replyToId` on thread
 * replies, so the root id is taken from the conversation id, never from `replyToId`.
 */
export function parseThreadRef(conversationId: string): { channel: TeamsChannelId; root: TeamsMessageId; thread: TeamsThreadRef } | undefined {
  const at = conversationId.indexOf(THREAD_MARKER);
  if (at <= 0) return undefined;
  const channel = conversationId.slice(0, at);
  const root = conversationId.slice(at + THREAD_MARKER.length);
  if (!root || root.includes(";")) return undefined;
  return { channel: channel as TeamsChannelId, root: root as TeamsMessageId, thread: conversationId as TeamsThreadRef };
}

/** Shows a phone number or contact key in logs without revealing it: all but the last 4 digits masked. */
export function maskId(value: string | undefined): string {
  if (!value) return "-";
  return value.replace(/[A-Za-z0-9]{5,}/g, (run) => "*".repeat(Math.min(run.length - 4, 8)) + run.slice(-4));
}
