import { excerpt, toPlainText } from "../../formatted-text";
import type { InboundContent, InboundMessage } from "../../messages";
import type { GroupInfo } from "../../model";
import { conversationKeyOf } from "../../messages";
import type { RootCardModel } from "../../ports/teams-gateway";
import { groupCardOf } from "../thread-view/live-state";

/** How a contact is shown next to their (untrusted) profile name: the number, else the username. */
export function handleOf(message: Pick<InboundMessage, "contact">): string {
  const c = message.contact;
  if (c.phone) return `+${c.phone}`;
  if (c.username) return c.username.startsWith("@") ? c.username : `@${c.username}`;
  return "WhatsApp user";
}

const MEDIA_LABEL: Record<string, string> = { image: "image", audio: "audio", video: "video", document: "document", sticker: "sticker" };

/**
 * A one-line, readable stand-in for content this bridge does not render in full yet. Every type has one,
 * so nothing is ever dropped silently; unknown types say so with their type name.
 */
export function placeholderOf(content: InboundContent): string | undefined {
  switch (content.kind) {
    case "text":
      return undefined;
    case "media": {
      const label = content.media === "audio" && content.voice ? "voice message" : (MEDIA_LABEL[content.media] ?? content.media);
      const name = content.filename ? `: ${content.filename}` : "";
      const caption = content.caption ? ` “${content.caption}”` : "";
      return `[${label}${name}]${caption}`;
    }
    case "location":
      return `[location] ${[content.name, content.address].filter(Boolean).join(", ") || `${content.latitude}, ${content.longitude}`}`;
    case "contacts":
      return `[shared contact${content.contacts.length === 1 ? "" : "s"}] ${content.contacts.map((c) => c.name).join(", ")}`;
    case "interactive":
      return `[tapped] ${content.title}`;
    case "button":
      return `[tapped] ${content.text}`;
    case "reaction":
      return content.emoji ? `[reaction ${content.emoji}]` : "[reaction removed]";
    case "order":
      return `[order] ${content.items.length} item${content.items.length === 1 ? "" : "s"}${content.text ? `: ${content.text}` : ""}`;
    case "system":
      return `[system] ${content.body}`;
    case "edit":
      return content.newText ? `[edited a message] ${content.newText}` : "[edited a message]";
    case "revoke":
      return "[deleted a message]";
    case "unsupported":
      return content.originalType === "edit"
        ? "[the customer edited an earlier message; WhatsApp does not share the new text with this number]"
        : `[unsupported message (type ${content.originalType})]`;
  }
}

/** The root card of a new thread: the customer's, or the group's (`group`) whoever wrote first. */
export function toRootCard(message: InboundMessage, businessDisplay?: string, group?: GroupInfo): RootCardModel {
  const first = message.content.kind === "text" ? toPlainText(message.content.body) : (placeholderOf(message.content) ?? "");
  const c = message.contact;
  const who = group
    ? { group: groupCardOf(group) }
    : {
        ...(c.profileName ? { customerName: c.profileName } : {}),
        ...(c.phone ? { phone: `+${c.phone}` } : {}),
        ...(c.username ? { username: c.username } : {}),
      };
  return {
    ...who,
    ...(businessDisplay ? { businessDisplay } : {}),
    firstMessage: excerpt(first, 500),
    startedAt: message.timestamp * 1000,
    ref: conversationKeyOf(message),
  };
}
