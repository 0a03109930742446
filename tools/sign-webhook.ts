import { createHmac } from "node:crypto";
import { newWamid } from "./meta-graph-standin/meta-responses";

/**
 * Helpers to build and sign realistic Meta webhook deliveries (docs/protocols.md A3, A5–A8), shared by tests
 * and the WhatsApp simulator. Dev-only.
 */

/** The `X-Hub-Signature-256` header value for exactly these bytes: `sha256=<hex>` (docs/protocols.md A3). */
export function signWebhook(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

export interface WebhookBusiness {
  /** WhatsApp Business Account id: `entry[].id`. */
  readonly wabaId: string;
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
}

/** The business number of the example payloads (tests/fixtures/meta). */
export const EXAMPLE_BUSINESS: WebhookBusiness = { wabaId: "102290129340398", phoneNumberId: "106540352242922", displayPhoneNumber: "15550783881" };

/** A customer: phone (digits, no `+`) and/or BSUID; a username-only customer has no phone (docs/protocols.md A6). */
export interface WebhookCustomer {
  readonly phone?: string;
  readonly userId?: string;
  readonly name?: string;
  readonly username?: string;
}

/** One `changes[]` item and the business it belongs to; `webhookEnvelope` groups them into entries. */
export interface WebhookChangeSpec {
  readonly business: WebhookBusiness;
  readonly value: Record<string, unknown>;
  /** The subscription field, default `messages` (groups add `group_lifecycle_update` etc., docs/protocols.md A17.5). */
  readonly field?: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function valueBase(business: WebhookBusiness): Record<string, unknown> {
  return { messaging_product: "whatsapp", metadata: { display_phone_number: business.displayPhoneNumber, phone_number_id: business.phoneNumberId } };
}

export function contactOf(customer: WebhookCustomer): Record<string, unknown> {
  const profile = {
    ...(customer.name !== undefined ? { name: customer.name } : {}),
    ...(customer.username !== undefined ? { username: customer.username } : {}),
  };
  return { profile, ...(customer.phone ? { wa_id: customer.phone } : {}), ...(customer.userId ? { user_id: customer.userId } : {}) };
}

/**
 * Any customer message: `message` holds `type` and its payload (e.g. `{ type: "image", image: {…} }`);
 * id, sender and timestamp are filled in.
 */
export function customerMessage(options: {
  from: WebhookCustomer;
  message: { type: string; [payload: string]: unknown };
  business?: WebhookBusiness;
  id?: string;
  timestamp?: number;
  context?: Record<string, unknown>;
}): WebhookChangeSpec {
  const business = options.business ?? EXAMPLE_BUSINESS;
  const message = {
    ...(options.from.phone ? { from: options.from.phone } : {}),
    ...(options.from.userId ? { from_user_id: options.from.userId } : {}),
    id: options.id ?? newWamid(),
    timestamp: String(options.timestamp ?? nowSeconds()),
    ...(options.context ? { context: options.context } : {}),
    ...options.message,
  };
  return { business, value: { ...valueBase(business), contacts: [contactOf(options.from)], messages: [message] } };
}

/** A text message from a customer, optionally replying to `replyTo` (a wamid) or forwarded. */
export function textMessage(options: {
  from: WebhookCustomer;
  text: string;
  business?: WebhookBusiness;
  id?: string;
  timestamp?: number;
  replyTo?: string;
  forwarded?: boolean;
}): WebhookChangeSpec {
  const context = {
    ...(options.replyTo ? { from: (options.business ?? EXAMPLE_BUSINESS).displayPhoneNumber, id: options.replyTo } : {}),
    ...(options.forwarded ? { forwarded: true } : {}),
  };
  return customerMessage({
    from: options.from,
    message: { type: "text", text: { body: options.text } },
    ...(options.business ? { business: options.business } : {}),
    ...(options.id ? { id: options.id } : {}),
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    ...(Object.keys(context).length > 0 ? { context } : {}),
  });
}

/** A status of a message the business sent (docs/protocols.md A8). `failed` statuses carry `errors` and no contacts (docs/protocols.md A6). */
export function statusUpdate(options: {
  id: string;
  status: "sent" | "delivered" | "read" | "failed" | "played";
  recipient?: WebhookCustomer;
  business?: WebhookBusiness;
  timestamp?: number;
  errors?: readonly { code: number; title: string; details?: string }[];
  callbackData?: string;
}): WebhookChangeSpec {
  const business = options.business ?? EXAMPLE_BUSINESS;
  const status = {
    id: options.id,
    status: options.status,
    timestamp: String(options.timestamp ?? nowSeconds()),
    ...(options.recipient?.phone ? { recipient_id: options.recipient.phone } : {}),
    ...(options.recipient?.userId ? { recipient_user_id: options.recipient.userId } : {}),
    ...(options.callbackData !== undefined ? { biz_opaque_callback_data: options.callbackData } : {}),
    ...(options.errors
      ? {
          errors: options.errors.map((e) => ({ code: e.code, title: e.title, message: e.title, ...(e.details ? { error_data: { details: e.details } } : {}) })),
        }
      : {}),
  };
  const contacts = options.recipient && options.status !== "failed" ? { contacts: [contactOf(options.recipient)] } : {};
  return { business, value: { ...valueBase(business), ...contacts, statuses: [status] } };
}

/** The whole POST body: one entry per WhatsApp Business Account, its changes in the order given (docs/protocols.md A5). */
export function webhookEnvelope(...changes: WebhookChangeSpec[]): {
  object: "whatsapp_business_account";
  entry: { id: string; changes: { value: unknown; field: string }[] }[];
} {
  const entries = new Map<string, { id: string; changes: { value: unknown; field: string }[] }>();
  for (const change of changes) {
    const entry = entries.get(change.business.wabaId) ?? { id: change.business.wabaId, changes: [] };
    entry.changes.push({ value: change.value, field: change.field ?? "messages" });
    entries.set(change.business.wabaId, entry);
  }
  return { object: "whatsapp_business_account", entry: [...entries.values()] };
}

/** Serialises (if needed) and signs a delivery: the body bytes and the headers Meta would send with them. */
export function signedWebhook(envelope: object | string | Buffer, appSecret: string): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.isBuffer(envelope) ? envelope : Buffer.from(typeof envelope === "string" ? envelope : JSON.stringify(envelope), "utf8");
  return { body, headers: { "content-type": "application/json", "x-hub-signature-256": signWebhook(body, appSecret) } };
}
