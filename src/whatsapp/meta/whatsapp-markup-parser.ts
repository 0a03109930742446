import type { Block, FormattedText, Inline, Marks } from "../../core/formatted-text";

/**
 * Parses WhatsApp markup (what a customer typed) into the core's FormattedText: `*bold*`, `_italic_`,
 * `~strike~`, `` `code` ``, ```` ```code``` ```` (inline or as a block), `> ` quotes, `- `/`* ` and `1. `
 * lists. Lines of one paragraph are joined with line breaks; a blank line starts a new paragraph.
 *
 * The result holds text only: no links, no HTML, no mentions. Whatever the customer wrote (`<b>`,
 * `[label](url)`, `<at>…</at>`) stays literal text, and the Teams renderer escapes it (security cases
 * 28–29). Markers follow WhatsApp's rules: an opening marker is not preceded by a letter or digit and is
 * followed by a non-space; a closing marker is preceded by a non-space and not followed by a letter or
 * digit; markers never span lines. Unpaired markers stay as typed.
 */
export function parseWhatsAppMarkup(text: string): FormattedText {
  return isPlainLine(text) ? [{ kind: "paragraph", inlines: [{ kind: "text", text }] }] : parseBlocks(text);
}

const LIST_ITEM = /^(?:([-*•])|(\d{1,3})[.)])\s+(\S.*)$/;
const LINE_BREAK_OR_MARKER = /[\r\n*_~`]/;

/**
 * One line with no marker character that is neither blank, a quote nor a list item: what most customers
 * type. `parseBlocks` would make it one paragraph of one literal text, so it is made so at once.
 */
function isPlainLine(text: string): boolean {
  return !LINE_BREAK_OR_MARKER.test(text) && text.charCodeAt(0) !== GREATER_THAN && text.trim() !== "" && !LIST_ITEM.test(text);
}

const GREATER_THAN = 0x3e;

/** The general reading: fences, blank lines, quotes, lists and paragraphs, line by line. */
export function parseBlocks(text: string): FormattedText {
  const lines = text.replace(/\r\n|\r/g, "\n").split("\n");
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: Inline[][] } | undefined;
  let quote: string[] = [];

  const flushParagraph = () => {
    if (paragraph.length) blocks.push({ kind: "paragraph", inlines: joinLines(paragraph) });
    paragraph = [];
  };
  const flushList = () => {
    if (list?.items.length) blocks.push({ kind: "list", ordered: list.ordered, items: list.items });
    list = undefined;
  };
  const flushQuote = () => {
    if (quote.length) {
      const inner = parseWhatsAppMarkup(quote.join("\n"));
      if (inner.length) blocks.push({ kind: "quote", blocks: inner });
    }
    quote = [];
  };
  const flushAll = () => {
    flushParagraph();
    flushList();
    flushQuote();
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = codeBlockAt(lines, i);
    if (fence) {
      flushAll();
      if (fence.text.trim()) blocks.push({ kind: "code", text: fence.text });
      i = fence.lastLine;
      continue;
    }
    if (line.trim() === "") {
      flushAll();
      continue;
    }
    const quoted = /^>\s?(.*)$/.exec(line);
    if (quoted) {
      flushParagraph();
      flushList();
      quote.push(quoted[1]!);
      continue;
    }
    flushQuote();
    const item = LIST_ITEM.exec(line);
    if (item) {
      const ordered = item[2] !== undefined;
      flushParagraph();
      if (list && list.ordered !== ordered) flushList();
      list ??= { ordered, items: [] };
      list.items.push(parseInlines(item[3]!));
      continue;
    }
    flushList();
    paragraph.push(line);
  }
  flushAll();
  return blocks;
}

/** A ```` ``` ```` fence opening at the start of line `start` and closing at the end of a later (or the same) line. */
function codeBlockAt(lines: readonly string[], start: number): { text: string; lastLine: number } | undefined {
  const first = lines[start]!;
  if (!first.startsWith("```")) return undefined;
  // Same line: ```code``` alone on its line is a block.
  const sameLine = /^```([\s\S]+?)```\s*$/.exec(first);
  if (sameLine) return { text: sameLine[1]!, lastLine: start };
  for (let end = start + 1; end < lines.length; end++) {
    const line = lines[end]!;
    const close = line.indexOf("```");
    if (close === -1) continue;
    if (line.slice(close + 3).trim() !== "") return undefined; // text after the fence: not a block
    const body = [first.slice(3), ...lines.slice(start + 1, end), line.slice(0, close)];
    return { text: body.join("\n").replace(/^\n+|\n+$/g, ""), lastLine: end };
  }
  return undefined;
}

function joinLines(lines: readonly string[]): Inline[] {
  const out: Inline[] = [];
  lines.forEach((line, n) => {
    if (n > 0) out.push({ kind: "break" });
    out.push(...parseInlines(line));
  });
  return out;
}

const MARKS: Readonly<Record<string, keyof Marks>> = { "*": "bold", _: "italic", "~": "strike" };
const WORD_CHAR = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;

function isOpening(text: string, at: number, width: number): boolean {
  const before = at > 0 ? text[at - 1]! : undefined;
  const after = text[at + width];
  return (before === undefined || !WORD_CHAR.test(before)) && after !== undefined && !SPACE.test(after);
}

function isClosing(text: string, at: number, width: number): boolean {
  const before = text[at - 1];
  const after = text[at + width];
  return before !== undefined && !SPACE.test(before) && (after === undefined || !WORD_CHAR.test(after));
}

/** Finds the closing `marker` for an opening at `open`, or -1. */
function findClosing(text: string, marker: string, open: number): number {
  for (let at = text.indexOf(marker, open + marker.length + 1); at !== -1; at = text.indexOf(marker, at + 1)) {
    if (isClosing(text, at, marker.length)) return at;
  }
  return -1;
}

const ASTERISK = 0x2a;
const UNDERSCORE = 0x5f;
const TILDE = 0x7e;
const BACKTICK = 0x60;

/** The first character of every marker: `*`, `_`, `~` and `` ` ``. */
function isMarkerChar(code: number): boolean {
  return code === ASTERISK || code === UNDERSCORE || code === TILDE || code === BACKTICK;
}

/** Parses one line's inline markup. */
export function parseInlines(text: string, marks: Marks = {}): Inline[] {
  const out: Inline[] = [];
  let literal = "";
  const pushText = (t: string, m: Marks) => {
    if (!t) return;
    const hasMarks = m.bold || m.italic || m.strike || m.code;
    out.push(hasMarks ? { kind: "text", text: t, marks: { ...m } } : { kind: "text", text: t });
  };
  let i = 0;
  while (i < text.length) {
    if (!isMarkerChar(text.charCodeAt(i))) {
      // A run of ordinary characters is literal text whatever follows: taken in one piece.
      let end = i + 1;
      while (end < text.length && !isMarkerChar(text.charCodeAt(end))) end++;
      literal += text.slice(i, end);
      i = end;
      continue;
    }
    const marker = text.startsWith("```", i) ? "```" : text[i]!;
    const isCode = marker === "```" || marker === "`";
    if ((isCode || MARKS[marker]) && isOpening(text, i, marker.length)) {
      const close = findClosing(text, marker, i);
      if (close !== -1) {
        pushText(literal, marks);
        literal = "";
        const inner = text.slice(i + marker.length, close);
        if (isCode) pushText(inner, { ...marks, code: true });
        else out.push(...parseInlines(inner, { ...marks, [MARKS[marker]!]: true }));
        i = close + marker.length;
        continue;
      }
    }
    literal += marker;
    i += marker.length;
  }
  pushText(literal, marks);
  return out;
}
