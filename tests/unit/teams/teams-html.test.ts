import assert from "node:assert/strict";
import { paragraph } from "../../../src/core/formatted-text";
import { neutraliseDisplayName } from "../../../src/teams/display-text";
import { escapeHtml, renderFormattedText, renderThreadPost, renderWording } from "../../../src/teams/teams-html";

const SENT_AT = Date.UTC(2026, 10, 30, 9, 5, 30);

/** Every tag name the HTML contains. */
function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-z]+)/gi)].map((m) => m[1]!.toLowerCase());
}

describe("Teams HTML rendering", () => {
  it("escapes <, >, &, quotes and square brackets", () => {
    assert.equal(escapeHtml(`<a href="x">&'[]`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&#91;&#93;");
  });

  it("renders customer text so it can never create a mention, a script or a hidden link", () => {
    const html = renderFormattedText(
      paragraph(`<at>General</at> <at id="0">CEO</at> <script>alert(1)</script> [Verify account](http://evil.example) <img src=x onerror=alert(1)>`),
    );
    assert.deepEqual(tagsOf(html), ["p", "p"], "only the paragraph itself is markup");
    assert.ok(html.includes("&lt;at&gt;General&lt;/at&gt;"));
    assert.ok(html.includes("&lt;script&gt;"));
    assert.ok(html.includes("&#91;Verify account&#93;(http://evil.example)"), "no Markdown link can form: the brackets are encoded");
  });

  it("renders marks, breaks, lists, code and quotes", () => {
    const html = renderFormattedText([
      {
        kind: "paragraph",
        inlines: [{ kind: "text", text: "b", marks: { bold: true, italic: true } }, { kind: "break" }, { kind: "text", text: "x<y", marks: { code: true } }],
      },
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "one" }], [{ kind: "text", text: "two" }]] },
      { kind: "code", text: "a < b\n</pre><script>" },
      { kind: "quote", blocks: [{ kind: "paragraph", inlines: [{ kind: "text", text: "q" }] }] },
    ]);
    assert.equal(
      html,
      "<p><strong><em>b</em></strong><br><code>x&lt;y</code></p><ol><li>one</li><li>two</li></ol><pre>a &lt; b\n&lt;/pre&gt;&lt;script&gt;</pre><blockquote><p>q</p></blockquote>",
    );
  });

  it("always shows where a link goes, and refuses script links", () => {
    const html = renderFormattedText([
      {
        kind: "paragraph",
        inlines: [
          { kind: "link", href: "https://bank.example.evil/login", text: "https://bank.example/login" },
          { kind: "text", text: " " },
          { kind: "link", href: "https://ok.example", text: "https://ok.example" },
          { kind: "text", text: " " },
          { kind: "link", href: "javascript:alert(1)", text: "click" },
        ],
      },
    ]);
    assert.equal(
      html,
      `<p>https://bank.example/login (<a href="https://bank.example.evil/login">https://bank.example.evil/login</a>) <a href="https://ok.example">https://ok.example</a> click (javascript:alert(1))</p>`,
    );
  });

  it("shows a customer post as **Name** (handle) · HH:MM UTC, neutralising the name", () => {
    const html = renderThreadPost({
      kind: "customer",
      authorName: "Compliance\u202e Dept\u200b<at>x</at>",
      authorHandle: "+15550100",
      sentAt: SENT_AT,
      body: paragraph("Hello"),
    });
    // The RLO and the zero-width space are shown as markers (escaped brackets), never kept or dropped.
    assert.equal(html, "<p><strong>Compliance&#91;U+202E&#93; Dept&#91;U+200B&#93;&lt;at&gt;x&lt;/at&gt;</strong> (+15550100) · 09:05 UTC</p><p>Hello</p>");
  });

  it("shows the handle alone when there is no name, and placeholders and forwards in italics", () => {
    const html = renderThreadPost({ kind: "customer", authorHandle: "@ana", sentAt: SENT_AT, body: [], placeholder: "image", forwarded: "frequently" });
    assert.equal(html, "<p><strong>@ana</strong> · 09:05 UTC</p><p><em>↪ Forwarded many times</em></p><p><em>&#91;image&#93;</em></p>");
  });

  it("renders notices with a tone emoji and italics, and staff replies with inline code", () => {
    assert.equal(
      renderWording({ tone: "error", text: "Window closed — send a template.\n<b>x</b>" }),
      "<p>❌ <em>Window closed — send a template.<br>&lt;b&gt;x&lt;/b&gt;</em></p>",
    );
    assert.equal(renderWording({ tone: "warning", text: "careful" }), "<p>⚠️ <em>careful</em></p>");
    assert.equal(renderWording({ tone: "info", text: "fyi" }), "<p>ℹ️ <em>fyi</em></p>");
    assert.equal(renderWording({ text: "Try `help` or `link <number>`" }), "<p>Try <code>help</code> or <code>link &lt;number&gt;</code></p>");
  });

  it('records what the customer received as "📨 <label>" then the text, escaped and plain (no card)', () => {
    const html = renderThreadPost({
      kind: "sent",
      label: "Template order_update (en_US) <b>",
      text: "Hi Ana,\nyour order [ABC](http://evil.example) <at>General</at> ships & arrives",
    });
    assert.equal(
      html,
      "<p>📨 <strong>Template order_update (en_US) &lt;b&gt;</strong></p><p>Hi Ana,<br>your order &#91;ABC&#93;(http://evil.example) &lt;at&gt;General&lt;/at&gt; ships &amp; arrives</p>",
    );
    assert.deepEqual([...new Set(tagsOf(html))], ["p", "strong", "br"], "only the bridge's own markup");
  });

  it("neutralises bidi controls, zero-width characters and control characters in names", () => {
    const bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\ufeff";
    assert.equal(neutraliseDisplayName(`Ad${bidi}min\n\tTeam`), "Ad[U+202A and 14 more hidden characters]min Team");
    assert.equal(neutraliseDisplayName("\u202e\u200b"), "", "nothing visible: no name");
    assert.equal(
      neutraliseDisplayName("A\u2060n\u2061a\u206a\u206f"),
      "A[U+2060]n[U+2061]a[U+206A][U+206F]",
      "word joiner, invisible operators, deprecated format characters",
    );
    assert.equal(neutraliseDisplayName("x".repeat(200)).length, 80);
  });
});
