import assert from "node:assert/strict";
import { BusinessNumberId } from "../../../src/core/ids";
import { customerMessage, EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * Bidi controls and invisible characters through the real HTTP path: a signed webhook in (Graph API
 * stand-in's side of Meta), and what the Bot Connector stand-in received out. Teams gets markers
 * (`[U+202E]`) in the root card, the post's header and body and a shared contact; emoji sequences and an
 * Arabic RLM arrive unchanged; the record (journal bytes, inbox) keeps the raw text.
 */

const SPOOF = { phone: "447700900123", name: "Compliance Dept\u202e", userId: "GB.900000000000000001" };
const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const BIDI_OR_INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]/u;
/** Teams HTML as a reader sees it (entities decoded). */
const shown = (html: string) =>
  html
    .replace(/&#91;/g, "[")
    .replace(/&#93;/g, "]")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

describe("hidden and bidi characters end to end", function () {
  this.timeout(60_000);
  let h: Harness;
  let thread: string;
  const threadTexts = () => h.connector.posts.filter((p) => p.conversationId === thread).map((p) => String(p.activity.text ?? ""));

  before(async () => {
    h = await startHarness();
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
  });
  after(async () => h?.stop());

  it("a spoofed name and an RLO file name reach Teams as markers, while the record keeps the raw text", async () => {
    const text = "Please open invoice\u202efdp.exe today \u2066now\u2069 👨‍👩‍👧";
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: SPOOF, text, id: "wamid.hidden.1" }))), 200);
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
    await h.bridge.bridge.idle();
    const created = h.connector.created[0]!;
    thread = created.conversationId;

    // The root card (thread subject) and its notification summary.
    const rootActivity = created.parameters.activity as { summary?: string; attachments?: Array<{ content: unknown }> };
    const card = JSON.stringify(rootActivity.attachments?.[0]?.content);
    assert.ok(!BIDI_OR_INVISIBLE.test(card), "no raw control in the root card");
    assert.ok(card.includes("Compliance Dept[U+202E]"), card.slice(0, 400));
    assert.ok(card.includes("+447700900123"), "the number beside the name");
    assert.match(rootActivity.summary ?? "", /^WhatsApp · Compliance Dept\[U\+202E\] · \+447700900123: Please open invoice\[U\+202E\]fdp\.exe/);

    // The post: header and body.
    const [html] = threadTexts();
    assert.ok(html);
    assert.ok(!BIDI_OR_INVISIBLE.test(html), "no raw control in the post");
    assert.match(shown(html), /<strong>Compliance Dept\[U\+202E\]<\/strong> \(\+447700900123\)/);
    assert.match(shown(html), /Please open invoice\[U\+202E\]fdp\.exe today \[U\+2066\]now\[U\+2069\] 👨‍👩‍👧/, "the family emoji whole");

    // The record: the journaled bytes and the inbox entry hold the text exactly as sent.
    const entry = await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.hidden.1");
    assert.ok(entry?.journalRef);
    const delivery = await h.bridge.journal.read(entry.journalRef);
    assert.ok(Buffer.from(delivery!.body).toString("utf8").includes(text), "raw webhook bytes unchanged");
    assert.equal(entry.event.type === "message" && entry.event.content.kind === "text" ? entry.event.content.raw : undefined, text);
    assert.equal(entry.event.type === "message" ? entry.event.contact.profileName : undefined, SPOOF.name);
  });

  it("a shared contact card with an RLO and an Arabic message with its RLM", async () => {
    const before = threadTexts().length;
    const contacts = [{ name: { formatted_name: "Bank\u202e Support", first_name: "Bank" }, phones: [{ phone: "+44\u200b20 7946 0000", type: "WORK" }] }];
    assert.equal(await h.postWebhook(h.envelope(customerMessage({ from: SPOOF, id: "wamid.hidden.2", message: { type: "contacts", contacts } }))), 200);
    const arabic = "السعر \u200f100 دولار";
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: SPOOF, text: arabic, id: "wamid.hidden.3" }))), 200);
    await h.connector.waitFor(() => threadTexts().length >= before + 2, 15_000);
    await h.bridge.bridge.idle();
    const [card, rtl] = threadTexts().slice(before).map(shown);
    assert.ok(!BIDI_OR_INVISIBLE.test(card!));
    assert.match(card!, /Bank\[U\+202E\] Support/);
    assert.match(card!, /\+44\[U\+200B\]20 7946 0000/);
    assert.ok(rtl!.includes(arabic), "right-to-left text keeps its mark");
  });
});
