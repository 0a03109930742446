import { z } from "zod/v4";
import { copyLoose, isEnvelopeShape, isMessagesValueShape, type DeclaredKeys } from "./webhook-shape-check";
import {
  describeIssues,
  idString,
  parseInboundMessage,
  unixSeconds,
  webhookErrorSchema,
  type ParsedInboundMessage,
  type WebhookError,
} from "./message-schemas";

/**
 * zod schemas of Meta's webhook envelope (docs/protocols.md A5) and of what a `messages` change carries:
 * contacts (docs/protocols.md A6), messages (docs/protocols.md A7, see message-schemas.ts), statuses (docs/protocols.md A8) and value-level errors (docs/protocols.md A9).
 *
 * Items are read one by one: a bad status or message becomes a tagged "problem" next to the good ones,
 * so one odd item never fails a batch of up to 1,000 updates (docs/protocols.md A4). Only an envelope that is not a
 * WhatsApp webhook at all fails as a whole.
 */

export const webhookMetadataSchema = z.looseObject({
  display_phone_number: z.string().optional(),
  phone_number_id: idString,
});

/** `value.contacts[]`: `wa_id` is absent for username users, `user_id` (BSUID) since 2026-03-31 (docs/protocols.md A6). */
export const webhookContactSchema = z.looseObject({
  wa_id: idString.optional(),
  user_id: idString.optional(),
  parent_user_id: idString.optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional().catch(undefined),
});
export type WebhookContact = z.output<typeof webhookContactSchema>;

export const deliveryStatusSchema = z.enum(["sent", "delivered", "read", "failed", "played"]);

/** `value.statuses[]` (docs/protocols.md A8). `recipient_id` may be omitted when the message went to a BSUID. */
export const webhookStatusSchema = z.looseObject({
  id: idString,
  status: deliveryStatusSchema,
  timestamp: unixSeconds,
  recipient_id: idString.optional(),
  recipient_user_id: idString.optional(),
  recipient_type: z.string().optional(),
  /** For a message sent to a group: the participant a delivered/read status is about. */
  recipient_participant_id: idString.optional(),
  recipient_participant_user_id: idString.optional(),
  /** Spelling of two of Meta's samples for `recipient_participant_id` (docs/protocols.md, WhatsApp groups). */
  participant_recipient_id: idString.optional(),
  biz_opaque_callback_data: z.string().optional(),
  conversation: z.looseObject({}).optional().catch(undefined),
  pricing: z.looseObject({}).optional().catch(undefined),
  errors: z.array(webhookErrorSchema).optional(),
});
export type WebhookStatus = z.output<typeof webhookStatusSchema>;

/** One item of an array, read on its own: the value, or why it could not be read (no values quoted). */
export type ItemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Validates one item with `schema`, once; the reason names paths and expected types, never values. */
export function readItem<S extends z.ZodType>(schema: S, raw: unknown): ItemResult<z.output<S>> {
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: describeIssues(result.error) };
}

function itemOf<S extends z.ZodType>(schema: S) {
  return z.unknown().transform((raw): ItemResult<z.output<S>> => readItem(schema, raw));
}

/**
 * The `value` of a `messages` change, shallowly: every array is optional (one change carries one kind
 * of update) and its items are left unread here. Items never fail the value: `readMessagesValue` reads
 * each one on its own, once, which costs a fraction of nesting item schemas in transforms.
 */
