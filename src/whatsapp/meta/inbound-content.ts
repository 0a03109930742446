import type { FormattedText } from "../../core/formatted-text";
import { WaMessageId, WaPhone, WaUserId } from "../../core/ids";
import type { InboundContent, MediaKind } from "../../core/messages";
import { parseWhatsAppMarkup } from "./whatsapp-markup-parser";
import type { KnownInboundMessage, ParsedInboundMessage, WebhookError } from "./message-schemas";

/**
 * WhatsApp text as the core's FormattedText: WhatsApp markup (`*bold*`, `_italic_`, `~strike~`, code,
 * quotes, lists) becomes formatting; everything else stays literal text (see `parseWhatsAppMarkup`).
 * `raw` keeps the original.
 */
export function textToFormatted(text: string): FormattedText {
  return parseWhatsAppMarkup(text);
}

/** `code: details` of the first error, for an "unsupported" notice (docs/protocols.md A7, A9). */
export function describeFirstError(errors: readonly WebhookError[] | undefined): string | undefined {
  const first = errors?.[0];
  if (!first) return undefined;
  const words = first.error_data?.details ?? first.message ?? first.title;
  return words ? `${first.code}: ${words}` : String(first.code);
}

/** Drops keys whose value is undefined, so optional fields are absent rather than present-but-undefined. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    // defineProperty, not assignment: a key named `__proto__` stays a plain key, as with fromEntries.
    if (v !== undefined) {
      if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    }
  }
  return out as T;
}

function media(
  kind: MediaKind,
  payload: { id: string; mime_type?: string; sha256?: string },
  extra: Partial<Extract<InboundContent, { kind: "media" }>> = {},
): InboundContent {
  const captionBody = extra.caption ? parseWhatsAppMarkup(extra.caption) : undefined;
  return compact({ kind: "media", media: kind, mediaId: payload.id, mimeType: payload.mime_type, sha256: payload.sha256, ...extra, captionBody });
}

function contactName(card: Extract<KnownInboundMessage, { type: "contacts" }>["contacts"][number]): string {
  const n = card.name;
  const parts = [n?.first_name, n?.middle_name, n?.last_name].filter((p): p is string => !!p);
  return n?.formatted_name ?? (parts.length ? parts.join(" ") : (card.org?.company ?? ""));
}

function interactiveContent(message: Extract<KnownInboundMessage, { type: "interactive" }>): InboundContent {
  const i = message.interactive;
  switch (i.type) {
    case "button_reply":
      return { kind: "interactive", replyType: i.type, id: i.button_reply.id, title: i.button_reply.title };
    case "list_reply":
      return compact({ kind: "interactive", replyType: i.type, id: i.list_reply.id, title: i.list_reply.title, description: i.list_reply.description });
    case "nfm_reply":
      // A Flow / address form: the submitted answers are the JSON string; shown as they came.
      return compact({
        kind: "interactive",
        replyType: i.type,
        id: i.nfm_reply.name,
        title: i.nfm_reply.body ?? "Form submitted",
        description: i.nfm_reply.response_json,
      });
    case "call_permission_reply": {
      const r = i.call_permission_reply;
      const until = r.is_permanent
        ? "permanently"
        : r.expiration_timestamp !== undefined
          ? `until ${new Date(r.expiration_timestamp * 1000).toISOString()}`
          : undefined;
      return compact({ kind: "interactive", replyType: i.type, title: `Call permission: ${r.response}`, description: until });
    }
  }
}

function editedText(edit: Extract<KnownInboundMessage, { type: "edit" }>["edit"]): string | undefined {
  const inner = edit.message as Record<string, unknown> | undefined;
  const type = typeof inner?.type === "string" ? inner.type : undefined;
  const payload = type ? (inner?.[type] as Record<string, unknown> | undefined) : undefined;
  const text = payload?.body ?? payload?.caption;
  return typeof text === "string" ? text : undefined;
}

/** Maps a message whose type and payload were recognised to the core's content variant. */
export function knownContent(message: KnownInboundMessage): InboundContent {
  switch (message.type) {
    case "text":
      return { kind: "text", body: textToFormatted(message.text.body), raw: message.text.body };
    case "image":
      return media("image", message.image, compact({ caption: message.image.caption }));
    case "video":
      return media("video", message.video, compact({ caption: message.video.caption }));
    case "audio":
      return media("audio", message.audio, compact({ voice: message.audio.voice }));
    case "document":
      return media("document", message.document, compact({ caption: message.document.caption, filename: message.document.filename }));
    case "sticker":
      return media("sticker", message.sticker, compact({ animated: message.sticker.animated }));
    case "location": {
      const l = message.location;
      return compact({ kind: "location", latitude: l.latitude, longitude: l.longitude, name: l.name, address: l.address, url: l.url });
    }
    case "contacts":
      return {
        kind: "contacts",
        contacts: message.contacts.map((card) => ({
          name: contactName(card),
          phones: (card.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : "")).filter((p) => p !== ""),
          emails: (card.emails ?? []).map((e) => e.email ?? "").filter((e) => e !== ""),
        })),
      };
    case "interactive":
      return interactiveContent(message);
    case "button":
      return compact({ kind: "button", text: message.button.text, payload: message.button.payload });
    case "reaction":
      // An empty or missing emoji means the customer removed the reaction (docs/protocols.md A7).
      return compact({ kind: "reaction", target: WaMessageId(message.reaction.message_id), emoji: message.reaction.emoji || undefined });
    case "order":
      return compact({
        kind: "order",
        catalogId: message.order.catalog_id,
        text: message.order.text,
        items: message.order.product_items.map((p) => ({ productId: p.product_retailer_id, quantity: p.quantity, price: p.item_price, currency: p.currency })),
      });
    case "system":
      return compact({
        kind: "system",
        systemType: message.system.type ?? "unknown",
        body: message.system.body ?? "",
        newPhone: message.system.wa_id ? WaPhone(message.system.wa_id) : undefined,
        newUserId: message.system.user_id ? WaUserId(message.system.user_id) : undefined,
      });
    case "unsupported":
      // On a normal Cloud API number a customer's edit arrives here with unsupported.type "edit" (docs/protocols.md A7).
      return compact({ kind: "unsupported", originalType: message.unsupported?.type ?? "unsupported", detail: describeFirstError(message.errors) });
    case "unknown":
      return compact({ kind: "unsupported", originalType: "unknown", detail: describeFirstError(message.errors) });
    case "edit":
      return compact({ kind: "edit", target: WaMessageId(message.edit.original_message_id), newText: editedText(message.edit) });
    case "revoke":
      return { kind: "revoke", target: WaMessageId(message.revoke.original_message_id) };
    case "request_welcome":
      // Not a message: the customer opened the chat for the first time (docs/protocols.md A7). No content to show.
      return { kind: "system", systemType: "request_welcome", body: "The customer opened a chat with the business for the first time." };
  }
}

/** Content of any parsed message: unknown types and unreadable payloads become "unsupported", never dropped. */
export function contentOf(parsed: Exclude<ParsedInboundMessage, { kind: "malformed" }>): InboundContent {
  switch (parsed.kind) {
    case "known":
      return knownContent(parsed.message);
    case "unknown_type":
      return {
        kind: "unsupported",
        originalType: parsed.message.type,
        detail: describeFirstError(parsed.message.errors) ?? "a message type this bridge does not know yet",
      };
    case "invalid":
      return { kind: "unsupported", originalType: parsed.message.type, detail: `unreadable ${parsed.message.type} message (${parsed.reason})` };
  }
}
