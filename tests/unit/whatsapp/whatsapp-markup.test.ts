import assert from "node:assert/strict";
import type { FormattedText, Inline } from "../../../src/core/formatted-text";
import { paragraph } from "../../../src/core/formatted-text";
import { toWhatsAppText } from "../../../src/whatsapp/meta/whatsapp-markup";

const text = (t: string, marks?: { bold?: boolean; italic?: boolean; strike?: boolean; code?: boolean }): Inline =>
  marks ? { kind: "text", text: t, marks } : { kind: "text", text: t };
const para = (...inlines: Inline[]): FormattedText => [{ kind: "paragraph", inlines }];

describe("toWhatsAppText (FormattedText → WhatsApp markup)", () => {
  it("renders bold, italic, strike and inline code", () => {
    assert.equal(
      toWhatsAppText(
        para(
          text("a "),
          text("b", { bold: true }),
          text(" "),
          text("c", { italic: true }),
          text(" "),
          text("d", { strike: true }),
          text(" "),
          text("e()", { code: true }),
        ),
      ),
      "a *b* _c_ ~d~ `e()`",
    );
  });

  it("nests combined marks", () => {
    assert.equal(toWhatsAppText(para(text("all", { bold: true, italic: true, strike: true }))), "*_~all~_*");
  });

  it("moves spaces outside the markers and merges neighbouring runs with the same marks", () => {
    assert.equal(toWhatsAppText(para(text("say"), text(" hello ", { bold: true }), text("now"))), "say *hello* now");
    assert.equal(toWhatsAppText(para(text("one", { bold: true }), text(" two", { bold: true }))), "*one two*");
    assert.equal(toWhatsAppText(para(text("   ", { bold: true }))), "");
  });

  it("renders a code block between triple backticks", () => {
    assert.equal(toWhatsAppText([{ kind: "code", text: "npm test\nnpm run build" }]), "```npm test\nnpm run build```");
  });

  it("renders unordered and ordered lists", () => {
    const doc: FormattedText = [
      { kind: "list", ordered: false, items: [[text("milk")], [text("eggs", { bold: true })]] },
      { kind: "list", ordered: true, items: [[text("first")], [text("second")]] },
    ];
    assert.equal(toWhatsAppText(doc), "- milk\n- *eggs*\n\n1. first\n2. second");
  });

  it("renders links as text (url), or the bare url when the text is the url", () => {
    assert.equal(toWhatsAppText(para(text("See "), { kind: "link", href: "https://example.com/a", text: "our page" })), "See our page (https://example.com/a)");
    assert.equal(toWhatsAppText(para({ kind: "link", href: "https://example.com", text: "https://example.com" })), "https://example.com");
  });

  it("renders quotes line by line, and line breaks", () => {
    const doc: FormattedText = [
      { kind: "quote", blocks: [...paragraph("quoted one"), ...para(text("line a"), { kind: "break" }, text("line b"))] },
      ...paragraph("reply"),
    ];
    assert.equal(toWhatsAppText(doc), "> quoted one\n>\n> line a\n> line b\n\nreply");
  });

  it("separates paragraphs by a blank line and drops empty ones", () => {
    assert.equal(toWhatsAppText([...paragraph("Hello"), { kind: "paragraph", inlines: [] }, ...paragraph("World")]), "Hello\n\nWorld");
    assert.equal(toWhatsAppText([]), "");
  });

  it("marks a run that spans a line break on each line", () => {
    assert.equal(toWhatsAppText(para(text("a\nb", { bold: true }))), "*a*\n*b*");
  });
});