const messagesValueShape = z.looseObject({
  messaging_product: z.literal("whatsapp").optional(),
  metadata: webhookMetadataSchema,
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

/** A `messages` change's value with every item read: contacts (docs/protocols.md A6), messages (docs/protocols.md A7), statuses (docs/protocols.md A8), errors (docs/protocols.md A9). */
export type MessagesValue = {
  messaging_product?: "whatsapp";
  metadata: z.output<typeof webhookMetadataSchema>;
  contacts?: ItemResult<WebhookContact>[];
  messages?: ParsedInboundMessage[];
  statuses?: ItemResult<WebhookStatus>[];
  errors?: ItemResult<WebhookError>[];
  [key: string]: unknown;
};

/** Replaces each array of a freshly made value by its items, each read on its own, once (same key order). */
function readItemsInPlace(value: Record<string, unknown>): MessagesValue {
  const read = value as MessagesValue;
  const raw = value as z.output<typeof messagesValueShape>;
  if (raw.contacts) read.contacts = raw.contacts.map((item) => readItem(webhookContactSchema, item));
  if (raw.messages) read.messages = raw.messages.map(parseInboundMessage);
  if (raw.statuses) read.statuses = raw.statuses.map((item) => readItem(webhookStatusSchema, item));
  if (raw.errors) read.errors = raw.errors.map((item) => readItem(webhookErrorSchema, item));
  return read;
}

/** Validates a `messages` change's value with zod, then each of its items once. */
export function readMessagesValueStrict(raw: unknown): { ok: true; value: MessagesValue } | { ok: false; reason: string } {
  const shallow = messagesValueShape.safeParse(raw);
  return shallow.success ? { ok: true, value: readItemsInPlace(shallow.data) } : { ok: false, reason: describeIssues(shallow.error) };
}

const MESSAGES_VALUE_KEYS = declaredKeysOf(messagesValueShape);
const METADATA_KEYS = declaredKeysOf(webhookMetadataSchema);

/** As `readMessagesValueStrict`, checking the shallow shape by hand when it holds (the usual case). */
export function readMessagesValue(raw: unknown): { ok: true; value: MessagesValue } | { ok: false; reason: string } {
  if (!isMessagesValueShape(raw)) return readMessagesValueStrict(raw);
  const value = copyLoose(raw, MESSAGES_VALUE_KEYS);
  value.metadata = copyLoose(raw.metadata, METADATA_KEYS);
  return { ok: true, value: readItemsInPlace(value) };
}

/** `user_preferences[]`: a customer stopped or resumed marketing messages (WhatsApp's own setting). */
export const webhookPreferenceSchema = z.looseObject({
  wa_id: idString.optional(),
  user_id: idString.optional(),
  category: z.string().optional(),
  value: z.string(),
  detail: z.string().optional(),
  timestamp: unixSeconds,
});
export type WebhookPreference = z.output<typeof webhookPreferenceSchema>;

/** The `value` of a `user_preferences` change. */
export const preferencesValueSchema = z.looseObject({
  metadata: webhookMetadataSchema,
  user_preferences: z.array(itemOf(webhookPreferenceSchema)),
});
export type PreferencesValue = z.output<typeof preferencesValueSchema>;

/** The `value` of a Groups API change (`group_*` fields): items are read one by one by the mapper. */
export const groupsValueSchema = z.looseObject({
  metadata: webhookMetadataSchema,
  groups: z.array(z.unknown()),
});
export type GroupsValue = z.output<typeof groupsValueSchema>;

/**
 * One change. `messages`, `user_preferences` and the Groups API's `group_*` fields are read; other fields (message_template_status_update,
 * account_alerts, …: docs/protocols.md A5) are recognised and reported as skipped, without error.
 */
export type WebhookChange =
  | { readonly kind: "messages"; readonly field: "messages"; readonly value: MessagesValue }
  | { readonly kind: "preferences"; readonly field: "user_preferences"; readonly value: PreferencesValue }
  | { readonly kind: "groups"; readonly field: string; readonly value: GroupsValue }
  | { readonly kind: "invalid"; readonly field: string; readonly reason: string }
  | { readonly kind: "skipped"; readonly field: string };

/** What a change must be for the envelope to be a WhatsApp webhook at all; its `value` is read by `readChange`. */
const changeShape = z.looseObject({ field: z.string().min(1), value: z.unknown() });

function readChange(change: { field: string; value?: unknown }, readValue: typeof readMessagesValue): WebhookChange {
  if (change.field === "user_preferences") {
    const prefs = preferencesValueSchema.safeParse(change.value);
    return prefs.success
      ? { kind: "preferences", field: "user_preferences", value: prefs.data }
      : { kind: "invalid", field: change.field, reason: describeIssues(prefs.error) };
  }
  if (change.field.startsWith("group_")) {
    // Every group field is read, known or not: an unknown one is shown as unsupported, never dropped.
    const groups = groupsValueSchema.safeParse(change.value);
    return groups.success
      ? { kind: "groups", field: change.field, value: groups.data }
      : { kind: "invalid", field: change.field, reason: describeIssues(groups.error) };
  }
  if (change.field !== "messages") return { kind: "skipped", field: change.field };
  const value = readValue(change.value);
  return value.ok ? { kind: "messages", field: "messages", value: value.value } : { kind: "invalid", field: "messages", reason: value.reason };
}

/** `entry[].id` is the WhatsApp Business Account id; routing uses `metadata.phone_number_id` (docs/protocols.md A5). */
const entryShape = z.looseObject({ id: idString, changes: z.array(changeShape) });

/** The envelope down to each change's `field`: all that must hold for a document to be a WhatsApp webhook. */
export const webhookEnvelopeShape = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(entryShape),
});

