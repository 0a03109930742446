import { Parser } from "htmlparser2";
import type { FormattedText, Marks } from "../../core/formatted-text";
import { FormattedTextBuilder } from "./formatted-text-builder";

/** What the parser needs to know about mentions: which `<at>` elements name the bot. */
export interface MentionPolicy {
  /** `name` is the text inside `<at>`, `id` its `id` attribute (if any). True removes the mention. */
  isBotMention(name: string, id: string | undefined): boolean;
}

export interface ParsedTeamsHtml {
  readonly body: FormattedText;
  /** Teams id of the message quoted with "reply with quote" (docs/protocols.md B8a), when there was one. */
  readonly quotedMessageId?: string;
}

const BLOCK_TAGS = new Set(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "hr", "section", "article", "header", "footer", "li"]);
const SKIP_CONTENT_TAGS = new Set(["script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg", "math"]);
const MARK_OF: Readonly<Record<string, keyof Marks>> = {
  strong: "bold",
  b: "bold",
  em: "italic",
  i: "italic",
  s: "strike",
  strike: "strike",
  del: "strike",
  code: "code",
};
const REPLY_ITEMTYPE = "schema.skype.com/reply";

/**
 * Elements nested deeper than this lose their meaning (their text is kept): a message cannot make the
 * quotes and lists of FormattedText, which the core walks recursively, arbitrarily deep.
 */
export const MAX_ELEMENT_DEPTH = 100;

/** An element whose content is read as a whole: its text is collected (or dropped) until it closes. */
type Capture =
  | { readonly kind: "skip"; readonly depth: number }
  | { readonly kind: "mention"; readonly depth: number; readonly id: string | undefined; text: string }
  | { readonly kind: "link"; readonly depth: number; readonly href: string; text: string }
  | { readonly kind: "code"; readonly depth: number; text: string };

/**
 * Parses Teams message HTML into the core's FormattedText. Mentions of the bot are removed, other
 * mentions become plain names, `<emoji>` becomes its `alt`, quoted replies (`<blockquote
 * itemtype="http://schema.skype.com/Reply">`) are stripped and their message id reported. Tokenizing,
 * entity decoding and the HTML standard's recovery from malformed markup are htmlparser2's, so the text
 * is what a browser (the Teams client) shows. Never throws.
 */
export function parseTeamsHtml(html: string, mentions: MentionPolicy): ParsedTeamsHtml {
  const builder = new FormattedTextBuilder();
  /** Names of the open elements, innermost last, as htmlparser2 opened them. */
  const open: string[] = [];
  let capture: Capture | undefined;
  let quotedMessageId: string | undefined;
  // htmlparser2 splits text at entities and comments: runs are joined so whitespace collapses as one.
  let pendingText = "";
  let ending = false;
  let textAtEnd = false;
  /** Where the tag being read started, from its name until its `>`. */
  let tagStart: number | undefined;
  const flushText = () => {
    if (pendingText) builder.text(pendingText);
    pendingText = "";
  };

  const startElement = (name: string, attrs: Readonly<Record<string, string>>, depth: number): void => {
    if (SKIP_CONTENT_TAGS.has(name)) {
      capture = { kind: "skip", depth };
      return;
    }
    if (name === "blockquote" && (attrs.itemtype ?? "").toLowerCase().includes(REPLY_ITEMTYPE)) {
      quotedMessageId ??= attrs.itemid || undefined;
      capture = { kind: "skip", depth };
      return;
    }
    if (name === "at") {
      capture = { kind: "mention", depth, id: attrs.id, text: "" };
      return;
    }
    if (name === "emoji") {
      if (attrs.alt) builder.text(attrs.alt);
      capture = { kind: "skip", depth };
      return;
    }
    if (name === "a") {
      capture = { kind: "link", depth, href: (attrs.href ?? "").trim(), text: "" };
      return;
    }
    if (name === "pre" || name === "codeblock") {
      capture = { kind: "code", depth, text: "" };
      return;
    }
    const mark = MARK_OF[name];
    if (mark) builder.mark(mark, 1);
    else if (name === "br") builder.lineBreak();
    else if (name === "ul" || name === "ol") builder.openList(name === "ol");
    else if (name === "li") builder.startListItem();
    else if (name === "blockquote") builder.openQuote();
    else if (name === "td" || name === "th") builder.text(" ");
    else if (BLOCK_TAGS.has(name)) builder.boundary();
  };

  const endElement = (name: string): void => {
    const mark = MARK_OF[name];
    if (mark) builder.mark(mark, -1);
    else if (name === "ul" || name === "ol") builder.closeList();
    else if (name === "blockquote") builder.closeQuote();
    else if (BLOCK_TAGS.has(name) && name !== "li") builder.boundary();
  };

  const finishCapture = (done: Capture): void => {
    if (done.kind === "mention") {
      const name = done.text.replace(/\u00a0/g, " ").trim();
      if (!mentions.isBotMention(name, done.id)) builder.text(name);
    } else if (done.kind === "link") {
      builder.link(done.href, done.text);
    } else if (done.kind === "code") {
      builder.codeBlock(done.text);
    }
  };

  const parser = new Parser(
    {
      ontext(text) {
        if (ending) textAtEnd = true;
        if (!capture) pendingText += text;
        else if (capture.kind !== "skip") capture.text += text;
      },
      onopentagname() {
        tagStart = parser.startIndex;
      },
      onopentag(name, attrs) {
        tagStart = undefined;
        open.push(name);
        if (capture) {
          if (capture.kind === "code" && name === "br") capture.text += "\n";
          return;
        }
        if (open.length > MAX_ELEMENT_DEPTH) return;
        flushText();
        startElement(name, attrs, open.length);
      },
      onclosetag(name) {
        // A close for an element never reported open is one the input left unfinished at its end.
        if (open.at(-1) !== name) return;
        const depth = open.length;
        open.pop();
        if (capture) {
          if (depth !== capture.depth) return;
          const done = capture;
          capture = undefined;
          finishCapture(done);
          return;
        }
        if (depth > MAX_ELEMENT_DEPTH) return;
        flushText();
        endElement(name);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  // Where the input not yet reported starts (the next node's start, or the unfinished tag's): an
  // unfinished tag or comment, which htmlparser2 drops at the end as the HTML standard does.
  const unfinishedFrom = tagStart ?? parser.startIndex;
  ending = true;
  parser.end();
  flushText();
  // Kept as text instead: a plain-text body (`text` without an HTML attachment) may well end in "a <b".
  const unfinished = html.slice(unfinishedFrom);
  if (!textAtEnd && unfinished.trim()) builder.text(unfinished);
  const body = builder.finish();
  return quotedMessageId === undefined ? { body } : { body, quotedMessageId };
}
