import { createHash } from "node:crypto";
import { BusinessNumberId, WaGroupId, WaMessageId, WaPhone, WaUserId, contactKeyOf } from "../../core/ids";
import type { AccountErrorEvent, AdReferral, ContactIdentity, InboundMessage, StatusEvent, WhatsAppEvent } from "../../core/messages";
import { compact, contentOf } from "./inbound-content";
import type { BaseInboundMessage, WebhookError } from "./message-schemas";
import { describeMetaErrorCode } from "./meta-errors";
import { mapGroupsValue } from "./group-webhooks";
import { stableJson } from "./stable-json";
import type { MessagesValue, PreferencesValue, WebhookContact, WebhookEnvelope, WebhookStatus } from "./webhook-schema";

/** An item that could not become an event. `where` is a JSON path; `reason` never quotes values. */
export interface MappingProblem {
  readonly where: string;
  readonly reason: string;
}

export interface MappingResult {
  readonly events: WhatsAppEvent[];
  /** Items skipped because nothing usable could be read (no id, no sender, unknown status value …). */
  readonly problems: MappingProblem[];
  /** `field` of each change that is not `messages` (template status updates, user preferences, …). */
  readonly skippedFields: string[];
}

export interface MappingOptions {
  /**
   * Unix seconds used as the timestamp of value-level errors, which carry none (docs/protocols.md A9). Defaults to 0; the
   * webhook handler passes the time of receipt. It is not part of the error's dedupe key.
   */
  readonly receivedAt?: number;
}

/**
 * Maps a validated webhook envelope to the core's events, in payload order: every entry, every change,
 * every message / status / value-level error (batches: docs/protocols.md A4). Pure apart from hashing.
 *
 * - A message of an unknown type or with an unreadable payload becomes `content.kind: "unsupported"`.
 * - The sender is matched to `value.contacts[]` by `from_user_id`, then `from`/`wa_id` (docs/protocols.md A6); the contact
 *   key prefers the BSUID (`contactKeyOf`). A message with no sender id at all is a problem, not an event.
 * - `context.id` becomes `replyTo`; `context.forwarded` / `frequently_forwarded` become `forwarded`.
 * - `AccountErrorEvent.key` is a hash of the error's JSON and the entry (WABA) id: Meta gives no id.
 */
export function mapWebhookEnvelope(envelope: WebhookEnvelope, options: MappingOptions = {}): MappingResult {
  const result: MappingResult = { events: [], problems: [], skippedFields: [] };
  envelope.entry.forEach((entry, e) => {
    entry.changes.forEach((change, c) => {
      // The path of a problem is only written when there is one: most webhooks have none.
      const where = (): string => `entry[${e}].changes[${c}]`;
      if (change.kind === "skipped") result.skippedFields.push(change.field);
      else if (change.kind === "invalid") result.problems.push({ where: `${where()}.value`, reason: change.reason });
      else if (change.kind === "preferences") mapPreferences(change.value, where(), result);
      else if (change.kind === "groups") {
        const mapped = mapGroupsValue(change.field, change.value, options.receivedAt ?? 0);
        result.events.push(...mapped.events);
        for (const problem of mapped.problems) result.problems.push({ where: `${where()}.value.groups[${problem.index}]`, reason: problem.reason });
      } else mapMessagesValue(change.value, entry.id, where, options, result);
    });
  });
  return result;
}

/** The events of an envelope (see `mapWebhookEnvelope`; problems and skipped fields are left out). */
export function toWhatsAppEvents(envelope: WebhookEnvelope, options: MappingOptions = {}): WhatsAppEvent[] {
  return mapWebhookEnvelope(envelope, options).events;
}

function mapMessagesValue(value: MessagesValue, entryId: string, where: () => string, options: MappingOptions, out: MappingResult): void {
  const business = BusinessNumberId(value.metadata.phone_number_id);
  const contacts: WebhookContact[] = [];
  (value.contacts ?? []).forEach((item, i) => {
    if (item.ok) contacts.push(item.value);
    else out.problems.push({ where: `${where()}.value.contacts[${i}]`, reason: item.reason });
  });

  (value.messages ?? []).forEach((parsed, i) => {
    if (parsed.kind === "malformed") return void out.problems.push({ where: `${where()}.value.messages[${i}]`, reason: parsed.reason });
    const contact = identityOf(business, parsed.message, contacts);
    if (!contact) return void out.problems.push({ where: `${where()}.value.messages[${i}]`, reason: "message has neither from nor from_user_id" });
    out.events.push(inboundMessage(business, parsed.message, contact, contentOf(parsed)));
  });

  (value.statuses ?? []).forEach((item, i) => {
    if (item.ok) out.events.push(statusEvent(business, item.value));
    else out.problems.push({ where: `${where()}.value.statuses[${i}]`, reason: item.reason });
  });

  (value.errors ?? []).forEach((item, i) => {
    if (item.ok) out.events.push(accountError(business, entryId, item.value, options.receivedAt ?? 0));
    else out.problems.push({ where: `${where()}.value.errors[${i}]`, reason: item.reason });
  });
}

/** `user_preferences` (marketing messages stopped/resumed) → PreferenceEvent; other categories are ignored. */
function mapPreferences(value: PreferencesValue, where: string, out: MappingResult): void {
  const business = BusinessNumberId(value.metadata.phone_number_id);
  value.user_preferences.forEach((item, i) => {
    const at = `${where}.value.user_preferences[${i}]`;
    if (!item.ok) return void out.problems.push({ where: at, reason: item.reason });
    const p = item.value;
    const preference = p.value.toLowerCase();
    if ((p.category ?? "marketing_messages") !== "marketing_messages" || (preference !== "stop" && preference !== "resume")) {
      return void out.problems.push({ where: at, reason: `unknown preference ${p.category ?? "-"}/${p.value}` });
    }
    if (!p.wa_id && !p.user_id) return void out.problems.push({ where: at, reason: "preference without wa_id or user_id" });
    out.events.push({
      type: "preference",
      business,
      contact: compact({ userId: p.user_id ? WaUserId(p.user_id) : undefined, phone: p.wa_id ? WaPhone(p.wa_id) : undefined }),
      value: preference,
      timestamp: p.timestamp,
    });
  });
}

