import { z } from "zod/v4";
import { describeIssues, idString, parseInboundMessage, unixSeconds, webhookErrorSchema, type ParsedInboundMessage } from "./message-schemas";

/**
 * zod schemas of Meta's webhook envelope (protocols.md A5) and of what a `messages` change carries:
 * contacts (A6), messages (A7, see message-schemas.ts), statuses (A8) and value-level errors (A9).
 *
 * Items are read one by one: a bad status or message becomes a tagged "problem" next to the good ones,
 * so one odd item never fails a batch of up to 1,000 updates (A4). Only an envelope that is not a
 * WhatsApp webhook at all fails as a whole.
 */

export const webhookMetadataSchema = z.looseObject({
  display_phone_number: z.string().optional(),
  phone_number_id: idString,
});

/** `value.contacts[]`: `wa_id` is absent for username users, `user_id` (BSUID) since 2026-03-31 (A6). */
export const webhookContactSchema = z.looseObject({
  wa_id: idString.optional(),
  user_id: idString.optional(),
  parent_user_id: idString.optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional().catch(undefined),
});
export type WebhookContact = z.output<typeof webhookContactSchema>;

export const deliveryStatusSchema = z.enum(["sent", "delivered", "read", "failed", "played"]);

/** `value.statuses[]` (A8). `recipient_id` may be omitted when the message went to a BSUID. */
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

function itemOf<S extends z.ZodType>(schema: S) {
  return z.unknown().transform((raw): ItemResult<z.output<S>> => {
    const result = schema.safeParse(raw);
    return result.success ? { ok: true, value: result.data } : { ok: false, reason: describeIssues(result.error) };
  });
}

/** The `value` of a `messages` change. Every array is optional: one change carries one kind of update. */
export const messagesValueSchema = z.looseObject({
  messaging_product: z.literal("whatsapp").optional(),
  metadata: webhookMetadataSchema,
  contacts: z.array(itemOf(webhookContactSchema)).optional(),
  messages: z.array(z.unknown().transform((raw): ParsedInboundMessage => parseInboundMessage(raw))).optional(),
  statuses: z.array(itemOf(webhookStatusSchema)).optional(),
  errors: z.array(itemOf(webhookErrorSchema)).optional(),
});
export type MessagesValue = z.output<typeof messagesValueSchema>;

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
 * account_alerts, …: A5) are recognised and reported as skipped, without error.
 */
export type WebhookChange =
  | { readonly kind: "messages"; readonly field: "messages"; readonly value: MessagesValue }
  | { readonly kind: "preferences"; readonly field: "user_preferences"; readonly value: PreferencesValue }
  | { readonly kind: "groups"; readonly field: string; readonly value: GroupsValue }
  | { readonly kind: "invalid"; readonly field: string; readonly reason: string }
  | { readonly kind: "skipped"; readonly field: string };

const changeSchema = z.looseObject({ field: z.string().min(1), value: z.unknown() }).transform((change): WebhookChange => {
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
  const value = messagesValueSchema.safeParse(change.value);
  return value.success
    ? { kind: "messages", field: "messages", value: value.data }
    : { kind: "invalid", field: "messages", reason: describeIssues(value.error) };
});

/** `entry[].id` is the WhatsApp Business Account id; routing uses `metadata.phone_number_id` (A5). */
export const webhookEntrySchema = z.looseObject({ id: idString, changes: z.array(changeSchema) });

export const webhookEnvelopeSchema = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(webhookEntrySchema),
});
export type WebhookEnvelope = z.output<typeof webhookEnvelopeSchema>;

/**
 * Validates parsed JSON as a WhatsApp webhook envelope. Never throws. Fails only when the document is
 * not a WhatsApp Business Account webhook (wrong `object`, no `entry` array, a change without `field`);
 * problems inside items are kept as tagged results for the mapper.
 */
export function parseWebhookEnvelope(json: unknown): { ok: true; envelope: WebhookEnvelope } | { ok: false; reason: string } {
  const result = webhookEnvelopeSchema.safeParse(json);
  return result.success ? { ok: true, envelope: result.data } : { ok: false, reason: describeIssues(result.error) };
}
