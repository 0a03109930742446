import type { Block, FormattedText, Inline, Marks } from "../../core/formatted-text";

/**
 * Builds the core's FormattedText from the elements of a Teams message, as the parser walks them
 * (teams-html-parser.ts): paragraphs, line breaks, marks, lists (flattened: FormattedText lists do not
 * nest), quotes and code blocks. One instance per message.
 */

/** Link schemes kept as links; anything else (`javascript:`, `data:`) becomes its label as text. */
const SAFE_LINK = /^(https?:|mailto:)/i;

interface ListFrame {
  readonly ordered: boolean;
  readonly items: Inline[][];
}
interface QuoteFrame {
  readonly blocks: Block[];
}

export class FormattedTextBuilder {
  private readonly root: Block[] = [];
  private readonly quotes: QuoteFrame[] = [];
  private readonly lists: ListFrame[] = [];
  private inlines: Inline[] = [];
  private readonly marks: Record<keyof Marks, number> = { bold: 0, italic: 0, strike: 0, code: 0 };

  private get target(): Block[] {
    return this.quotes.at(-1)?.blocks ?? this.root;
  }

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
    const label = text
      .replace(/\u00a0/g, " ")
      .replace(/\s+/g, " ")
      .trim();
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
    if (!list) {
      this.boundary();
      return;
    }
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
    if (inline.kind !== "text") {
      out.push(inline);
      return;
    }
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