function findContact(contacts: readonly WebhookContact[], message: BaseInboundMessage): WebhookContact | undefined {
  const byUserId = message.from_user_id ? contacts.find((c) => c.user_id === message.from_user_id) : undefined;
  if (byUserId) return byUserId;
  const byPhone = message.from ? contacts.find((c) => c.wa_id === message.from) : undefined;
  if (byPhone) return byPhone;
  // A message with no sender id of its own can only belong to the single contact of its change.
  return !message.from && !message.from_user_id && contacts.length === 1 ? contacts[0] : undefined;
}

function identityOf(business: BusinessNumberId, message: BaseInboundMessage, contacts: readonly WebhookContact[]): ContactIdentity | undefined {
  const contact = findContact(contacts, message);
  const userIdRaw = message.from_user_id ?? contact?.user_id;
  const phoneRaw = message.from ?? contact?.wa_id;
  if (!userIdRaw && !phoneRaw) return undefined;
  const userId = userIdRaw ? WaUserId(userIdRaw) : undefined;
  const phone = phoneRaw ? WaPhone(phoneRaw) : undefined;
  return compact({
    key: contactKeyOf(business, compact({ userId, phone })),
    userId,
    phone,
    profileName: contact?.profile?.name,
    username: contact?.profile?.username,
  });
}

function inboundMessage(business: BusinessNumberId, message: BaseInboundMessage, contact: ContactIdentity, content: InboundMessage["content"]): InboundMessage {
  const context = message.context;
  const forwarded = context?.frequently_forwarded ? "frequently" : context?.forwarded ? "forwarded" : undefined;
  return compact({
    type: "message" as const,
    business,
    id: WaMessageId(message.id),
    contact,
    timestamp: message.timestamp,
    content,
    replyTo: context?.id ? WaMessageId(context.id) : undefined,
    forwarded,
    referral: referralOf(message.referral),
    // Written in a group: the group's conversation, `contact` being the participant who wrote.
    group: message.group_id ? WaGroupId(message.group_id) : undefined,
  });
}

/** The ad or post the customer came from; undefined when the webhook names none. */
function referralOf(referral: BaseInboundMessage["referral"]): AdReferral | undefined {
  if (!referral) return undefined;
  const mapped: AdReferral = compact({
    headline: referral.headline,
    body: referral.body,
    sourceType: referral.source_type,
    sourceUrl: referral.source_url,
    sourceId: referral.source_id,
    mediaType: referral.media_type,
    ctwaClid: referral.ctwa_clid,
  });
  return Object.keys(mapped).length > 0 ? mapped : undefined;
}

function statusErrors(errors: readonly WebhookError[] | undefined): StatusEvent["errors"] {
  return (errors ?? []).map((e) => {
    const title = e.title ?? e.message ?? `error ${e.code}`;
    // What the code means for a person, in the same words as for a synchronous send error (docs/protocols.md A16).
    const meaning = describeMetaErrorCode(e.code, title, e.error_data?.details);
    return compact({ code: e.code, kind: meaning.kind, title, detail: e.error_data?.details, userMessage: meaning.userMessage, retryable: meaning.retryable });
  });
}

function statusEvent(business: BusinessNumberId, status: WebhookStatus): StatusEvent {
  // For group sends `recipient_id` is the group id, not a phone; delivered and read name the participant (docs/protocols.md A8).
  const toGroup = status.recipient_type === "group";
  const phone = status.recipient_id && !toGroup ? WaPhone(status.recipient_id) : undefined;
  const userId = status.recipient_user_id && !toGroup ? WaUserId(status.recipient_user_id) : undefined;
  return compact({
    type: "status" as const,
    business,
    id: WaMessageId(status.id),
    state: status.status,
    timestamp: status.timestamp,
    recipient: phone || userId ? compact({ phone, userId }) : undefined,
    errors: statusErrors(status.errors),
    callbackData: status.biz_opaque_callback_data,
    group: toGroup && status.recipient_id ? WaGroupId(status.recipient_id) : undefined,
    participant: toGroup ? (status.recipient_participant_user_id ?? status.recipient_participant_id ?? status.participant_recipient_id) : undefined,
  });
}

/** Stable key of a value-level error: Meta gives it no id (docs/protocols.md A9), so the content and the entry id are hashed. */
/** `receivedAt` in Unix seconds. */
export function accountErrorKey(entryId: string, error: WebhookError, receivedAt: number): string {
  // Meta gives these errors no id. The hour of receipt is part of the key so that a redelivery is a
  // duplicate while the same error recurring later is recorded again.
  const hour = Math.floor(receivedAt / 3600);
  return createHash("sha256")
    .update(`${entryId}\n${hour}\n${stableJson(error)}`)
    .digest("hex")
    .slice(0, 32);
}

function accountError(business: BusinessNumberId, entryId: string, error: WebhookError, receivedAt: number): AccountErrorEvent {
  return compact({
    type: "account_error" as const,
    business,
    key: accountErrorKey(entryId, error, receivedAt),
    timestamp: receivedAt,
    code: error.code,
    title: error.title ?? error.message ?? `error ${error.code}`,
    detail: error.error_data?.details,
  });
}
