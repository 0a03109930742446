import assert from "node:assert/strict";
import { toPlainText, type FormattedText } from "../../../src/core/formatted-text";
import { parseTeamsHtml, type MentionPolicy } from "../../../src/teams/html/teams-html-parser";

const botIsBridge: MentionPolicy = { isBotMention: (name) => name === "Bridge" };
const parse = (html: string): FormattedText => parseTeamsHtml(html, botIsBridge).body;

describe("parseTeamsHtml", () => {
  it("maps paragraphs, line breaks and inline marks", () => {
    assert.deepEqual(parse("<div><p>Hello <strong>bold</strong> <em>it</em> <s>gone</s> <code>x()</code></p><p>line1<br>line2</p></div>"), [
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "Hello " },
          { kind: "text", text: "bold", marks: { bold: true } },
          { kind: "text", text: " " },
          { kind: "text", text: "it", marks: { italic: true } },
          { kind: "text", text: " " },
          { kind: "text", text: "gone", marks: { strike: true } },
          { kind: "text", text: " " },
          { kind: "text", text: "x()", marks: { code: true } },
        ],
      },
      { kind: "paragraph", inlines: [{ kind: "text", text: "line1" }, { kind: "break" }, { kind: "text", text: "line2" }] },
    ]);
  });

  it("accepts the b/i/strike/del spellings and nests marks", () => {
    assert.deepEqual(parse("<b>a<i>b</i></b><strike>c</strike><del>d</del>"), [
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "a", marks: { bold: true } },
          { kind: "text", text: "b", marks: { bold: true, italic: true } },
          { kind: "text", text: "cd", marks: { strike: true } },
        ],
      },
    ]);
  });

  it("keeps code blocks verbatim, including markup-looking text", () => {
    assert.deepEqual(parse(`<pre class="language-js"><code>if (a &lt; b) {\n  run("&lt;at&gt;x&lt;/at&gt;");\n}</code></pre>`), [
      { kind: "code", text: `if (a < b) {\n  run("<at>x</at>");\n}` },
    ]);
  });

  it("maps ordered and unordered lists, flattening nested ones", () => {
    assert.deepEqual(parse("<ol><li>one</li><li>two<ul><li>two-a</li></ul></li></ol><ul><li><p>x</p></li></ul>"), [
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "one" }], [{ kind: "text", text: "two" }], [{ kind: "text", text: "two-a" }]] },
      { kind: "list", ordered: false, items: [[{ kind: "text", text: "x" }]] },
    ]);
  });

  it("keeps safe links and turns other schemes into text", () => {
    assert.deepEqual(parse(`<a href="https://example.com/a?b=1&amp;c=2">site</a> <a href="javascript:alert(1)">click</a> <a href="mailto:x@y.example"></a>`), [
      {
        kind: "paragraph",
        inlines: [
          { kind: "link", href: "https://example.com/a?b=1&c=2", text: "site" },
          { kind: "text", text: " click " },
          { kind: "link", href: "mailto:x@y.example", text: "mailto:x@y.example" },
        ],
      },
    ]);
  });

  it("replaces <emoji> with its alt text and decodes &nbsp;", () => {
    assert.equal(toPlainText(parse(`Thanks&nbsp;<emoji id="1f600_grinningface" alt="😀" title="Grinning face"><img src="x"></emoji>!`)), "Thanks 😀!");
  });

  it("removes the bot's mention and keeps other people's mentions as names", () => {
    const body = parse(`<p><at id="0">Bridge</at>&nbsp;ask <at id="1">Bob Smith</at> about it</p>`);
    assert.deepEqual(body, [{ kind: "paragraph", inlines: [{ kind: "text", text: "ask Bob Smith about it" }] }]);
  });

  it("strips a quoted reply and reports the quoted message id", () => {
    const parsed = parseTeamsHtml(
      `<blockquote itemscope itemtype="http://schema.skype.com/Reply" itemid="17600"><strong itemprop="mri">Bridge</strong><p itemprop="preview">old text</p></blockquote><p>new text</p>`,
      botIsBridge,
    );
    assert.equal(toPlainText(parsed.body), "new text");
    assert.equal(parsed.quotedMessageId, "17600");
  });

  it("keeps an ordinary blockquote as a quote", () => {
    assert.deepEqual(parse("<blockquote><p>cited</p></blockquote><p>mine</p>"), [
      { kind: "quote", blocks: [{ kind: "paragraph", inlines: [{ kind: "text", text: "cited" }] }] },
      { kind: "paragraph", inlines: [{ kind: "text", text: "mine" }] },
    ]);
  });

  it("drops script and style content: it is never text for the core, and never run", () => {
    assert.equal(toPlainText(parse(`<p>hi<script>alert("x")</script><style>p{}</style> there</p>`)), "hi there");
  });

  it("never throws on malformed HTML", () => {
    const nasty = [
      "<p><b>unclosed <i>tags",
      "</div></p></ul>text",
      "<<<>>>",
      '<a href="x',
      "<at>Bridge",
      '<blockquote itemtype="http://schema.skype.com/Reply">never closed',
      "<ul><li>a<li>b",
      "<pre>unterminated",
      "&#xFFFFFFFF; &#; &",
      "<p\u0000>zero</p>",
      "<" + "div>".repeat(5000),
      "<img src=x onerror=alert(1)>",
    ];
    for (const html of nasty) assert.doesNotThrow(() => parse(html), html.slice(0, 40));
    assert.equal(toPlainText(parse("<p><b>unclosed <i>tags")), "unclosed tags");
    assert.equal(toPlainText(parse("<ul><li>a<li>b")), "- a\n- b");
    assert.equal(toPlainText(parse("a < b > c")), "a < b > c");
  });

  it("treats plain text without markup as one paragraph", () => {
    assert.deepEqual(parse("  just   words \n here "), [{ kind: "paragraph", inlines: [{ kind: "text", text: "just words here" }] }]);
    assert.deepEqual(parse(""), []);
  });
});
