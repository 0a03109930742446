/**
 * Making untrusted text safe to show to staff: characters that are invisible, or that reorder the text
 * around them (bidi controls), are made visible as a marker such as `[U+202E]`, so that
 * "invoice\u202Efdp.exe" shows as "invoice[U+202E]fdp.exe", never as "invoiceexe.pdf" (a Trojan-Source
 * style trick). Applied where text is rendered (the Teams adapter, stored file names); the record keeps
 * the raw text. Pure. The rules, and why markers rather than removal, are in docs/security.md
 * ("Invisible and bidi characters").
 *
 * Kept, because real writing needs them:
 * - ZWJ between emoji (👨‍👩‍👧) and ZWJ/ZWNJ between letters of scripts that spell with them (Persian,
 *   Arabic, the Indic scripts, Sinhala, Myanmar, Khmer, Mongolian, Tibetan, Syriac, N'Ko);
 * - LRM, RLM and ALM in text that has right-to-left letters (a visible Arabic or Hebrew letter can do
 *   whatever a mark does, so the mark adds no power there);
 * - one variation selector after a visible character (❤️, CJK variants); a second one in a row is not
 *   writing but hidden data;
 * - the tag characters of an emoji flag sequence (🏴 + tags + cancel tag).
 */

/** A piece of neutralised text: as given, or a marker standing for hidden characters (`raw`: them). */
export type TextPiece = { readonly text: string; readonly hidden: false } | { readonly text: string; readonly hidden: true; readonly raw: string };

/** Embeddings, overrides and isolates: they reorder what follows them; never kept. */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;
/** LRM, RLM, ALM: kept in text that has right-to-left letters. */
const BIDI_MARK = /[\u200e\u200f\u061c]/u;
/* eslint-disable no-control-regex, no-misleading-character-class -- invisible and control characters are what these find */
/** Invisible characters with no writing use here (Default_Ignorable_Code_Point and the C0/C1 controls). */
const ALWAYS_HIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2065\u206a-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e001f}\u{e0080}-\u{e00ff}\u{e01f0}-\u{e0fff}]/u;
const VARIATION_SELECTOR = /[\u180b-\u180d\u180f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
const ZWNJ = "\u200c";
const ZWJ = "\u200d";
const TAG = /[\u{e0020}-\u{e007e}]/u;
const CANCEL_TAG = "\u{e007f}";
const BLACK_FLAG = "\u{1f3f4}";
/** An emoji flag's tag sequence is a region code (`gbsct`): a few tags. */
const MAX_FLAG_TAGS = 16;

/** Every character any rule above may act on: text without one is returned as it is (the usual case). */
const ANY_SUSPECT =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]/u;
/* eslint-enable no-control-regex, no-misleading-character-class */

const RTL_LETTER =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}]/u;
/** Scripts in which ZWJ and ZWNJ are part of spelling (joining and conjunct forms). */
const JOINER_SCRIPT =
  /[\p{Script_Extensions=Arabic}\p{Script_Extensions=Syriac}\p{Script_Extensions=Nko}\p{Script_Extensions=Mongolian}\p{Script_Extensions=Devanagari}\p{Script_Extensions=Bengali}\p{Script_Extensions=Gurmukhi}\p{Script_Extensions=Gujarati}\p{Script_Extensions=Oriya}\p{Script_Extensions=Tamil}\p{Script_Extensions=Telugu}\p{Script_Extensions=Kannada}\p{Script_Extensions=Malayalam}\p{Script_Extensions=Sinhala}\p{Script_Extensions=Myanmar}\p{Script_Extensions=Khmer}\p{Script_Extensions=Tibetan}]/u;
const LETTER_OR_MARK = /[\p{L}\p{M}]/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const EMOJI_MODIFIER = /\p{Emoji_Modifier}/u;

