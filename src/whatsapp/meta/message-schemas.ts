import { z } from "zod/v4";

/**
 * zod schemas of one inbound message (`value.messages[]`, docs/protocols.md A7). Objects are loose: Meta adds
 * fields often, and an unknown field must never make us drop a customer's message. Ids and timestamps
 * are strings on the wire (docs/protocols.md A5); `from` is optional because username users may have no phone (docs/protocols.md A6).
 */

export const idString = z.string().min(1);

/** Unix seconds. The wire sends a string (docs/protocols.md A5); a number is accepted too, it costs nothing. */
export const unixSeconds = z.union([z.string().regex(/^\d{1,13}$/), z.number().int().nonnegative()]).transform((v) => Number(v));

/** A number that some libraries send as a string (location, order prices: docs/protocols.md A7). */
export const numberLike = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+(\.\d+)?$/),
  ])
  .transform((v) => Number(v))
  .refine((n) => Number.isFinite(n), "expected a finite number");

/** Error items as found in `messages[].errors`, `statuses[].errors` and `value.errors` (docs/protocols.md A8, A9). */
export const webhookErrorSchema = z.looseObject({
  code: numberLike.pipe(z.number().int()),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type WebhookError = z.output<typeof webhookErrorSchema>;

export const messageContextSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
  referred_product: z.looseObject({ catalog_id: z.string().optional(), product_retailer_id: z.string().optional() }).optional(),
});

/** A click-to-WhatsApp ad or post the customer came from (docs/protocols.md A7); every field may be missing. */
export const referralSchema = z.looseObject({
  source_url: z.string().optional().catch(undefined),
  source_id: z.string().optional().catch(undefined),
  source_type: z.string().optional().catch(undefined),
  headline: z.string().optional().catch(undefined),
  body: z.string().optional().catch(undefined),
  media_type: z.string().optional().catch(undefined),
  ctwa_clid: z.string().optional().catch(undefined),
});

/** Keys every message has, whatever its type. A bad `context` or `errors` is dropped, not fatal. */
const commonShape = {
  id: idString,
  timestamp: unixSeconds,
  from: idString.optional(),
  from_user_id: idString.optional(),
  from_parent_user_id: idString.optional(),
  group_id: z.string().optional(),
  context: messageContextSchema.optional().catch(undefined),
  errors: z.array(webhookErrorSchema).optional().catch(undefined),
  referral: referralSchema.optional().catch(undefined),
};

/** What is needed to say anything about a message: its id, time, type and sender. */
export const baseMessageSchema = z.looseObject({ ...commonShape, type: z.string().min(1) });
export type BaseInboundMessage = z.output<typeof baseMessageSchema>;

const mediaShape = {
  id: idString,
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  // `url` is rolling out since 2025-11-12 and may be absent (docs/protocols.md A7, A12).
  url: z.string().optional(),
};
const captionedMedia = z.looseObject({ ...mediaShape, caption: z.string().optional() });

export const textPayloadSchema = z.looseObject({ body: z.string() });
export const imagePayloadSchema = captionedMedia;
export const videoPayloadSchema = captionedMedia;
export const audioPayloadSchema = z.looseObject({ ...mediaShape, voice: z.boolean().optional() });
export const documentPayloadSchema = z.looseObject({ ...mediaShape, caption: z.string().optional(), filename: z.string().optional() });
export const stickerPayloadSchema = z.looseObject({ ...mediaShape, animated: z.boolean().optional() });

export const locationPayloadSchema = z.looseObject({
  latitude: numberLike,
  longitude: numberLike,
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});

/** A shared contact card: every field may be omitted by the device or the user (docs/protocols.md A7). */
export const sharedContactSchema = z.looseObject({
  name: z
    .looseObject({
      formatted_name: z.string().optional(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      middle_name: z.string().optional(),
    })
    .optional(),
  phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() })).optional(),
  emails: z.array(z.looseObject({ email: z.string().optional(), type: z.string().optional() })).optional(),
  org: z.looseObject({ company: z.string().optional(), department: z.string().optional(), title: z.string().optional() }).optional(),
});
export const contactsPayloadSchema = z.array(sharedContactSchema);

export const interactivePayloadSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("button_reply"), button_reply: z.looseObject({ id: z.string(), title: z.string() }) }),
  z.looseObject({
    type: z.literal("list_reply"),
    list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }),
  }),
  // Flows and address messages: `response_json` is a JSON *string* (docs/protocols.md A7).
  z.looseObject({
    type: z.literal("nfm_reply"),
    nfm_reply: z.looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string() }),
  }),
  z.looseObject({
    type: z.literal("call_permission_reply"),
    call_permission_reply: z.looseObject({
      response: z.string(),
      is_permanent: z.boolean().optional(),
      expiration_timestamp: numberLike.optional(),
      response_source: z.string().optional(),
    }),
  }),
]);

