import MarkdownIt from "markdown-it";
import { parseDocument } from "htmlparser2";

/**
 * What the documentation tests read in a Markdown file, through markdown-it (CommonMark with GitHub's
 * tables): link targets, heading anchors as GitHub makes them, code, and table rows.
 */

type Token = MarkdownIt.Token;

const markdown = new MarkdownIt({ html: true });

function flatten(tokens: readonly Token[]): Token[] {
  return tokens.flatMap((t) => [t, ...flatten(t.children ?? [])]);
}

const tokensOf = (text: string) => flatten(markdown.parse(text, {}));

/** Every link and image target, Markdown or HTML (`<a href>`, `<img src>`). */
export function linkTargets(text: string): string[] {
  const targets: string[] = [];
  for (const token of tokensOf(text)) {
    if (token.type === "link_open") targets.push(String(token.attrGet("href") ?? ""));
    else if (token.type === "image") targets.push(String(token.attrGet("src") ?? ""));
    else if (token.type === "html_inline" || token.type === "html_block") {
      const walk = (nodes: ReturnType<typeof parseDocument>["children"]): void => {
        for (const node of nodes) {
          if ("attribs" in node) {
            const target = node.name === "a" ? node.attribs.href : node.name === "img" ? node.attribs.src : undefined;
            if (target !== undefined) targets.push(target);
          }
          if ("children" in node) walk(node.children);
        }
      };
      walk(parseDocument(token.content).children);
    }
  }
  return targets;
}

/** The anchors GitHub gives the headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const tokens = markdown.parse(text, {});
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  tokens.forEach((token, i) => {
    if (token.type !== "heading_open") return;
    const inline = tokens[i + 1]!;
    const plain = flatten(inline.children ?? [])
      .filter((t) => t.type === "text" || t.type === "code_inline")
      .map((t) => t.content)
      .join("");
    const slug = plain
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  });
  return anchors;
}

/** The content of every code block and inline code span. */
export function codeIn(text: string): string[] {
  return tokensOf(text)
    .filter((t) => t.type === "fence" || t.type === "code_block" || t.type === "code_inline")
    .map((t) => t.content);
}

/** Every body row of every table, as the plain inline source of its cells. */
export function tableRows(text: string): string[][] {
  const tokens = markdown.parse(text, {});
  const rows: string[][] = [];
  let row: string[] | undefined;
  let inBody = false;
  for (const token of tokens) {
    if (token.type === "tbody_open") inBody = true;
    else if (token.type === "tbody_close") inBody = false;
    else if (inBody && token.type === "tr_open") row = [];
    else if (inBody && token.type === "tr_close" && row) rows.push(row);
    else if (inBody && token.type === "inline" && row) row.push(token.content);
  }
  return rows;
}

/** The names written as code spans in a piece of inline Markdown. */
export function codeSpans(inline: string): string[] {
  return flatten(markdown.parseInline(inline, {}))
    .filter((t) => t.type === "code_inline")
    .map((t) => t.content);
}
