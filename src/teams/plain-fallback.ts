import { toPlainText } from "../core/formatted-text";
import type { ThreadPost } from "../core/ports/teams-gateway";
import { formatUtcDateTime, neutraliseDisplayName, neutraliseText } from "./display-text";
import { postMarker } from "./post-marker";

/**
 * Teams' message limit is about 100 KB of UTF-16, and older copies of its documentation say 28–40 KB:
 * the plain-text fallback stays well under the smallest (docs/protocols.md B10).
 */
const FALLBACK_MAX_CHARS = 12_000;

/**
 * A customer post as plain text, for when Teams refused the formatted one (malformed or too large):
 * who, when and the reference, then the text with every link and file line (name, SHA-256) spelled out,
 * cut if it is still too long. It says it is a fallback, so a reader knows why it looks different.
 */
export function renderPlainFallback(post: Extract<ThreadPost, { kind: "customer" }>): string {
  const name = neutraliseDisplayName(post.authorName);
  const handle = neutraliseDisplayName(post.authorHandle);
  const ref = post.ref ? ` · ref ${postMarker(post.ref)}` : "";
  const lines = [
    `${name ? `${name} (${handle})` : handle} · ${formatUtcDateTime(post.sentAt)}${ref}`,
    "[Shown as plain text: Teams refused the formatted version of this message.]",
  ];
  if (post.possibleDuplicate) lines.push("[This message may appear twice in this thread: it was posted again after an interrupted attempt.]");
  if (post.forwarded) lines.push(post.forwarded === "frequently" ? "[Forwarded many times]" : "[Forwarded]");
  if (post.placeholder) lines.push(`[${neutraliseText(post.placeholder).replace(/^\[|\]$/g, "")}]`);
  const header = lines.join("\n");
  const body = neutraliseText(toPlainText(post.body));
  const room = FALLBACK_MAX_CHARS - header.length - 2;
  const chars = Array.from(body);
  const cut =
    chars.length > room ? `${chars.slice(0, Math.max(0, room - 120)).join("")}\n[… cut here: the whole message is kept in the bridge's journal.]` : body;
  return `${header}\n\n${cut}`;
}
