/**
 * A neutral model of formatted text, so that neither side has to know the other's markup: the Teams
 * adapter parses Teams HTML into it and renders it as Teams HTML; the WhatsApp adapter parses WhatsApp
 * markup into it and renders it as WhatsApp markup. Escaping happens in each renderer, in one place.
 */
export interface Marks {
  readonly bold?: boolean;
  readonly italic?: boolean;
  readonly strike?: boolean;
  readonly code?: boolean;
}

export type Inline =
  | { readonly kind: "text"; readonly text: string; readonly marks?: Marks }
  | { readonly kind: "link"; readonly href: string; readonly text: string }
  | { readonly kind: "break" };

export type Block =
  | { readonly kind: "paragraph"; readonly inlines: readonly Inline[] }
  | { readonly kind: "list"; readonly ordered: boolean; readonly items: readonly (readonly Inline[])[] }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "quote"; readonly blocks: readonly Block[] };

export type FormattedText = readonly Block[];

export function paragraph(text: string): FormattedText {
  return text ? [{ kind: "paragraph", inlines: [{ kind: "text", text }] }] : [];
}

function inlineText(inlines: readonly Inline[]): string {
  return inlines.map((i) => (i.kind === "break" ? "\n" : i.kind === "link" ? (i.text === i.href ? i.href : `${i.text} (${i.href})`) : i.text)).join("");
}

/** Plain-text rendering: what a search index or a one-line excerpt shows. */
export function toPlainText(doc: FormattedText): string {
  return doc
    .map((b): string => {
      switch (b.kind) {
        case "paragraph":
          return inlineText(b.inlines);
        case "code":
          return b.text;
        case "list":
          return b.items.map((item, n) => `${b.ordered ? `${n + 1}.` : "-"} ${inlineText(item)}`).join("\n");
        case "quote":
          return toPlainText(b.blocks)
            .split("\n")
            .map((l) => `> ${l}`)
            .join("\n");
      }
    })
    .join("\n")
    .trim();
}

export function isEmpty(doc: FormattedText): boolean {
  return toPlainText(doc).trim() === "";
}

/** Cuts text to at most `max` characters (by code point), ending with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : chars.slice(0, max - 1).join("") + "…";
}
