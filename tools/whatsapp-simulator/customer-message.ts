import type { MetaGraphStandin } from "../meta-graph-standin";
import { customerMessage, type WebhookBusiness, type WebhookChangeSpec, type WebhookCustomer } from "../sign-webhook";
import type { SimCustomer, SimMessage } from "./chat-state";

/** What a customer can send from the simulator. `emoji: ""` removes a reaction. */
export type CustomerMessageInput =
  | { readonly type: "text"; readonly text: string; readonly replyTo?: string }
  | { readonly type: "image" | "document"; readonly bytes: Buffer; readonly mimeType: string; readonly filename?: string; readonly caption?: string }
  | { readonly type: "location"; readonly latitude: number; readonly longitude: number; readonly name?: string; readonly address?: string }
  | { readonly type: "reaction"; readonly messageId: string; readonly emoji: string };

/** The customer as webhooks name them: number (if known), BSUID, and the profile on message webhooks. */
export function webhookCustomer(c: SimCustomer, withProfile = true): WebhookCustomer {
  return {
    ...(c.phone ? { phone: c.phone } : {}),
    userId: c.userId,
    ...(withProfile ? { name: c.name, ...(c.username ? { username: c.username } : {}) } : {}),
  };
}

/**
 * The webhook change for one customer message (docs/protocols.md A7) and the message as the page shows it.
 * Media is stored in the Meta Graph API stand-in first, so the webhook carries only its id, mime type and
 * SHA-256 (no `url`: the bridge asks `GET /{media-id}` like for any Meta media).
 */
export function buildCustomerMessage(
  customer: SimCustomer,
  input: CustomerMessageInput,
  business: WebhookBusiness,
  graph: MetaGraphStandin,
): { change: WebhookChangeSpec; message: Omit<SimMessage, "reactions"> } {
  const from = webhookCustomer(customer);
  const base = { customerId: customer.id, direction: "in" as const, at: Date.now(), status: "sending" as const };
  switch (input.type) {
    case "text": {
      const context = input.replyTo ? { context: { from: business.displayPhoneNumber, id: input.replyTo } } : {};
      const change = customerMessage({ from, business, message: { type: "text", text: { body: input.text } }, ...context });
      return { change, message: { ...base, id: wamidOf(change), type: "text", text: input.text, ...(input.replyTo ? { replyTo: input.replyTo } : {}) } };
    }
    case "image":
    case "document": {
      const media = graph.addMedia({
        bytes: input.bytes,
        mimeType: input.mimeType,
        phoneNumberId: business.phoneNumberId,
        ...(input.filename ? { filename: input.filename } : {}),
      });
      const payload = {
        ...(input.caption ? { caption: input.caption } : {}),
        ...(input.type === "document" ? { filename: input.filename ?? "document" } : {}),
        mime_type: input.mimeType,
        sha256: media.sha256Base64,
        id: media.id,
      };
      const change = customerMessage({ from, business, message: { type: input.type, [input.type]: payload } });
      const shown = {
        mediaId: media.id,
        mimeType: input.mimeType,
        ...(input.caption ? { text: input.caption } : {}),
        ...(input.filename ? { filename: input.filename } : {}),
      };
      return { change, message: { ...base, id: wamidOf(change), type: input.type, ...shown } };
    }
    case "location": {
      const location = {
        latitude: input.latitude,
        longitude: input.longitude,
        ...(input.name ? { name: input.name } : {}),
        ...(input.address ? { address: input.address } : {}),
      };
      const change = customerMessage({ from, business, message: { type: "location", location } });
      return { change, message: { ...base, id: wamidOf(change), type: "location", location } };
    }
    case "reaction": {
      // WhatsApp omits `emoji` when the customer removes a reaction (docs/protocols.md A7).
      const reaction = { message_id: input.messageId, ...(input.emoji ? { emoji: input.emoji } : {}) };
      const change = customerMessage({ from, business, message: { type: "reaction", reaction } });
      return { change, message: { ...base, id: wamidOf(change), type: "reaction", text: input.emoji } };
    }
  }
}

function wamidOf(change: WebhookChangeSpec): string {
  const messages = change.value.messages as ReadonlyArray<{ id: string }>;
  return messages[0]!.id;
}
