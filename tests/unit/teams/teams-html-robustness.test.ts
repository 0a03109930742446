import assert from "node:assert/strict";
import { toPlainText, type Block, type FormattedText } from "../../../src/core/formatted-text";
import { MAX_ELEMENT_DEPTH, parseTeamsHtml, type MentionPolicy } from "../../../src/teams/html/teams-html-parser";

const botIsBridge: MentionPolicy = { isBotMention: (name) => name === "Bridge" };
const parse = (html: string): FormattedText => parseTeamsHtml(html, botIsBridge).body;
const plain = (html: string): string => toPlainText(parse(html));

/** How deeply quotes nest in `doc`. */
function quoteDepth(doc: FormattedText): number {
  let depth = 0;
  let level: readonly Block[] = doc;
  for (;;) {
    const quote = level.find((b): b is Extract<Block, { kind: "quote" }> => b.kind === "quote");
    if (!quote) return depth;
    depth++;
    level = quote.blocks;
  }
}

describe("parseTeamsHtml: entities, malformed and hostile input", () => {
  it("decodes the common entities and numeric references, and leaves unknown ones as written", () => {
    assert.equal(plain("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x1F600; &#128512;"), "a & b <c> \"d\" 'e' 😀 😀");
    assert.deepEqual(parse("a&nbsp;b"), [{ kind: "paragraph", inlines: [{ kind: "text", text: "a b" }] }], "a no-break space is a space");
    assert.equal(plain("&bogus; & &#0; &#xD800;"), "&bogus; & \ufffd \ufffd");
  });

  it("decodes every HTML named entity, not just a short list", () => {
    assert.equal(plain("wait&hellip; &rarr; &frac12; &alpha;&beta; &Eacute;t&eacute; &check; &NotEqualTilde; &#x2603; &#9731;"), "wait… → ½ αβ Été ✓ ≂̸ ☃ ☃");
    // As in a browser: legacy entities work without the semicolon, references past Unicode become U+FFFD.
    assert.equal(plain("&copy 2026 &#99999999; &#xFFFFFFFF;"), "© 2026 \ufffd \ufffd");
  });

  it("reads quoted, unquoted and valueless attributes, decoding entities in them", () => {
    assert.deepEqual(parse(`<a href="https://x.example/?a=1&amp;b=2" title='t > u' data-x=y disabled>go</a>`), [
      { kind: "paragraph", inlines: [{ kind: "link", href: "https://x.example/?a=1&b=2", text: "go" }] },
    ]);
    assert.equal(plain(`<A HREF=https://x.example/upper>up</A>`), "up (https://x.example/upper)", "tag and attribute names are case-insensitive");
  });

  it("treats a stray `<` as text, drops comments, and keeps an unfinished tag or comment at the end as text", () => {
    assert.equal(plain("1 < 2 and 3<4 <!-- hidden --> <b"), "1 < 2 and 3<4 <b");
    assert.equal(plain("<!-- never closed"), "<!-- never closed");
    assert.equal(plain("use a<b"), "use a<b");
    assert.equal(plain(`see <a href="x`), `see <a href="x`);
  });

  it("recovers from malformed HTML as a browser does", () => {
    assert.deepEqual(parse("<b>bold <i>both</b> after</i> <p>one<p>two"), [
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "bold ", marks: { bold: true } },
          { kind: "text", text: "both", marks: { bold: true, italic: true } },
          { kind: "text", text: " after" },
        ],
      },
      { kind: "paragraph", inlines: [{ kind: "text", text: "one" }] },
      { kind: "paragraph", inlines: [{ kind: "text", text: "two" }] },
    ]);
    assert.equal(plain("</b></i>plain</ul></blockquote>"), "plain", "closing tags with nothing open change nothing");
    assert.equal(plain("a</br>b"), "a\nb", "`</br>` is a line break, as in browsers");
    assert.deepEqual(parse("<ol><li>a<li>b</ol><ul><li>c"), [
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "a" }], [{ kind: "text", text: "b" }]] },
      { kind: "list", ordered: false, items: [[{ kind: "text", text: "c" }]] },
    ]);
  });

  it("survives 10,000 nested elements without exhausting the stack, keeping the text and bounding the nesting", () => {
    const deep = (open: string, close: string, n = 10_000) => `${open.repeat(n)}deep text${close.repeat(n)}`;
    for (const [open, close] of [
      ["<div>", "</div>"],
      ["<b>", "</b>"],
      ["<ul><li>", "</li></ul>"],
      ["<span>", ""],
      ["<blockquote>", "</blockquote>"],
    ] as const) {
      const doc = parse(deep(open, close));
      assert.match(toPlainText(doc), /deep text$/, open);
    }
    const quotes = parse(deep("<blockquote>", "</blockquote>"));
    assert.equal(quoteDepth(quotes), MAX_ELEMENT_DEPTH, "quotes nest only as deep as the bound");
    assert.equal(toPlainText(parse(deep("<blockquote>", "", 50_000))).replace(/> /g, ""), "deep text", "unclosed, they still end");
    assert.deepEqual(parse(`${"<i>".repeat(MAX_ELEMENT_DEPTH + 50)}x`), [
      { kind: "paragraph", inlines: [{ kind: "text", text: "x", marks: { italic: true } }] },
    ]);
  });
});