export const buttonPayloadSchema = z.looseObject({ text: z.string(), payload: z.string().optional() });
/** `emoji` is omitted when the customer removes a reaction (docs/protocols.md A7). */
export const reactionPayloadSchema = z.looseObject({ message_id: idString, emoji: z.string().optional() });
export const orderPayloadSchema = z.looseObject({
  catalog_id: z.string(),
  text: z.string().optional(),
  product_items: z.array(z.looseObject({ product_retailer_id: z.string(), quantity: numberLike, item_price: numberLike, currency: z.string() })),
});
export const systemPayloadSchema = z.looseObject({
  body: z.string().optional(),
  type: z.string().optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
});
export const unsupportedPayloadSchema = z.looseObject({ type: z.string().optional() });
/** Coexistence numbers only (docs/protocols.md A7): the edited message is nested under `message`. */
export const editPayloadSchema = z.looseObject({
  original_message_id: idString,
  message: z.looseObject({ type: z.string().optional() }).optional(),
});
export const revokePayloadSchema = z.looseObject({ original_message_id: idString });

const typed = <T extends string, S extends z.ZodType>(type: T, payload: S) =>
  z.looseObject({ ...commonShape, type: z.literal(type), [type]: payload } as { type: z.ZodLiteral<T> } & typeof commonShape & Record<T, S>);

/** Every inbound type of docs/protocols.md A7, discriminated by `type`. */
export const knownInboundMessageSchema = z.discriminatedUnion("type", [
  typed("text", textPayloadSchema),
  typed("image", imagePayloadSchema),
  typed("audio", audioPayloadSchema),
  typed("video", videoPayloadSchema),
  typed("document", documentPayloadSchema),
  typed("sticker", stickerPayloadSchema),
  typed("location", locationPayloadSchema),
  typed("contacts", contactsPayloadSchema),
  typed("interactive", interactivePayloadSchema),
  typed("button", buttonPayloadSchema),
  typed("reaction", reactionPayloadSchema),
  typed("order", orderPayloadSchema),
  typed("system", systemPayloadSchema),
  z.looseObject({ ...commonShape, type: z.literal("unsupported"), unsupported: unsupportedPayloadSchema.optional() }),
  z.looseObject({ ...commonShape, type: z.literal("unknown") }),
  typed("edit", editPayloadSchema),
  typed("revoke", revokePayloadSchema),
  z.looseObject({ ...commonShape, type: z.literal("request_welcome") }),
]);
export type KnownInboundMessage = z.output<typeof knownInboundMessageSchema>;

export const KNOWN_MESSAGE_TYPES: ReadonlySet<string> = new Set(knownInboundMessageSchema.options.map((o) => o.shape.type.value));

/** A message whose `type` this adapter does not know yet: it still parses, so the batch never fails. */
export const unknownTypeMessageSchema = baseMessageSchema.extend({
  type: z.string().refine((t) => !KNOWN_MESSAGE_TYPES.has(t), "type is a known type"),
});

/** One inbound message: a known type, or the "unknown type" variant. A known type with a bad payload fails. */
export const inboundMessageSchema = z.union([knownInboundMessageSchema, unknownTypeMessageSchema]);

/** The outcome of reading one `value.messages[]` item on its own. */
export type ParsedInboundMessage =
  | { readonly kind: "known"; readonly message: KnownInboundMessage }
  | { readonly kind: "unknown_type"; readonly message: BaseInboundMessage }
  /** A known type whose own payload did not match: still a message (id, sender), content unreadable. */
  | { readonly kind: "invalid"; readonly message: BaseInboundMessage; readonly reason: string }
  /** Not even id/timestamp/type: nothing can be said about it. */
  | { readonly kind: "malformed"; readonly reason: string };

/**
 * Reads one inbound message item. Never throws. `reason` texts name paths and expected types only, never
 * values, so they may be logged (a value could be a customer's words).
 */
export function parseInboundMessage(raw: unknown): ParsedInboundMessage {
  // A known message is validated once, by the schema of its own type (what the discriminated union
  // would pick) and passes the base schema too (same common keys, a non-empty literal type). Only a
  // message that fails is read again, as before, to say why.
  const schema = typeof raw === "object" && raw !== null ? KNOWN_SCHEMA_BY_TYPE.get((raw as { type?: unknown }).type) : undefined;
  const own = schema?.safeParse(raw);
  if (own?.success) return { kind: "known", message: own.data };
  const base = baseMessageSchema.safeParse(raw);
  if (!base.success) return { kind: "malformed", reason: describeIssues(base.error) };
  if (!KNOWN_MESSAGE_TYPES.has(base.data.type)) return { kind: "unknown_type", message: base.data };
  const known = knownInboundMessageSchema.safeParse(raw);
  if (!known.success) return { kind: "invalid", message: base.data, reason: describeIssues(known.error) };
  return { kind: "known", message: known.data };
}

const KNOWN_SCHEMA_BY_TYPE: ReadonlyMap<unknown, z.ZodType<KnownInboundMessage>> = new Map(
  knownInboundMessageSchema.options.map((option) => [option.shape.type.value, option as z.ZodType<KnownInboundMessage>]),
);

/** Short, value-free description of zod issues: `path: message; …` (at most 3). */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  if (error.issues.length > 3) parts.push(`… ${error.issues.length - 3} more`);
  return parts.join("; ");
}
