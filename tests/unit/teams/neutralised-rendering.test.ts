import assert from "node:assert/strict";
import { plainBodyOf } from "../../../src/core/bridge/from-whatsapp/inbound-body";
import { mediaBody } from "../../../src/core/bridge/from-whatsapp/media-post";
import { paragraph } from "../../../src/core/formatted-text";
import { BusinessNumberId, contactKeyOf, WaMessageId, WaPhone } from "../../../src/core/ids";
import type { InboundContent, InboundMessage } from "../../../src/core/messages";
import { buildRootCard, rootCardSummary } from "../../../src/teams/cards/root-card";
import { imagePostActivity } from "../../../src/teams/image-post";
import { renderPlainFallback } from "../../../src/teams/plain-fallback";
import { renderThreadPost, renderWording } from "../../../src/teams/teams-html";
import { texts } from "./card-schema";

/**
 * Everything the Teams adapter shows passes through the neutraliser (src/core/neutralise-text.ts):
 * message bodies, captions, file names, contact cards, locations, names in cards, notices and the plain
 * fallback. Bidi controls and invisible characters never reach Teams; they show as `[U+XXXX]`.
 */

const SENT_AT = Date.UTC(2026, 10, 30, 9, 5);
const HIDDEN = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/u;
/** The HTML as a reader sees it (entities decoded). */
const shown = (html: string) =>
  html
    .replace(/&#91;/g, "[")
    .replace(/&#93;/g, "]")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const business = BusinessNumberId("1234567890");
function message(content: InboundContent): InboundMessage {
  return {
    type: "message",
    business,
    id: WaMessageId("wamid.X"),
    contact: { key: contactKeyOf(business, { phone: WaPhone("15550100") }), phone: WaPhone("15550100") },
    timestamp: 1_770_000_000,
    content,
  };
}

function customerPost(body: ReturnType<typeof paragraph>, authorName = "Ana") {
  return renderThreadPost({ kind: "customer", authorName, authorHandle: "+15550100", sentAt: SENT_AT, body });
}

describe("Teams rendering neutralises bidi and invisible characters everywhere", () => {
  it("in a message body: a Trojan-Source line and an RLO link label show their controls", () => {
    const html = customerPost(paragraph("pay to\u202e 0987654321 \u2066now\u2069"));
    assert.ok(!HIDDEN.test(html));
    assert.match(shown(html), /pay to\[U\+202E\] 0987654321 \[U\+2066\]now\[U\+2069\]/);
  });

  it("in a link: the label shows its marker and the address keeps no raw control", () => {
    const html = renderThreadPost({
      kind: "customer",
      authorHandle: "+1",
      sentAt: SENT_AT,
      body: [{ kind: "paragraph", inlines: [{ kind: "link", href: "https://example.com/\u202efdp.exe", text: "invoice\u202efdp.exe" }] }],
    });
    assert.ok(!HIDDEN.test(html));
    assert.match(html, /href="https:\/\/example\.com\/%E2%80%AEfdp\.exe"/);
    assert.match(shown(html), /invoice\[U\+202E\]fdp\.exe/);
  });

  it("in a code block, keeping emoji sequences and Arabic with its RLM as they are", () => {
    const html = renderThreadPost({
      kind: "customer",
      authorHandle: "+1",
      sentAt: SENT_AT,
      body: [
        { kind: "code", text: "x\u200by" },
        { kind: "paragraph", inlines: [{ kind: "text", text: "👨‍👩‍👧 السعر \u200f100 دولار" }] },
      ],
    });
    assert.match(shown(html), /<pre>x\[U\+200B\]y<\/pre>/);
    assert.ok(html.includes("👨‍👩‍👧 السعر \u200f100 دولار"));
  });

  it("in a caption and a document's file name (an RLO file name cannot pass for a PDF)", () => {
    const content: Extract<InboundContent, { kind: "media" }> = {
      kind: "media",
      media: "document",
      mediaId: "1",
      filename: "invoice\u202efdp.exe",
      caption: "see\u200b attached",
    };
    const body = mediaBody(
      content,
      {
        status: "kept",
        name: "invoice\u202efdp.exe",
        mimeType: "application/pdf",
        kept: { link: "https://files.example/1", sha256: "ab".repeat(32), size: 10 },
      },
      false,
    );
    const html = shown(customerPost(body));
    assert.ok(!HIDDEN.test(html));
    assert.match(html, /see\[U\+200B\] attached/);
    assert.match(html, /📎 <strong>invoice\[U\+202E\]fdp\.exe<\/strong>/);
  });

  it("in a shared contact card and a location", () => {
    const contacts = plainBodyOf(message({ kind: "contacts", contacts: [{ name: "Bank\u202e Support", phones: ["+44\u200b20 7946 0000"], emails: [] }] }))!;
    const location = plainBodyOf(message({ kind: "location", latitude: 1, longitude: 2, name: "Branch\u2067 HQ", address: "1 High St\u200f" }))!;
    const html = shown(customerPost([...contacts, ...location]));
    assert.ok(!HIDDEN.test(html));
    assert.match(html, /Bank\[U\+202E\] Support/);
    assert.match(html, /\+44\[U\+200B\]20 7946 0000/);
    assert.match(html, /Branch\[U\+2067\] HQ/);
    assert.match(html, /1 High St\[U\+200F\]/, "an RLM with no right-to-left letter beside it is marked");
  });

  it("in the author's name, and an Arabic name is isolated so that it cannot reorder the number after it", () => {
    assert.match(shown(customerPost([], "Compliance Dept\u202e")), /<strong>Compliance Dept\[U\+202E\]<\/strong> \(\+15550100\)/);
    const arabic = customerPost([], "محمد");
    assert.ok(arabic.includes("<strong>\u2068محمد\u2069</strong> (+15550100)"), arabic);
    assert.ok(customerPost([], "Ana").includes("<strong>Ana</strong>"), "a left-to-right name is not wrapped");
  });

  it("in notices that quote customer words (a group subject, a keyword)", () => {
    const html = renderWording({ tone: "info", text: "Group “Team\u202e” asked for by Ana\u200b from Teams." });
    assert.ok(!HIDDEN.test(html));
    assert.match(shown(html), /Team\[U\+202E\]” asked for by Ana\[U\+200B\]/);
  });

  it("in the root card: name, first message and the search summary", () => {
    const model = { customerName: "CEO\u202e", phone: "+15550100", firstMessage: "hi\u2066 there", startedAt: SENT_AT };
    const { blocks, runs } = texts(buildRootCard(model));
    for (const text of [...blocks, ...runs]) assert.ok(!HIDDEN.test(text), text);
    assert.ok(runs.includes("CEO[U+202E]"));
    assert.ok(runs.includes("hi[U+2066] there"));
    assert.equal(rootCardSummary(model), "WhatsApp · CEO[U+202E] · +15550100: hi[U+2066] there");
    assert.equal(rootCardSummary({ ...model, customerName: "محمد" }), "WhatsApp · \u2068محمد\u2069 · +15550100: hi[U+2066] there");
  });

  it("in an image's name (card alternative text and notification summary)", () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
    const activity = imagePostActivity({ kind: "image", bytes: png, mimeType: "image/png", name: "cat\u202egnp.exe" });
    assert.equal(activity.summary, "[image] cat[U+202E]gnp.exe");
    assert.ok(!HIDDEN.test(JSON.stringify(activity.attachments)));
  });

  it("in the plain-text fallback", () => {
    const text = renderPlainFallback({
      kind: "customer",
      authorName: "A\u202eB",
      authorHandle: "+1",
      sentAt: SENT_AT,
      body: paragraph("x\u200by"),
      placeholder: "document: a\u202eb",
    });
    assert.ok(!HIDDEN.test(text));
    assert.match(text, /^A\[U\+202E\]B \(\+1\)/);
    assert.match(text, /\[document: a\[U\+202E\]b\]/);
    assert.match(text, /x\[U\+200B\]y/);
  });
});
