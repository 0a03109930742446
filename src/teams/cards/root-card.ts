import { postMarker } from "../post-marker";
import { excerpt } from "../../core/formatted-text";
import type { ConversationLiveState, RootCardModel } from "../../core/ports/teams-gateway";
import { formatUtcDateTime, isolateName, neutraliseDisplayName, neutraliseText } from "../display-text";
import { wrapLongTokens } from "../long-tokens";
import { adaptiveCard, escapeCardMarkdown, labelled, type AdaptiveCard, type CardElement } from "./adaptive-card";

export { ADAPTIVE_CARD_CONTENT_TYPE, escapeCardMarkdown, type AdaptiveCard } from "./adaptive-card";

const FIRST_MESSAGE_MAX = 300;
const LAST_OUTBOUND_MAX = 120;

/** The customer's name (or the group's subject) as shown: neutralised (bidi and invisible characters as markers), or a fallback. */
function displayName(model: RootCardModel): string {
  if (model.group) return neutraliseDisplayName(model.group.subject) || "WhatsApp group";
  return neutraliseDisplayName(model.customerName) || "WhatsApp customer";
}

/** "3 participants" / "participants unknown", and the group's state when it cannot receive messages. */
function groupLine(group: NonNullable<RootCardModel["group"]>): string {
  const count =
    group.participantCount === undefined ? "participants unknown" : `${group.participantCount} participant${group.participantCount === 1 ? "" : "s"}`;
  const state = group.deleted ? " · deleted in WhatsApp" : group.suspended ? " · suspended by WhatsApp" : "";
  return `${count}${state}`;
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
 * eDiscovery, docs/protocols.md B17), also used as the activity's `summary`.
 */
export function rootCardSummary(model: RootCardModel): string {
  const first = neutraliseText(excerpt(model.firstMessage, 120));
  // A right-to-left name is isolated so that it cannot carry the number after it into its direction.
  if (model.group) return `WhatsApp group · ${isolateName(displayName(model))} · ${groupLine(model.group)}: ${first}`;
  return `WhatsApp · ${isolateName(displayName(model))} · ${handleOf(model)}: ${first}`;
}

/** The window line as shown: "open until … UTC" or "closed — only templates can be sent". */
export function windowText(window: ConversationLiveState["window"]): string {
  if (!window.open) return "closed — only templates can be sent";
  return window.closesAt === undefined ? "open" : `open until ${formatUtcDateTime(window.closesAt)}`;
}

/**
 * The live-state lines: the 24-hour window, the last outbound message (ticks, time, start of its text)
 * and the opt-out. All in TextRuns, which render no Markdown: the excerpt is shown literally.
 */
function liveStateElements(live: ConversationLiveState): CardElement[] {
  const elements: CardElement[] = [
    { type: "TextBlock", text: "Status", weight: "Bolder", spacing: "Medium", wrap: true },
    labelled("Window", windowText(live.window), { color: live.window.open ? "Good" : "Warning" }),
  ];
  if (live.lastOutbound) {
    const { ticks, at, excerpt: text } = live.lastOutbound;
    elements.push(labelled("Last sent", `${neutraliseDisplayName(ticks) || "…"} · ${formatUtcDateTime(at)}`));
    const start = neutraliseText(excerpt(text, LAST_OUTBOUND_MAX));
    if (start)
      elements.push({
        type: "RichTextBlock",
        spacing: "None",
        inlines: [{ type: "TextRun", text: wrapLongTokens(`“${start}”`), italic: true, isSubtle: true }],
      });
  }
  if (live.optedOut) {
    elements.push({
      type: "RichTextBlock",
      spacing: "Small",
      inlines: [{ type: "TextRun", text: "⛔ Opted out of business-initiated messages", color: "Attention", weight: "Bolder" }],
    });
  }
  return elements;
}

/**
 * Builds the root card of a customer thread: an Adaptive Card 1.5 posted on its own (docs/protocols.md B10,
 * docs/protocols.md B11), and replaced in place when `live` changes. Customer-controlled strings go into TextRuns (which do
 * not render Markdown) or, in the summary TextBlock, are Markdown-escaped; names and texts are
 * neutralised (bidi and invisible characters shown as markers, docs/security.md). TextBlocks wrap;
 * TextRuns cannot be told to, so their long tokens (a link, a hash) get line breaks (long-tokens.ts)
 * instead of running out of the card.
 */
export function buildRootCard(model: RootCardModel): AdaptiveCard {
  const body: CardElement[] = [
    { type: "TextBlock", text: model.group ? "WhatsApp group" : "WhatsApp conversation", weight: "Bolder", size: "Medium", wrap: true },
    { type: "RichTextBlock", inlines: [{ type: "TextRun", text: wrapLongTokens(displayName(model)), weight: "Bolder", size: "Large" }] },
    model.group
      ? labelled("Group", groupLine(model.group), model.group.suspended || model.group.deleted ? { color: "Attention" } : {})
      : labelled(model.phone ? "Phone" : "Contact", handleOf(model)),
  ];
  if (model.group)
    body.push({
      type: "TextBlock",
      text: "Replies in this thread go to the whole group, never to one member.",
      isSubtle: true,
      size: "Small",
      wrap: true,
      spacing: "None",
    });
  if (model.earlierThreadGone) {
    body.push({
      type: "TextBlock",
      text: "The earlier thread of this conversation was deleted in Teams: the conversation continues here.",
      color: "Warning",
      wrap: true,
      spacing: "Small",
    });
  }
  if (model.businessDisplay) body.push(labelled("Business number", neutraliseDisplayName(model.businessDisplay)));
  body.push(labelled("Started", formatUtcDateTime(model.startedAt)));
  if (model.live) body.push(...liveStateElements(model.live));
  body.push({ type: "TextBlock", text: "First message", weight: "Bolder", spacing: "Medium", wrap: true });
  body.push({
    type: "RichTextBlock",
    inlines: [{ type: "TextRun", text: wrapLongTokens(neutraliseText(excerpt(model.firstMessage, FIRST_MESSAGE_MAX))) || "(no text)" }],
  });
  body.push({ type: "TextBlock", text: escapeCardMarkdown(rootCardSummary(model)), isSubtle: true, size: "Small", wrap: true, spacing: "Medium" });
  // Derived from the contact key: how a thread whose start a crash cut short is found (graph-thread-history.ts).
  if (model.ref) body.push({ type: "TextBlock", text: `ref ${postMarker(model.ref)}`, isSubtle: true, size: "Small", spacing: "None", wrap: true });
  return adaptiveCard(body);
}
