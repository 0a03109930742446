import type { Block, FormattedText, Inline, Marks } from "../../core/formatted-text";
import { tokenizeHtml, type HtmlToken } from "./html-tokenizer";

/** What the parser needs to know about mentions: which `<at>` elements name the bot. */
export interface MentionPolicy {
  /** `name` is the text inside `<at>`, `id` its `id` attribute (if any). True removes the mention. */
  isBotMention(name: string, id: string | undefined): boolean;
}

export interface ParsedTeamsHtml {
  readonly body: FormattedText;
  /** Teams id of the message quoted with "reply with quote" (protocols.md B8a), when there was one. */
  readonly quotedMessageId?: string;
}

const BLOCK_TAGS = new Set(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "hr", "section", "article", "header", "footer", "li"]);
const SKIP_CONTENT_TAGS = new Set(["script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg", "math"]);
const VOID_TAGS = new Set(["br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"]);
const MARK_OF: Readonly<Record<string, keyof Marks>> = {
  strong: "bold", b: "bold", em: "italic", i: "italic", s: "strike", strike: "strike", del: "strike", code: "code",
};
const SAFE_LINK = /^(https?:|mailto:)/i;
const REPLY_ITEMTYPE = "schema.skype.com/reply";

interface ListFrame { readonly ordered: boolean; readonly items: Inline[][] }
interface QuoteFrame { readonly blocks: Block[] }

/** Turns the token stream into blocks. One instance per message. */
class FormattedTextBuilder {
  private readonly root: Block[] = [];
  private readonly quotes: QuoteFrame[] = [];
  private readonly lists: ListFrame[] = [];
  private inlines: Inline[] = [];
  private readonly marks: Record<keyof Marks, number> = { bold: 0, italic: 0, strike: 0, code: 0 };

  private get target(): Block[] { return this.quotes.at(-1)?.blocks ?? this.root; }

  currentMarks(): Marks | undefined {
    const m: { bold?: boolean; italic?: boolean; strike?: boolean; code?: boolean } = {};
    if (this.marks.bold) m.bold = true;
    if (this.marks.italic) m.italic = true;
    if (this.marks.strike) m.strike = true;
    if (this.marks.code) m.code = true;
    return Object.keys(m).length ? m : undefined;
  }

  mark(name: keyof Marks, delta: 1 | -1): void {
    this.marks[name] = Math.max(0, this.marks[name] + delta);
  }

  text(raw: string): void {
    const text = raw.replace(/\u00a0/g, " ").replace(/[ \t\n\r\f]+/g, " ");
    if (!text) return;
    const marks = this.currentMarks();
    this.inlines.push(marks ? { kind: "text", text, marks } : { kind: "text", text });
  }

  link(href: string, text: string): void {
    const label = text.replace(/\u00a0/g, " ").replace(/\s+/g, " ").trim();
    if (SAFE_LINK.test(href)) this.inlines.push({ kind: "link", href, text: label || href });
    else this.text(label);
  }

  lineBreak(): void {
    this.inlines.push({ kind: "break" });
  }

  /** A block boundary: inside a list item it becomes a line break, elsewhere it ends the paragraph. */
  boundary(): void {
    if (this.lists.length) {
      if (this.inlines.length) this.lineBreak();
      return;
    }
    const inlines = tidyInlines(this.inlines);
    this.inlines = [];
    if (inlines.length) this.target.push({ kind: "paragraph", inlines });
  }

  codeBlock(text: string): void {
    this.boundary();
    const code = text.replace(/^\n+|\n+$/g, "");
    if (code.trim()) this.target.push({ kind: "code", text: code });
  }

  startListItem(): void {
    const list = this.lists.at(-1);
    if (!list) { this.boundary(); return; }
    this.endListItem();
  }

  private endListItem(): void {
    const list = this.lists.at(-1);
    const inlines = tidyInlines(this.inlines);
    this.inlines = [];
    if (list && inlines.length) list.items.push(inlines);
  }

  openList(ordered: boolean): void {
    if (this.lists.length) this.endListItem();
    else this.boundary();
    this.lists.push({ ordered, items: [] });
  }

  closeList(): void {
    this.endListItem();
    const list = this.lists.pop();
    if (!list) return;
    const parent = this.lists.at(-1);
    // FormattedText lists do not nest: a nested list's items continue the outer list.
    if (parent) parent.items.push(...list.items);
    else if (list.items.length) this.target.push({ kind: "list", ordered: list.ordered, items: list.items });
  }

  openQuote(): void {
    this.boundary();
    this.quotes.push({ blocks: [] });
  }

  closeQuote(): void {
    if (!this.quotes.length) return;
    this.boundary();
    const quote = this.quotes.pop()!;
    if (quote.blocks.length) this.target.push({ kind: "quote", blocks: quote.blocks });
  }

  finish(): FormattedText {
    while (this.lists.length) this.closeList();
    while (this.quotes.length) this.closeQuote();
    this.boundary();
    return this.root;
  }
}