describe("parseTeamsHtml: Teams' own elements (docs/protocols.md B7, B8a)", () => {
  it("asks the mention policy about each <at> with its name and id; other people stay as plain names", () => {
    const asked: Array<[string, string | undefined]> = [];
    const policy: MentionPolicy = {
      isBotMention: (name, id) => {
        asked.push([name, id]);
        return id === "0";
      },
    };
    const { body } = parseTeamsHtml(`<p><at id="0">WhatsApp&nbsp;Bridge</at> please ask <at id="1">Bob <b>Smith</b></at> and <at>Ana</at></p>`, policy);
    assert.deepEqual(asked, [
      ["WhatsApp Bridge", "0"],
      ["Bob Smith", "1"],
      ["Ana", undefined],
    ]);
    assert.deepEqual(body, [{ kind: "paragraph", inlines: [{ kind: "text", text: "please ask Bob Smith and Ana" }] }]);
  });

  it("keeps a mention's markup out of the text, inside marks and lists too", () => {
    assert.equal(plain(`<ul><li><at id="0">Bridge</at> status</li><li><strong><at id="1">Ana</at></strong> ok</li></ul>`), "- status\n- Ana ok");
  });

  it("strips a reply-with-quote wherever it is and whatever it holds, reporting the first quoted id", () => {
    const parsed = parseTeamsHtml(
      `<blockquote itemscope itemtype="https://schema.skype.com/Reply" itemid="1760000000111">` +
        `<strong itemprop="mri" itemid="8:orgid:x">Ana</strong><span itemprop="time" itemid="1760000000111"></span>` +
        `<p itemprop="preview"><at id="0">Bridge</at> nested <blockquote>inner</blockquote> <emoji alt="😀"></emoji></p></blockquote>` +
        `<p>my answer</p><blockquote itemtype="http://schema.skype.com/Reply" itemid="1760000000222">second</blockquote>`,
      botIsBridge,
    );
    assert.equal(toPlainText(parsed.body), "my answer");
    assert.equal(parsed.quotedMessageId, "1760000000111");
    assert.equal(
      parseTeamsHtml(`<blockquote itemtype="http://schema.skype.com/Reply">x</blockquote>y`, botIsBridge).quotedMessageId,
      undefined,
      "no itemid, no id",
    );
  });

  it("replaces each <emoji> with its alt (decoded), and drops one without alt", () => {
    assert.equal(
      plain(
        `ok <emoji id="1f44d_thumbsup" alt="&#x1F44D;" title="Like"><img src="x" alt="ignored"></emoji><emoji id="2764_heart" alt="❤️"></emoji> <emoji id="x">hidden</emoji>done`,
      ),
      "ok 👍❤️ done",
    );
  });
});
