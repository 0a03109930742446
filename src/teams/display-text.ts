import { hasRightToLeft, neutraliseName, neutraliseText } from "../core/neutralise-text";

/**
 * Making untrusted display strings (WhatsApp profile names, usernames, file names) safe to show: a name
 * must not reorder the text around it or hide characters (docs/security.md, "Invisible and bidi
 * characters"). The rules themselves are the core's (src/core/neutralise-text.ts).
 */

export { neutraliseText };

/**
 * A name for one line: bidi controls and invisible characters shown as markers (`[U+202E]`), control
 * characters and line breaks as spaces, whitespace collapsed, at most `maxLength` characters. Returns ""
 * when nothing visible is left.
 */
export function neutraliseDisplayName(name: string | undefined, maxLength = 80): string {
  return neutraliseName(name, maxLength);
}

/**
 * A neutralised name that has right-to-left letters, wrapped in a first-strong isolate (U+2068 … U+2069)
 * so that it cannot reorder what follows it on the line: an Arabic name would otherwise carry the digits
 * of the number shown beside it into its own direction. Our own isolate, added after neutralising (a
 * customer's isolates never get this far). Other names are returned as they are.
 */
export function isolateName(name: string): string {
  return name && hasRightToLeft(name) ? `\u2068${name}\u2069` : name;
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
