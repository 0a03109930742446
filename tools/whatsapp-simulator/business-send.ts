import type { SimLocation } from "./chat-state";

/**
 * What a body POSTed to `/{phone-number-id}/messages` (docs/protocols.md A10, A11) means to the customer's
 * phone: a message to show, a reaction on one of the customer's messages, or a read mark (with or
 * without a typing indicator).
 */
export type BusinessAction =
  | {
      readonly kind: "message";
      readonly type: string;
      readonly text?: string;
      readonly mediaId?: string;
      readonly link?: string;
      readonly filename?: string;
      readonly location?: SimLocation;
      readonly replyTo?: string;
    }
  | { readonly kind: "reaction"; readonly messageId: string; readonly emoji: string }
  | { readonly kind: "read"; readonly messageId: string; readonly typing: boolean };

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const MEDIA_TYPES = new Set(["image", "video", "audio", "document", "sticker"]);

/** Interprets an accepted send body. Only bodies the stand-in accepted reach this, so the basics hold. */
export function interpretSend(body: unknown): BusinessAction {
  const b = obj(body);
  if (b.status === "read") return { kind: "read", messageId: str(b.message_id) ?? "", typing: b.typing_indicator !== undefined };
  const type = str(b.type) ?? "text";
  const payload = obj(b[type]);
  const replyTo = str(obj(b.context).message_id);
  const base = { kind: "message" as const, type, ...(replyTo ? { replyTo } : {}) };

  if (type === "reaction") return { kind: "reaction", messageId: str(payload.message_id) ?? "", emoji: str(payload.emoji) ?? "" };
  if (type === "text") return { ...base, text: str(payload.body) ?? "" };
  if (MEDIA_TYPES.has(type)) {
    const caption = str(payload.caption);
    const id = str(payload.id);
    const link = str(payload.link);
    const filename = str(payload.filename);
    return { ...base, ...(caption ? { text: caption } : {}), ...(id ? { mediaId: id } : {}), ...(link ? { link } : {}), ...(filename ? { filename } : {}) };
  }
  if (type === "location") {
    const name = str(payload.name);
    const address = str(payload.address);
    return {
      ...base,
      location: { latitude: Number(payload.latitude), longitude: Number(payload.longitude), ...(name ? { name } : {}), ...(address ? { address } : {}) },
    };
  }
  if (type === "template") return { ...base, text: describeTemplate(payload) };
  if (type === "interactive") return { ...base, text: describeInteractive(payload) };
  if (type === "contacts") {
    const names = list(b.contacts).map((c) => str(obj(obj(c).name).formatted_name) ?? "a contact");
    return { ...base, text: `Contact card: ${names.join(", ")}` };
  }
  return { ...base, text: `[${type} message]` };
}

/** A template as the customer would roughly read it: its name and the values filled in. */
function describeTemplate(template: Json): string {
  const name = str(template.name) ?? "?";
  const language = str(obj(template.language).code);
  const values = list(template.components).flatMap((component) =>
    list(obj(component).parameters).map((p) => {
      const parameter = obj(p);
      return str(parameter.text) ?? (str(parameter.type) ? `[${str(parameter.type)}]` : "");
    }),
  );
  return `Template "${name}"${language ? ` (${language})` : ""}${values.length > 0 ? `: ${values.filter((v) => v !== "").join(" · ")}` : ""}`;
}

/** An interactive message: its body text and the choices offered. */
function describeInteractive(interactive: Json): string {
  const body = str(obj(interactive.body).text) ?? "";
  const action = obj(interactive.action);
  const buttons = list(action.buttons)
    .map((b) => str(obj(obj(b).reply).title))
    .filter((t): t is string => t !== undefined);
  const rows = list(action.sections)
    .flatMap((s) => list(obj(s).rows).map((r) => str(obj(r).title)))
    .filter((t): t is string => t !== undefined);
  const choices = [...buttons, ...rows].map((c) => `[${c}]`).join(" ");
  return [body, choices].filter((part) => part !== "").join("\n") || "[interactive message]";
}
