import { excerpt } from "../../core/formatted-text";
import type { RootCardModel } from "../../core/ports/teams-gateway";
import { formatUtcDateTime, neutraliseDisplayName } from "../display-text";

/** An Adaptive Card, as JSON. */
export type AdaptiveCard = Record<string, unknown> & { readonly type: "AdaptiveCard"; readonly version: string };

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
const FIRST_MESSAGE_MAX = 300;

/**
 * Escapes the Markdown subset that Adaptive Card TextBlocks render (emphasis, links, lists, headings),
 * so customer text shows literally: `[text](url)` cannot become a link, `*x*` cannot become bold.
 */
export function escapeCardMarkdown(text: string): string {
  return text
    .replace(/[\\`*_~[\]()<>|{}]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+-])/gm, "$1\\$2")
    .replace(/^(\s*\d+)\./gm, "$1\\.");
}

/** The customer's name as shown: neutralised (bidi/zero-width removed), or a fallback. */
function displayName(model: RootCardModel): string {
  return neutraliseDisplayName(model.customerName) || "WhatsApp customer";
}

function handleOf(model: RootCardModel): string {
  const phone = neutraliseDisplayName(model.phone);
  const username = neutraliseDisplayName(model.username);
  if (phone && username) return `${phone} · @${username.replace(/^@/, "")}`;
  if (phone) return phone;
  if (username) return `@${username.replace(/^@/, "")}`;
  return "number unknown";
}

/**
 * The plain-text line that makes the record searchable (card content is retained and found by
 * eDiscovery, protocols.md B17), also used as the activity's `summary`.
 */
export function rootCardSummary(model: RootCardModel): string {
  const first = excerpt(model.firstMessage, 120);
  return `WhatsApp · ${displayName(model)} · ${handleOf(model)}: ${first}`;
}

/** A label and a value in one line. TextRuns never render Markdown, so values need no escaping. */
function labelled(label: string, value: string): Record<string, unknown> {
  return {
    type: "RichTextBlock",
    spacing: "Small",
    inlines: [
      { type: "TextRun", text: `${label}: `, weight: "Bolder" },
      { type: "TextRun", text: value },
    ],
  };
}

/**
 * Builds the root card of a customer thread: an Adaptive Card 1.5 posted on its own (protocols.md B10,
 * B11). Customer-controlled strings go into TextRuns (which do not render Markdown) or, in the summary
 * TextBlock, are Markdown-escaped; names are neutralised (security-case 30).
 */
export function buildRootCard(model: RootCardModel): AdaptiveCard {
  const body: Record<string, unknown>[] = [
    { type: "TextBlock", text: "WhatsApp conversation", weight: "Bolder", size: "Medium", wrap: true },
    { type: "RichTextBlock", inlines: [{ type: "TextRun", text: displayName(model), weight: "Bolder", size: "Large" }] },
    labelled(model.phone ? "Phone" : "Contact", handleOf(model)),
  ];
  if (model.businessDisplay) body.push(labelled("Business number", neutraliseDisplayName(model.businessDisplay)));
  body.push(labelled("Started", formatUtcDateTime(model.startedAt)));
  body.push({ type: "TextBlock", text: "First message", weight: "Bolder", spacing: "Medium", wrap: true });
  body.push({ type: "RichTextBlock", inlines: [{ type: "TextRun", text: excerpt(model.firstMessage, FIRST_MESSAGE_MAX) || "(no text)" }] });
  body.push({ type: "TextBlock", text: escapeCardMarkdown(rootCardSummary(model)), isSubtle: true, size: "Small", wrap: true, spacing: "Medium" });
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.5",
    body,
  };
}
