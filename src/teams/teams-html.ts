import type { Block, FormattedText, Inline } from "../core/formatted-text";
import { neutraliseHref } from "../core/neutralise-text";
import type { ThreadPost } from "../core/ports/teams-gateway";
import { formatUtcTime, isolateName, neutraliseDisplayName, neutraliseText } from "./display-text";
import { wrapLongTokens } from "./long-tokens";
import { postMarker } from "./post-marker";
import { sayNotice, type Tone, type Wording } from "./wording";

/**
 * Rendering to the HTML Teams shows for `textFormat: "xml"` messages (docs/protocols.md B8). Everything that
 * comes from a customer is escaped here, in one place, so customer text can never create markup, a
 * mention (`<at>`) or a hidden link (docs/security.md, adversarial cases 28–29); and every text shown goes through
 * `neutraliseText` first, so bidi controls and invisible characters show as markers (`[U+202E]`) instead
 * of reordering or hiding text (docs/security.md, "Invisible and bidi characters").
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  // Square brackets are encoded too: should any Teams client apply Markdown to the text, `[x](url)`
  // still cannot become a link.
  "[": "&#91;",
  "]": "&#93;",
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'[\]]/g, (c) => HTML_ESCAPES[c]!);
}

/** Text shown as it is: neutralised, then escaped (never for attribute values such as an `href`). */
function shown(text: string): string {
  return escapeHtml(neutraliseText(text));
}

/** Neutralises and escapes text, makes its long tokens wrap (long-tokens.ts) and turns newlines into `<br>`. */
function escapeMultiline(text: string): string {
  return escapeHtml(wrapLongTokens(neutraliseText(text))).replace(/\r\n|\r|\n/g, "<br>");
}

const LINK_SCHEMES = /^(https?:|mailto:)/i;

function renderInline(inline: Inline): string {
  switch (inline.kind) {
    case "break":
      return "<br>";
    case "link": {
      const href = inline.href.trim();
      if (!LINK_SCHEMES.test(href)) return escapeMultiline(inline.text === href ? href : `${inline.text} (${href})`);
      // The exact address in `href`; the text shown may wrap (long-tokens.ts).
      const anchor = `<a href="${escapeHtml(neutraliseHref(href))}">${escapeMultiline(href)}</a>`;
      // The address is always what is shown: a label never hides where a link goes (docs/security.md, adversarial case 28).
      return inline.text && inline.text !== href ? `${escapeMultiline(inline.text)} (${anchor})` : anchor;
    }
    case "text": {
      let html = escapeMultiline(inline.text);
      const m = inline.marks;
      if (m?.code) html = `<code>${html}</code>`;
      if (m?.strike) html = `<s>${html}</s>`;
      if (m?.italic) html = `<em>${html}</em>`;
      if (m?.bold) html = `<strong>${html}</strong>`;
      return html;
    }
  }
}

function renderInlines(inlines: readonly Inline[]): string {
  return inlines.map(renderInline).join("");
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case "paragraph":
      return `<p>${renderInlines(block.inlines)}</p>`;
    case "code":
      return `<pre>${shown(block.text)}</pre>`;
    case "list": {
      const tag = block.ordered ? "ol" : "ul";
      return `<${tag}>${block.items.map((item) => `<li>${renderInlines(item)}</li>`).join("")}</${tag}>`;
    }
    case "quote":
      return `<blockquote>${renderFormattedText(block.blocks)}</blockquote>`;
  }
}

/** Renders formatted text as Teams HTML. */
export function renderFormattedText(doc: FormattedText): string {
  return doc.map(renderBlock).join("");
}

const TONE_PREFIX: Readonly<Record<Tone, string>> = { info: "ℹ️", warning: "⚠️", error: "❌" };

/**
 * The bridge's own messages (replies, notices): escaped like everything else, then `` `word` `` spans
 * (command names in help texts) become `<code>`.
 */
function renderBridgeText(text: string): string {
  return escapeMultiline(text).replace(/`([^`<]+)`/g, "<code>$1</code>");
}

/** A notice from the bridge: an emoji for the tone, then the text in italics. */
export function renderNotice(tone: Tone, text: string): string {
  return `<p>${TONE_PREFIX[tone]} <em>${renderBridgeText(text)}</em></p>`;
}

/** Renders what the bridge says (wording.ts): a notice with its tone, or a plain answer. */
export function renderWording(said: Wording): string {
  return said.tone ? renderNotice(said.tone, said.text) : `<p>${renderBridgeText(said.text)}</p>`;
}

/**
 * The record of what the customer received that no staff message shows (a template, an automatic
 * notice): "📨 <label>" then the text, as ordinary escaped HTML so that Teams retains it and search
 * finds it like any other message.
 */
function renderSentRecord(label: string, text: string): string {
  return `<p>📨 <strong>${shown(label)}</strong></p><p>${escapeMultiline(text)}</p>`;
}

/** The flag a second attempt carries in its own text (so it can never be separated from the duplicate). */
const POSSIBLE_DUPLICATE = {
  restart: "Posted again after the bridge restarted while posting it: this message may appear twice in this thread.",
  unconfirmed: "Posted again because Teams did not confirm the first attempt: this message may appear twice in this thread.",
} as const;

/**
 * Renders a post in a customer thread. A customer message starts with "**Name** (+number or @username)
 * · HH:MM UTC · ref 3f9a2c1b04de": the name is untrusted, so it is neutralised and always shown beside
 * the handle; the reference is derived from the wamid (post-marker.ts).
 */
export function renderThreadPost(post: ThreadPost): string {
  if (post.kind === "notice") {
    // Posted by itself in a thread, even a plain answer reads as a note from the bridge.
    const said = sayNotice(post.notice);
    return renderNotice(said.tone ?? "info", said.text);
  }
  if (post.kind === "sent") return renderSentRecord(post.label, post.text);
  // Images go out as a card or an <img> (image-post.ts); this text is only their fallback.
  if (post.kind === "image") return `<p><em>${shown(`[image: ${neutraliseDisplayName(post.name, 200) || "unnamed"}]`)}</em></p>`;
  // The template card goes out as a card (staff-reply-activity.ts); this text is only its fallback.
  if (post.kind === "template-card") return `<p><em>${escapeHtml("[template card]")}</em></p>`;
  // A right-to-left name is isolated so that it cannot carry the number beside it into its direction.
  const name = isolateName(neutraliseDisplayName(post.authorName));
  const handle = neutraliseDisplayName(post.authorHandle);
  const who = name ? `<strong>${escapeHtml(name)}</strong> (${escapeHtml(handle)})` : `<strong>${escapeHtml(handle)}</strong>`;
  const ref = post.ref ? ` · ref ${postMarker(post.ref)}` : "";
  const parts = [`<p>${who} · ${formatUtcTime(post.sentAt)}${ref}</p>`];
  if (post.possibleDuplicate) parts.push(`<p><em>⚠ ${POSSIBLE_DUPLICATE[post.possibleDuplicate]}</em></p>`);
  if (post.forwarded) parts.push(`<p><em>${post.forwarded === "frequently" ? "↪ Forwarded many times" : "↪ Forwarded"}</em></p>`);
  if (post.placeholder) parts.push(`<p><em>${shown(`[${post.placeholder.replace(/^\[|\]$/g, "")}]`)}</em></p>`);
  parts.push(renderFormattedText(post.body));
  return parts.join("");
}
