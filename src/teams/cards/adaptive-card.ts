/**
 * What every card the bridge builds shares: the card envelope (Adaptive Card 1.5, docs/protocols.md B11), the
 * attachment content type, Markdown escaping for TextBlocks and a Markdown-free labelled line.
 */
import { neutraliseText } from "../../core/neutralise-text";
import { wrapLongTokens } from "../long-tokens";

/** An Adaptive Card, as JSON. */
export type AdaptiveCard = Record<string, unknown> & { readonly type: "AdaptiveCard"; readonly version: string };

/** A card element (TextBlock, RichTextBlock, Input.*, Container …), as JSON. */
export type CardElement = Record<string, unknown>;

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

/**
 * Escapes the Markdown subset that Adaptive Card TextBlocks render (emphasis, links, lists, headings),
 * so customer text shows literally: `[text](url)` cannot become a link, `*x*` cannot become bold.
 * Braces are escaped too: TextBlocks evaluate `{{DATE(…)}}` / `{{TIME(…)}}` functions.
 */
export function escapeCardMarkdown(text: string): string {
  return text
    .replace(/[\\`*_~[\]()<>|{}]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+-])/gm, "$1\\$2")
    .replace(/^(\s*\d+)\./gm, "$1\\.");
}

/**
 * A label and a value in one line. TextRuns never render Markdown, so values need no escaping; they
 * cannot be told to wrap either, so a long token in the value gets line breaks (long-tokens.ts). The
 * value is neutralised (bidi and invisible characters shown as markers).
 */
export function labelled(label: string, value: string, valueStyle: { color?: string; italic?: boolean } = {}): CardElement {
  return {
    type: "RichTextBlock",
    spacing: "Small",
    inlines: [
      { type: "TextRun", text: `${label}: `, weight: "Bolder" },
      { type: "TextRun", text: wrapLongTokens(neutraliseText(value)), ...valueStyle },
    ],
  };
}

/** A TextBlock showing `text` literally (neutralised, escaped for card Markdown), wrapped. */
export function literalText(text: string, style: Record<string, unknown> = {}): CardElement {
  return { type: "TextBlock", text: escapeCardMarkdown(neutraliseText(text)), wrap: true, ...style };
}

/** The card envelope: Adaptive Card 1.5 with the standard `$schema`. */
export function adaptiveCard(body: readonly CardElement[], actions: readonly CardElement[] = []): AdaptiveCard {
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.5",
    body: [...body],
    ...(actions.length > 0 ? { actions: [...actions] } : {}),
  };
}

/** The activity attachment carrying `card`. */
export function cardAttachment(card: AdaptiveCard): { contentType: string; content: AdaptiveCard } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}