/** What `parseWebhookEnvelope` returns: the envelope with each change read (unknown keys kept, as zod's loose objects do). */
export type WebhookEntry = { id: string; changes: WebhookChange[]; [key: string]: unknown };
export type WebhookEnvelope = { object: "whatsapp_business_account"; entry: WebhookEntry[]; [key: string]: unknown };

/** The envelope validated by zod at every level, then each change's value, then each item. */
export function parseWebhookEnvelopeStrict(json: unknown): { ok: true; envelope: WebhookEnvelope } | { ok: false; reason: string } {
  const result = webhookEnvelopeShape.safeParse(json);
  if (!result.success) return { ok: false, reason: describeIssues(result.error) };
  // The parse made fresh entry objects and arrays; each change is replaced by what it says, in place.
  const envelope = result.data as unknown as WebhookEnvelope;
  for (const entry of result.data.entry) (entry as unknown as WebhookEntry).changes = entry.changes.map((c) => readChange(c, readMessagesValueStrict));
  return { ok: true, envelope };
}

const ENVELOPE_KEYS = declaredKeysOf(webhookEnvelopeShape);
const ENTRY_KEYS = declaredKeysOf(entryShape);

/**
 * Validates parsed JSON as a WhatsApp webhook envelope. Never throws. Fails only when the document is
 * not a WhatsApp Business Account webhook (wrong `object`, no `entry` array, a change without `field`);
 * problems inside items are kept as tagged results for the mapper. The envelope levels are checked by
 * hand when they hold (webhook-shape-check.ts) and by zod otherwise, which then says why; every item
 * is validated by its zod schema, once. Returns what `parseWebhookEnvelopeStrict` returns.
 */
export function parseWebhookEnvelope(json: unknown): { ok: true; envelope: WebhookEnvelope } | { ok: false; reason: string } {
  if (!isEnvelopeShape(json)) return parseWebhookEnvelopeStrict(json);
  const envelope = copyLoose(json, ENVELOPE_KEYS) as WebhookEnvelope;
  envelope.entry = json.entry.map((entry) => {
    const copy = copyLoose(entry, ENTRY_KEYS) as WebhookEntry;
    copy.changes = entry.changes.map((c) => readChange(c, readMessagesValue));
    return copy;
  });
  return { ok: true, envelope };
}

/** The declared keys of a zod loose object, in order; optional where the key's schema accepts undefined. */
function declaredKeysOf(schema: { shape: Record<string, z.ZodType> }): DeclaredKeys {
  const names = Object.keys(schema.shape);
  return { names, optional: names.map((key) => schema.shape[key]!.safeParse(undefined).success) };
}
