import type { Block, FormattedText, Inline } from "../../formatted-text";
import type { AdReferral, InboundContent, InboundMessage } from "../../messages";
import { bold, italic, link, lines, nameOf, p, quoted, t } from "../thread-view/thread-text";

/**
 * What a customer message says, as the text of its reply in the thread: every type of docs/protocols.md A7
 * spelled out (not only its type), so that the record is complete and searchable. Pure. Media, reactions,
 * edits and deletions need lookups first: their texts are built in media-post.ts and reactions.ts.
 */

/** The short tag shown above the text (`[location]`, `[order]` …); undefined for plain text. */
export function labelOf(content: InboundContent): string | undefined {
  switch (content.kind) {
    case "text":
      return undefined;
    case "media":
      return content.media === "audio" && content.voice ? "voice message" : content.media;
    case "location":
      return "location";
    case "contacts":
      return content.contacts.length === 1 ? "shared contact" : "shared contacts";
    case "interactive":
      return INTERACTIVE_LABEL[content.replyType] ?? "tapped a button";
    case "button":
      return "tapped a template button";
    case "reaction":
      return undefined;
    case "order":
      return "order";
    case "system":
      return content.systemType === "request_welcome" ? "opened the chat" : "WhatsApp notice";
    case "edit":
      return "edited a message";
    case "revoke":
      return "deleted a message";
    case "unsupported":
      return content.originalType === "edit" ? "edited a message" : `unsupported message (type ${content.originalType})`;
  }
}

const INTERACTIVE_LABEL: Readonly<Record<string, string>> = {
  button_reply: "tapped a button",
  list_reply: "chose from a list",
  nfm_reply: "submitted a form",
  call_permission_reply: "answered a call permission request",
};

/** A map link anyone can open, from the coordinates (not from anything the customer typed). */
export function mapLink(latitude: number, longitude: number): string {
  return `https://www.google.com/maps/search/?api=1&query=${latitude.toFixed(6)},${longitude.toFixed(6)}`;
}

const field = (label: string, ...value: Inline[]): Inline[] => [bold(`${label}: `), ...value];
const row = (...inlines: Inline[][]): Block => p(...inlines.flatMap((item, n) => (n === 0 ? item : [{ kind: "break" as const }, ...item])));

function locationBody(c: Extract<InboundContent, { kind: "location" }>): FormattedText {
  const parts: Inline[][] = [];
  if (c.name) parts.push([bold(c.name)]);
  if (c.address) parts.push([t(c.address)]);
  parts.push(field("Coordinates", t(`${c.latitude}, ${c.longitude}`)));
  parts.push(field("Map", link(mapLink(c.latitude, c.longitude))));
  // The `url` comes with business locations only; shown with its address visible, like every link.
  if (c.url && /^https:\/\//i.test(c.url)) parts.push(field("Website", link(c.url)));
  return [row(...parts)];
}

function contactsBody(c: Extract<InboundContent, { kind: "contacts" }>): FormattedText {
  return c.contacts.map((card) => {
    const parts: Inline[][] = [[bold(card.name || "(no name)")]];
    for (const phone of card.phones) parts.push(field("Phone", t(phone)));
    for (const email of card.emails) parts.push(field("Email", t(email)));
    if (card.phones.length === 0 && card.emails.length === 0) parts.push([italic("no phone number or email in the card")]);
    return row(...parts);
  });
}

function interactiveBody(c: Extract<InboundContent, { kind: "interactive" }>): FormattedText {
  const blocks: Block[] = [p(t("Tapped: "), bold(c.title))];
  if (c.replyType === "nfm_reply") {
    // A Flow's answers: a JSON string, shown as sent so nothing is lost.
    if (c.description) blocks.push({ kind: "code", text: c.description });
  } else if (c.description) blocks.push(p(t(c.description)));
  if (c.id && c.replyType !== "nfm_reply") blocks.push(p(italic(`reply id: ${c.id}`)));
  return blocks;
}

function sum(items: Extract<InboundContent, { kind: "order" }>["items"]): string {
  const totals = new Map<string, number>();
  for (const i of items) totals.set(i.currency, (totals.get(i.currency) ?? 0) + i.price * i.quantity);
  return [...totals].map(([currency, total]) => `${total.toFixed(2)} ${currency}`).join(" + ");
}

function orderBody(c: Extract<InboundContent, { kind: "order" }>): FormattedText {
  const blocks: Block[] = [];
  if (c.items.length > 0) {
    blocks.push({
      kind: "list",
      ordered: false,
      items: c.items.map((i) => [
        t(`${i.quantity} × `),
        bold(i.productId),
        t(` at ${i.price.toFixed(2)} ${i.currency} = ${(i.price * i.quantity).toFixed(2)} ${i.currency}`),
      ]),
    });
    blocks.push(p(...field("Total", t(sum(c.items)))));
  } else blocks.push(p(italic("no items")));
  blocks.push(p(...field("Catalog", t(c.catalogId))));
  blocks.push(...lines(c.text));
  return blocks;
}

function systemBody(message: InboundMessage, c: Extract<InboundContent, { kind: "system" }>): FormattedText {
  if (c.systemType === "request_welcome") return [p(t(`${nameOf(message)} opened a chat with the business for the first time.`))];
  return lines(c.body || `WhatsApp system message (${c.systemType}).`);
}

function unsupportedBody(message: InboundMessage, c: Extract<InboundContent, { kind: "unsupported" }>): FormattedText {
  if (c.originalType === "edit") {
    return [
      p(
        t(
          `${nameOf(message)} edited an earlier message in WhatsApp. WhatsApp does not share edits with this number, so the new text is not available here; the original stays in this thread as it was.`,
        ),
      ),
    ];
  }
  const why = c.detail ? ` (${c.detail})` : "";
  return [
    p(
      t(
        `${nameOf(message)} sent a message of a type WhatsApp does not deliver to this bridge: ${c.originalType}${why}. Ask the customer to send it another way if it matters.`,
      ),
    ),
  ];
}

/**
 * The text of a message that needs no lookup: text, location, contacts, taps, orders, system notices and
 * unsupported types. Media, reactions, edits and deletions return undefined (built elsewhere).
 */
export function plainBodyOf(message: InboundMessage): FormattedText | undefined {
  const c = message.content;
  switch (c.kind) {
    case "text":
      return c.body;
    case "location":
      return locationBody(c);
    case "contacts":
      return contactsBody(c);
    case "interactive":
      return interactiveBody(c);
    case "button":
      return [p(t("Tapped: "), bold(c.text)), ...(c.payload ? [p(italic(`button payload: ${c.payload}`))] : [])];
    case "order":
      return orderBody(c);
    case "system":
      return systemBody(message, c);
    case "unsupported":
      return unsupportedBody(message, c);
    case "media":
    case "reaction":
    case "edit":
    case "revoke":
      return undefined;
  }
}

/** The ad or post the customer came from, as a line under the message. */
export function referralBlock(r: AdReferral): Block {
  const kind = r.sourceType === "post" ? "a post" : "an ad";
  const parts: Inline[][] = [[t(`📣 Came from ${kind}`), ...(r.headline ? [t(": "), bold(r.headline)] : [])]];
  if (r.body) parts.push([t(quoted(r.body, 300))]);
  if (r.sourceUrl && /^https?:\/\//i.test(r.sourceUrl)) parts.push(field("Source", link(r.sourceUrl)));
  const ids = [r.sourceId ? `id ${r.sourceId}` : undefined, r.mediaType ? `${r.mediaType} ad` : undefined].filter(Boolean).join(", ");
  if (ids) parts.push([italic(ids)]);
  return row(...parts);
}
