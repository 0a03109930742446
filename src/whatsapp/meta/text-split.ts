/**
 * Splits WhatsApp text longer than `max` characters (code points) into parts of at most `max`, in order:
 * at paragraph boundaries (blank lines) first, then at line breaks, then after sentence ends, then at
 * spaces, and only as a last resort in the middle of a word. Parts are trimmed; none is empty.
 */
export function splitWhatsAppText(text: string, max: number): string[] {
  if (Array.from(text).length <= max) return text.trim() ? [text] : [];
  const parts: string[] = [];
  let rest = text.trim();
  while (Array.from(rest).length > max) {
    const head = Array.from(rest)
      .slice(0, max + 1)
      .join("");
    const cut = lastBreak(head, max);
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts.filter((p) => p !== "");
}

/** Where to cut `head` (which is `max + 1` code points long): the best boundary at or before `max`. */
function lastBreak(head: string, max: number): number {
  const limit = Array.from(head).slice(0, max).join("").length;
  const window = head.slice(0, limit + 1);
  // Prefer a boundary in the second half, so parts do not become tiny.
  const floor = Math.floor(limit / 2);
  for (const pattern of [/\n\s*\n/g, /\n/g, /[.!?…](?=\s)/g, /\s/g]) {
    let best = -1;
    for (const match of window.matchAll(pattern)) {
      const end = match.index! + (pattern.source.startsWith("[") ? 1 : 0);
      if (end <= limit && end > floor) best = end;
    }
    if (best > 0) return best;
  }
  return limit;
}
