import assert from "node:assert/strict";
import type { FormattedText, Inline, Marks } from "../../../src/core/formatted-text";
import { toPlainText } from "../../../src/core/formatted-text";
import { renderFormattedText } from "../../../src/teams/teams-html";
import { parseBlocks, parseInlines, parseWhatsAppMarkup } from "../../../src/whatsapp/meta/whatsapp-markup-parser";
import { toWhatsAppText } from "../../../src/whatsapp/meta/whatsapp-markup";
import { seededRandom } from "../../../tools/chaos/seeded-random";

const text = (t: string, marks?: Marks): Inline => (marks ? { kind: "text", text: t, marks } : { kind: "text", text: t });
const para = (...inlines: Inline[]): FormattedText => [{ kind: "paragraph", inlines }];

describe("parseWhatsAppMarkup (customer text → FormattedText)", () => {
  it("parses bold, italic, strike and inline code", () => {
    assert.deepEqual(
      parseWhatsAppMarkup("a *b* _c_ ~d~ `e()`"),
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
    );
  });

  it("nests marks", () => {
    assert.deepEqual(parseWhatsAppMarkup("*_both_*"), para(text("both", { bold: true, italic: true })));
    assert.deepEqual(parseWhatsAppMarkup("*bold _and italic_*"), para(text("bold ", { bold: true }), text("and italic", { bold: true, italic: true })));
  });

  it("leaves markers literal when they do not pair up by WhatsApp's rules", () => {
    assert.deepEqual(parseWhatsAppMarkup("2*3*4 = 24"), para(text("2*3*4 = 24")));
    assert.deepEqual(parseWhatsAppMarkup("snake_case_name"), para(text("snake_case_name")));
    assert.deepEqual(parseWhatsAppMarkup("* not bold *"), [{ kind: "list", ordered: false, items: [[text("not bold *")]] }]);
    assert.deepEqual(parseWhatsAppMarkup("a * b * c"), para(text("a * b * c")));
    assert.deepEqual(parseWhatsAppMarkup("*open only"), para(text("*open only")));
    assert.deepEqual(parseWhatsAppMarkup("see https://x.example/a_b_c"), para(text("see https://x.example/a_b_c")));
  });

  it("never lets a marker span lines, and joins the lines of a paragraph with breaks", () => {
    assert.deepEqual(parseWhatsAppMarkup("*one\ntwo*"), para(text("*one"), { kind: "break" }, text("two*")));
  });

  it("splits paragraphs at blank lines", () => {
    assert.deepEqual(parseWhatsAppMarkup("first\n\nsecond"), [...para(text("first")), ...para(text("second"))]);
  });

  it("reads code blocks, on one line or several, without formatting inside", () => {
    assert.deepEqual(parseWhatsAppMarkup("```npm *test*```"), [{ kind: "code", text: "npm *test*" }]);
    assert.deepEqual(parseWhatsAppMarkup("look:\n```\nline 1\n  line _2_\n```\nafter"), [
      ...para(text("look:")),
      { kind: "code", text: "line 1\n  line _2_" },
      ...para(text("after")),
    ]);
    assert.deepEqual(parseWhatsAppMarkup("inline ```x*y*``` here"), para(text("inline "), text("x*y*", { code: true }), text(" here")));
  });

  it("reads quotes and lists", () => {
    assert.deepEqual(parseWhatsAppMarkup("> quoted *text*\nmine"), [
      { kind: "quote", blocks: para(text("quoted "), text("text", { bold: true })) },
      ...para(text("mine")),
    ]);
    assert.deepEqual(parseWhatsAppMarkup("- one\n- two\n1. first\n2. second"), [
      { kind: "list", ordered: false, items: [[text("one")], [text("two")]] },
      { kind: "list", ordered: true, items: [[text("first")], [text("second")]] },
    ]);
  });

  it("round-trips through the WhatsApp renderer", () => {
    for (const sample of ["a *b* _c_ ~d~ `e`", "*_both_*", "```code block```", "- one\n- two"]) {
      assert.equal(toWhatsAppText(parseWhatsAppMarkup(sample)), sample);
    }
  });

  describe("customer text can never inject markup into Teams", () => {
    const html = (t: string) => renderFormattedText(parseWhatsAppMarkup(t));

    it("escapes raw HTML, even inside formatting", () => {
      const out = html('*<img src=x onerror=alert(1)>* <script>alert(1)</script> <a href="https://evil.example">click</a>');
      assert.doesNotMatch(out, /<img|<script|<a /i);
      assert.match(out, /<strong>&lt;img src=x onerror=alert\(1\)&gt;<\/strong>/);
      assert.match(out, /&lt;script&gt;/);
    });

    it("keeps markdown links literal: no hidden link target", () => {
      const out = html("[Verify your account](https://evil.example/login)");
      assert.doesNotMatch(out, /<a /);
      assert.match(out, /&#91;Verify your account&#93;\(https:\/\/evil\.example\/login\)/);
    });

    it("turns <at> mentions into text", () => {
      const out = html('<at>General</at> <at id="0">CEO</at> _<at>Everyone</at>_');
      assert.doesNotMatch(out, /<at/i);
      assert.match(out, /&lt;at id=&quot;0&quot;&gt;CEO&lt;\/at&gt;/);
    });

    it("keeps the plain text of what was typed", () => {
      assert.equal(toPlainText(parseWhatsAppMarkup("Order *4471* is _late_")), "Order 4471 is late");
    });
  });
});

/**
 * `parseInlines` takes runs of ordinary characters in one piece. The reference below reads one character
 * at a time, as the parser once did; both must give the same inlines for any line.
 */
describe("parseInlines: runs of ordinary characters taken whole give what one character at a time gave", () => {
  const MARKS: Readonly<Record<string, keyof Marks>> = { "*": "bold", _: "italic", "~": "strike" };
  const isOpening = (t: string, at: number, width: number) => {
    const before = at > 0 ? t[at - 1]! : undefined;
    const after = t[at + width];
    return (before === undefined || !/[\p{L}\p{N}]/u.test(before)) && after !== undefined && !/\s/u.test(after);
  };
  const isClosing = (t: string, at: number, width: number) => {
    const before = t[at - 1];
    const after = t[at + width];
    return before !== undefined && !/\s/u.test(before) && (after === undefined || !/[\p{L}\p{N}]/u.test(after));
  };
  const findClosing = (t: string, marker: string, open: number) => {
    for (let at = t.indexOf(marker, open + marker.length + 1); at !== -1; at = t.indexOf(marker, at + 1)) if (isClosing(t, at, marker.length)) return at;
    return -1;
  };
  function referenceInlines(t: string, marks: Marks = {}): Inline[] {
    const out: Inline[] = [];
    let literal = "";
    const pushText = (x: string, m: Marks) => {
      if (!x) return;
      out.push(m.bold || m.italic || m.strike || m.code ? { kind: "text", text: x, marks: { ...m } } : { kind: "text", text: x });
    };
    let i = 0;
    while (i < t.length) {
      const marker = t.startsWith("```", i) ? "```" : t[i]!;
      const isCode = marker === "```" || marker === "`";
      if ((isCode || MARKS[marker]) && isOpening(t, i, marker.length)) {
        const close = findClosing(t, marker, i);
        if (close !== -1) {
          pushText(literal, marks);
          literal = "";
          const inner = t.slice(i + marker.length, close);
          if (isCode) pushText(inner, { ...marks, code: true });
          else out.push(...referenceInlines(inner, { ...marks, [MARKS[marker]!]: true }));
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

  it("agrees on random lines of markers, letters, digits, spaces, accents and emoji (seeded)", () => {
    const random = seededRandom(28);
    const pieces = ["*", "_", "~", "`", "```", "a", "Z", "7", " ", "\t", "é", "📦", ".", "-", "**", "__"];
    let marked = 0;
    for (let n = 0; n < 5000; n++) {
      const line = Array.from({ length: Math.floor(random() * 24) }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      const inlines = parseInlines(line);
      assert.deepStrictEqual(inlines, referenceInlines(line), JSON.stringify(line));
      if (inlines.some((i) => i.kind === "text" && i.marks)) marked++;
    }
    assert.ok(marked > 500, `${marked} lines had formatting`);
  });
});

describe("parseWhatsAppMarkup: a plain line is read at once as the general reading would read it", () => {
  it("agrees with the line-by-line reading on random texts of words, quotes, list marks, markers and line breaks (seeded)", () => {
    const random = seededRandom(29);
    const pieces = [
      "a",
      "Olá",
      "7",
      "12",
      " ",
      "  ",
      "\t",
      ">",
      "> ",
      "-",
      "- ",
      "•",
      "1.",
      "2) ",
      "*",
      "_",
      "`",
      "~",
      "\n",
      "\r\n",
      "\r",
      "\u2028",
      "📦",
      ".",
    ];
    let plain = 0;
    for (let n = 0; n < 6000; n++) {
      const text = Array.from({ length: Math.floor(random() * 10) }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      const doc = parseWhatsAppMarkup(text);
      assert.deepStrictEqual(doc, parseBlocks(text), JSON.stringify(text));
      if (doc.length === 1 && doc[0]!.kind === "paragraph" && doc[0]!.inlines.length === 1) plain++;
    }
    assert.ok(plain > 500, `${plain} texts were one plain paragraph`);
  });
});