function sameMarks(a: Marks | undefined, b: Marks | undefined): boolean {
  return !!a?.bold === !!b?.bold && !!a?.italic === !!b?.italic && !!a?.strike === !!b?.strike && !!a?.code === !!b?.code;
}

/** Merges adjacent runs, trims spaces at the edges and around line breaks, drops empty runs. */
function tidyInlines(inlines: readonly Inline[]): Inline[] {
  const merged: Inline[] = [];
  for (const inline of inlines) {
    const last = merged.at(-1);
    if (inline.kind === "text" && last?.kind === "text" && sameMarks(last.marks, inline.marks)) {
      merged[merged.length - 1] = { ...last, text: last.text + inline.text };
    } else {
      merged.push(inline);
    }
  }
  const out: Inline[] = [];
  merged.forEach((inline, n) => {
    if (inline.kind !== "text") { out.push(inline); return; }
    let text = inline.text;
    const prev = merged[n - 1];
    const next = merged[n + 1];
    if (!prev || prev.kind === "break") text = text.replace(/^ +/, "");
    if (!next || next.kind === "break") text = text.replace(/ +$/, "");
    if (text) out.push({ ...inline, text });
  });
  while (out[0]?.kind === "break") out.shift();
  while (out.at(-1)?.kind === "break") out.pop();
  return out;
}

/** Collects the text of tokens up to the close tag matching `tokens[start]` (an open tag). */
function collectText(tokens: readonly HtmlToken[], start: number, name: string, keepBreaks: boolean): { text: string; next: number } {
  let depth = 1;
  let text = "";
  let i = start + 1;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === "text") text += t.text;
    else if (t.type === "open") {
      if (keepBreaks && t.name === "br") text += "\n";
      if (t.name === name && !t.selfClosing) depth++;
    } else if (t.name === name && --depth === 0) return { text, next: i + 1 };
  }
  return { text, next: i };
}

/** Skips to just after the close tag matching `tokens[start]`. */
function skipElement(tokens: readonly HtmlToken[], start: number, name: string): number {
  return collectText(tokens, start, name, false).next;
}

/**
 * Parses Teams message HTML into the core's FormattedText. Mentions of the bot are removed, other
 * mentions become plain names, quoted replies (`<blockquote itemtype="http://schema.skype.com/Reply">`)
 * are stripped. Never throws: malformed markup degrades to text.
 */
export function parseTeamsHtml(html: string, mentions: MentionPolicy): ParsedTeamsHtml {
  const tokens = tokenizeHtml(html);
  const builder = new FormattedTextBuilder();
  let quotedMessageId: string | undefined;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.type === "text") { builder.text(t.text); i++; continue; }
    if (t.type === "close") {
      const mark = MARK_OF[t.name];
      if (mark) builder.mark(mark, -1);
      else if (t.name === "ul" || t.name === "ol") builder.closeList();
      else if (t.name === "blockquote") builder.closeQuote();
      else if (BLOCK_TAGS.has(t.name) && t.name !== "li") builder.boundary();
      i++;
      continue;
    }
    const { name, attrs } = t;
    const hasContent = !t.selfClosing && !VOID_TAGS.has(name);
    if (SKIP_CONTENT_TAGS.has(name)) { i = hasContent ? skipElement(tokens, i, name) : i + 1; continue; }
    if (name === "blockquote" && (attrs.itemtype ?? "").toLowerCase().includes(REPLY_ITEMTYPE)) {
      quotedMessageId ??= attrs.itemid || undefined;
      i = hasContent ? skipElement(tokens, i, name) : i + 1;
      continue;
    }
    if (name === "at") {
      const { text, next } = hasContent ? collectText(tokens, i, name, false) : { text: "", next: i + 1 };
      const mentioned = text.replace(/\u00a0/g, " ").trim();
      if (!mentions.isBotMention(mentioned, attrs.id)) builder.text(mentioned);
      i = next;
      continue;
    }
    if (name === "emoji") {
      const alt = attrs.alt ?? "";
      if (alt) builder.text(alt);
      i = hasContent ? skipElement(tokens, i, name) : i + 1;
      continue;
    }
    if (name === "a") {
      const { text, next } = hasContent ? collectText(tokens, i, name, false) : { text: "", next: i + 1 };
      builder.link((attrs.href ?? "").trim(), text);
      i = next;
      continue;
    }
    if (name === "pre" || name === "codeblock") {
      const { text, next } = hasContent ? collectText(tokens, i, name, true) : { text: "", next: i + 1 };
      builder.codeBlock(text);
      i = next;
      continue;
    }
    const mark = MARK_OF[name];
    if (mark) { if (hasContent) builder.mark(mark, 1); }
    else if (name === "br") builder.lineBreak();
    else if (name === "ul" || name === "ol") builder.openList(name === "ol");
    else if (name === "li") builder.startListItem();
    else if (name === "blockquote") builder.openQuote();
    else if (name === "td" || name === "th") builder.text(" ");
    else if (BLOCK_TAGS.has(name)) builder.boundary();
    i++;
  }
  const body = builder.finish();
  return quotedMessageId === undefined ? { body } : { body, quotedMessageId };
}
