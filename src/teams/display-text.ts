/**
 * Making untrusted display strings (WhatsApp profile names, usernames) safe to show: a name must not
 * reorder the text around it or hide characters (security-cases 29–30).
 */

/**
 * Bidi embeddings/overrides/isolates, zero-width characters and marks, the word joiner and invisible
 * operators, the deprecated format characters, the BOM. The Teams adapter's only copy: every name it
 * shows goes through `neutraliseDisplayName`. src/core/bridge/thread-text.ts keeps the same list for
 * the core's own sentences (the core may not import an adapter).
 */
const INVISIBLE_OR_BIDI = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
/** C0/C1 control characters (tabs and newlines included: a name is one line). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Removes bidi control and zero-width characters and control characters, collapses whitespace and caps
 * the length (by code point). Returns "" when nothing visible is left.
 */
export function neutraliseDisplayName(name: string | undefined, maxLength = 80): string {
  if (!name) return "";
  const cleaned = name.replace(INVISIBLE_OR_BIDI, "").replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  const chars = Array.from(cleaned);
  return chars.length <= maxLength ? cleaned : chars.slice(0, maxLength - 1).join("") + "…";
}

/** `HH:MM UTC` of an epoch-milliseconds time. */
export function formatUtcTime(epochMs: number): string {
  const d = new Date(epochMs);
  if (Number.isNaN(d.getTime())) return "--:-- UTC";
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")} UTC`;
}

/** `YYYY-MM-DD HH:MM UTC` of an epoch-milliseconds time. */
export function formatUtcDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  if (Number.isNaN(d.getTime())) return "unknown time";
  return `${d.toISOString().slice(0, 10)} ${formatUtcTime(epochMs)}`;
}