/** `U+202E`. */
export function codePointName(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The marker for a run of hidden characters: each named, or the first and a count when there are many. */
function marker(run: readonly string[]): string {
  if (run.length <= 3) return run.map((c) => `[${codePointName(c)}]`).join("");
  return `[${codePointName(run[0]!)} and ${run.length - 1} more hidden characters]`;
}

/** Whether the ZWJ at `i` joins two emoji (skipping the variation selector or skin tone after the first). */
function joinsEmoji(chars: readonly string[], i: number): boolean {
  let before = i - 1;
  while (before >= 0 && (chars[before] === "\ufe0f" || EMOJI_MODIFIER.test(chars[before]!))) before--;
  return before >= 0 && PICTOGRAPHIC.test(chars[before]!) && i + 1 < chars.length && PICTOGRAPHIC.test(chars[i + 1]!);
}

/** Whether the joiner at `i` stands between letters of a script that spells with joiners. */
function joinsLetters(chars: readonly string[], i: number): boolean {
  const before = chars[i - 1];
  const after = chars[i + 1];
  return before !== undefined && after !== undefined && JOINER_SCRIPT.test(before) && LETTER_OR_MARK.test(before) && LETTER_OR_MARK.test(after);
}

/** The length of a well-formed emoji tag sequence starting at `i` (after 🏴), or 0. */
function flagTagsAt(chars: readonly string[], i: number): number {
  if (chars[i - 1] !== BLACK_FLAG) return 0;
  let end = i;
  while (end < chars.length && end - i < MAX_FLAG_TAGS && TAG.test(chars[end]!)) end++;
  return end > i && chars[end] === CANCEL_TAG ? end - i + 1 : 0;
}

/**
 * `text` in pieces: runs of characters kept as they are, and markers for hidden ones. `asSpace`
 * characters become a space instead (a name is one line: its newlines and tabs are spaces).
 */
export function neutralisePieces(text: string, asSpace?: RegExp): TextPiece[] {
  if (!ANY_SUSPECT.test(text) && !(asSpace && asSpace.test(text))) return text ? [{ text, hidden: false }] : [];
  const chars = Array.from(text);
  const hasRtl = RTL_LETTER.test(text);
  const pieces: TextPiece[] = [];
  let kept = "";
  let hidden: string[] = [];
  /** The last character kept is one a variation selector may follow (a visible base, no selector yet). */
  let baseBefore = false;
  const keep = (s: string, isBase: boolean) => {
    if (hidden.length) {
      pieces.push({ text: marker(hidden), hidden: true, raw: hidden.join("") });
      hidden = [];
    }
    kept += s;
    baseBefore = isBase;
  };
  const hide = (c: string) => {
    if (kept) {
      pieces.push({ text: kept, hidden: false });
      kept = "";
    }
    hidden.push(c);
    baseBefore = false;
  };
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (asSpace?.test(c)) keep(" ", false);
    else if (BIDI_CONTROL.test(c) || ALWAYS_HIDDEN.test(c)) hide(c);
    else if (BIDI_MARK.test(c)) hasRtl ? keep(c, false) : hide(c);
    else if (c === ZWJ) joinsEmoji(chars, i) || joinsLetters(chars, i) ? keep(c, false) : hide(c);
    else if (c === ZWNJ) joinsLetters(chars, i) ? keep(c, false) : hide(c);
    else if (VARIATION_SELECTOR.test(c)) baseBefore ? keep(c, false) : hide(c);
    else if (TAG.test(c) || c === CANCEL_TAG) {
      const tags = flagTagsAt(chars, i);
      if (tags > 0) {
        keep(chars.slice(i, i + tags).join(""), false);
        i += tags - 1;
      } else hide(c);
    } else keep(c, c.trim() !== "");
  }
  if (hidden.length) pieces.push({ text: marker(hidden), hidden: true, raw: hidden.join("") });
  if (kept) pieces.push({ text: kept, hidden: false });
  return pieces;
}

/** Text (a message, a caption, an address …) as staff see it: hidden characters shown as markers. */
export function neutraliseText(text: string): string {
  return neutralisePieces(text)
    .map((p) => p.text)
    .join("");
}

/** Line breaks, tabs and the Unicode line/paragraph separators: spaces in a one-line name. */
const NAME_SPACES = /[\t\n\v\f\r\u0085\u2028\u2029]/u;

/**
 * A name (profile name, group subject, file name, contact card name) for one line: hidden characters
 * shown as markers, line breaks as spaces, whitespace collapsed; at most `maxChars` characters (a marker
 * is never cut: it goes whole or not at all). "" when nothing visible is left but markers: the caller
 * then shows the number or a fallback instead of a name made of nothing.
 */
export function neutraliseName(name: string | undefined, maxChars = Number.POSITIVE_INFINITY): string {
  if (!name) return "";
  const pieces = neutralisePieces(name, NAME_SPACES);
  if (!pieces.some((p) => !p.hidden && p.text.trim() !== "")) return "";
  const full = pieces
    .map((p) => p.text)
    .join("")
    .replace(/\s+/g, " ")
    .trim();
  if (Array.from(full).length <= maxChars) return full;
  let out = "";
  let room = maxChars - 1; // the ellipsis
  for (const piece of pieces) {
    const text = (out ? piece.text : piece.text.trimStart()).replace(/\s+/g, " ");
    const chars = Array.from(text);
    if (chars.length <= room) {
      out += text;
      room -= chars.length;
    } else {
      if (!piece.hidden) out += chars.slice(0, room).join("");
      break;
    }
  }
  return `${out.trimEnd()}…`;
}

/**
 * A link address with its hidden characters percent-encoded: it goes where the browser would have sent
 * it anyway, but nothing in it can reorder or hide what a status bar or tooltip shows.
 */
export function neutraliseHref(href: string): string {
  return neutralisePieces(href)
    .map((p) => (p.hidden ? encodeURIComponent(p.raw) : p.text))
    .join("");
}

/** True when `text` has a right-to-left letter (Hebrew, Arabic …). */
export function hasRightToLeft(text: string): boolean {
  return RTL_LETTER.test(text);
}
