import { excerpt, toPlainText, type Block, type FormattedText, type Inline, type Marks } from "../../formatted-text";
import type { InboundContent, InboundMessage } from "../../messages";
import { neutraliseName } from "../../neutralise-text";

/**
 * Small builders for the FormattedText the bridge writes into threads. Everything built here is text
 * and links; the Teams renderer escapes all of it, so customer words can be put in without care.
 */

export const t = (text: string, marks?: Marks): Inline => (marks ? { kind: "text", text, marks } : { kind: "text", text });
export const bold = (text: string): Inline => t(text, { bold: true });
export const italic = (text: string): Inline => t(text, { italic: true });
export const link = (href: string, text = href): Inline => ({ kind: "link", href, text });
export const p = (...inlines: Inline[]): Block => ({ kind: "paragraph", inlines });
export const quote = (...blocks: Block[]): Block => ({ kind: "quote", blocks });

/** A paragraph per line of `text`, or nothing for empty text. */
export function lines(text: string | undefined): Block[] {
  if (!text || !text.trim()) return [];
  const inlines: Inline[] = [];
  text
    .replace(/\r\n|\r/g, "\n")
    .split("\n")
    .forEach((line, n) => {
      if (n > 0) inlines.push({ kind: "break" });
      if (line) inlines.push(t(line));
    });
  return [p(...inlines)];
}

/** `“text”`, cut to `max` characters. */
export const quoted = (text: string, max = 200) => `“${excerpt(text, max)}”`;

/** How a contact is named in sentences the bridge writes: the profile name (cleaned), else the handle. */
export function nameOf(message: Pick<InboundMessage, "contact">): string {
  return personName(message.contact);
}

/**
 * How a person is named in sentences the bridge writes: the profile name, else the number or username.
 * The name is neutralised (bidi and invisible characters shown as markers, neutralise-text.ts); a name
 * with nothing visible in it counts as none.
 */
export function personName(c: { readonly profileName?: string; readonly phone?: string; readonly username?: string }): string {
  const cleaned = neutraliseName(c.profileName);
  if (cleaned) return cleaned;
  if (c.phone) return `+${c.phone}`;
  if (c.username) return c.username.startsWith("@") ? c.username : `@${c.username}`;
  return "The customer";
}

const MEDIA_NOUN: Readonly<Record<string, string>> = { image: "image", audio: "audio", video: "video", document: "document", sticker: "sticker" };

/** One line saying what a message was, for quotes and reactions: its text, caption, or type. */
export function summaryOf(content: InboundContent): string {
  switch (content.kind) {
    case "text":
      return content.raw.trim() || toPlainText(content.body);
    case "media": {
      const noun = content.media === "audio" && content.voice ? "voice message" : (MEDIA_NOUN[content.media] ?? content.media);
      const detail = content.caption ?? content.filename;
      return detail ? `[${noun}] ${detail}` : `[${noun}]`;
    }
    case "location":
      return `[location] ${[content.name, content.address].filter(Boolean).join(", ") || `${content.latitude}, ${content.longitude}`}`;
    case "contacts":
      return `[shared contact] ${content.contacts.map((c) => c.name).join(", ")}`;
    case "interactive":
      return `[tapped] ${content.title}`;
    case "button":
      return `[tapped] ${content.text}`;
    case "reaction":
      return content.emoji ? `[reaction ${content.emoji}]` : "[reaction removed]";
    case "order":
      return `[order] ${content.items.length} item${content.items.length === 1 ? "" : "s"}`;
    case "system":
      return `[system] ${content.body}`;
    case "edit":
      return content.newText ? `[edit] ${content.newText}` : "[edit]";
    case "revoke":
      return "[deleted a message]";
    case "unsupported":
      return `[unsupported message (type ${content.originalType})]`;
  }
}

/** Appends `extra` blocks to `doc`. */
export function concat(...docs: FormattedText[]): FormattedText {
  return docs.flat();
}
