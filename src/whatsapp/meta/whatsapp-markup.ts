import type { Block, FormattedText, Inline, Marks } from "../../core/formatted-text";

/**
 * Renders the core's FormattedText as WhatsApp markup: `*bold*`, `_italic_`, `~strike~`, `` `code` ``,
 * ```` ```code block``` ````, `- ` / `1. ` lists, `> ` quotes; links as `text (url)`, or the bare url
 * when the text is the url. Blocks are separated by a blank line.
 *
 * WhatsApp has no escape syntax, so literal `*`, `_`, `~` in text are passed through unchanged (a
 * customer may see them formatted if they happen to pair up); inserting invisible characters to
 * prevent that would corrupt text people copy.
 */
export function toWhatsAppText(doc: FormattedText): string {
  return doc
    .map(renderBlock)
    .filter((text) => text.trim() !== "")
    .join("\n\n")
    .trim();
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case "paragraph":
      return renderInlines(block.inlines);
    case "code":
      return "```" + block.text + "```";
    case "list":
      return block.items.map((item, n) => `${block.ordered ? `${n + 1}.` : "-"} ${renderInlines(item)}`).join("\n");
    case "quote":
      // WhatsApp quotes apply per line, so every line of the quoted blocks gets the marker.
      return toWhatsAppText(block.blocks)
        .split("\n")
        .map((line) => (line === "" ? ">" : `> ${line}`))
        .join("\n");
  }
}

function sameMarks(a: Marks | undefined, b: Marks | undefined): boolean {
  return !!a?.bold === !!b?.bold && !!a?.italic === !!b?.italic && !!a?.strike === !!b?.strike && !!a?.code === !!b?.code;
}

/** Joins neighbouring text runs with equal marks: `*a**b*` would not render as bold in WhatsApp. */
function mergeRuns(inlines: readonly Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const inline of inlines) {
    const last = out[out.length - 1];
    if (inline.kind === "text" && last?.kind === "text" && sameMarks(last.marks, inline.marks)) {
      out[out.length - 1] = { kind: "text", text: last.text + inline.text, ...(last.marks ? { marks: last.marks } : {}) };
    } else out.push(inline);
  }
  return out;
}

function renderInlines(inlines: readonly Inline[]): string {
  return mergeRuns(inlines)
    .map((inline) => {
      switch (inline.kind) {
        case "break":
          return "\n";
        case "link":
          return inline.text === "" || inline.text === inline.href ? inline.href : `${inline.text} (${inline.href})`;
        case "text":
          return renderMarked(inline.text, inline.marks);
      }
    })
    .join("");
}

/**
 * Wraps text in markers. WhatsApp only formats when a marker touches a non-space character, so leading
 * and trailing spaces move outside; a marked run spanning lines is marked line by line.
 */
function renderMarked(text: string, marks: Marks | undefined): string {
  if (!marks || (!marks.bold && !marks.italic && !marks.strike && !marks.code)) return text;
  if (text.includes("\n"))
    return text
      .split("\n")
      .map((line) => renderMarked(line, marks))
      .join("\n");
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
  const [lead, core, trail] = [match?.[1] ?? "", match?.[2] ?? text, match?.[3] ?? ""];
  if (core === "") return text;
  let out = marks.code ? "`" + core + "`" : core;
  if (marks.strike) out = `~${out}~`;
  if (marks.italic) out = `_${out}_`;
  if (marks.bold) out = `*${out}*`;
  return lead + out + trail;
}
