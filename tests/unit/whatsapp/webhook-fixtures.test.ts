import assert from "node:assert/strict";
import type { AccountErrorEvent, InboundContent, InboundMessage, StatusEvent, WhatsAppEvent } from "../../../src/core/messages";
import { mapWebhookEnvelope } from "../../../src/whatsapp/meta/webhook-mapper";
import { parseWebhookEnvelope } from "../../../src/whatsapp/meta/webhook-schema";
import { loadMetaFixture, metaFixtureNames } from "./meta-fixtures";

const BUSINESS = "106540352242922";
const MARIA_KEY = `${BUSINESS}|BR.1873409921457730218`;

function mapFixture(name: string, receivedAt = 1_800_000_000): { events: WhatsAppEvent[]; problems: number; skipped: string[] } {
  const parsed = parseWebhookEnvelope(loadMetaFixture(name).json);
  assert.ok(parsed.ok, `${name} parses: ${parsed.ok ? "" : parsed.reason}`);
  const result = mapWebhookEnvelope(parsed.envelope, { receivedAt });
  return { events: result.events, problems: result.problems.length, skipped: result.skippedFields };
}

function onlyMessage(name: string): InboundMessage {
  const { events, problems } = mapFixture(name);
  assert.equal(problems, 0);
  assert.equal(events.length, 1);
  const event = events[0]!;
  assert.equal(event.type, "message");
  return event as InboundMessage;
}

function contentOf(name: string): InboundContent {
  return onlyMessage(name).content;
}

describe("webhook fixtures (tests/fixtures/meta): parse and map", () => {
  it("has all 20 example payloads", () => {
    assert.equal(metaFixtureNames().length, 20);
  });

  for (const name of metaFixtureNames()) {
    it(`${name} parses and maps without problems`, () => {
      const { events, problems } = mapFixture(name);
      assert.ok(events.length >= 1);
      assert.equal(problems, 0);
      for (const event of events) assert.equal(event.business.length > 0, true);
    });
  }

  it("01 text: paragraphs, raw text, contact keyed by BSUID with phone and profile name", () => {
    const message = onlyMessage("01_text_simple");
    const raw = "Olá! My order #4471 hasn't arrived yet, can you check? 📦";
    assert.deepEqual(message.content, { kind: "text", body: [{ kind: "paragraph", inlines: [{ kind: "text", text: raw }] }], raw });
    assert.deepEqual(message.contact, { key: MARIA_KEY, userId: "BR.1873409921457730218", phone: "5511987654321", profileName: "Maria Souza" });
    assert.equal(message.business, BUSINESS);
    assert.equal(message.id, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDFDNkZBNzQ5QzlGNjY3RTIyAA==");
    assert.equal(message.timestamp, 1789300000);
    assert.equal(message.replyTo, undefined);
    assert.equal(message.forwarded, undefined);
  });

  it("02 reply: context.id becomes replyTo", () => {
    const message = onlyMessage("02_text_reply_to_business_message");
    assert.equal(message.replyTo, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjVGNDJBN0IzQjFDOEQwNjI3MwA=");
    assert.equal(message.content.kind, "text");
  });

  it("03 image: media fields, caption and the forwarded marker", () => {
    const message = onlyMessage("03_image_forwarded_with_caption");
    assert.deepEqual(message.content, {
      kind: "media",
      media: "image",
      mediaId: "1084512932467716",
      mimeType: "image/jpeg",
      sha256: "2Xc1J8cO6m8Z0X3kq8m1xJ8l0vUuK1d4Wm3V6oYz2Pk=",
      caption: "This is what arrived",
      captionBody: [{ kind: "paragraph", inlines: [{ kind: "text", text: "This is what arrived" }] }],
    });
    assert.equal(message.forwarded, "forwarded");
  });

  it("04 audio: a voice note", () => {
    assert.deepEqual(contentOf("04_audio_voice_note"), {
      kind: "media",
      media: "audio",
      mediaId: "1203948576123409",
      mimeType: "audio/ogg; codecs=opus",
      sha256: "m4H0t9pQ1wZ5yS8cE2bV7nK3aL6dF0gJ1hR4uT7xC9o=",
      voice: true,
    });
  });

  it("05 document: filename and caption", () => {
    const content = contentOf("05_document_pdf");
    assert.equal(content.kind, "media");
    if (content.kind !== "media") return;
    assert.equal(content.media, "document");
    assert.equal(content.filename, "nota-fiscal-4471.pdf");
    assert.equal(content.caption, "Invoice attached");
    assert.equal(content.mimeType, "application/pdf");
  });

  it("06 location: numeric coordinates, name and address", () => {
    assert.deepEqual(contentOf("06_location_pin"), {
      kind: "location",
      latitude: -23.5557714,
      longitude: -46.6395571,
      name: "Estação Consolação",
      address: "Av. Paulista, 2163 - Consolação, São Paulo - SP",
    });
  });

  it("07 contacts: name, phones and emails of the shared card", () => {
    assert.deepEqual(contentOf("07_contacts_shared"), {
      kind: "contacts",
      contacts: [{ name: "João Pereira", phones: ["+55 11 91234-5678"], emails: ["joao.pereira@example.com"] }],
    });
  });

  it("08 interactive button_reply", () => {
    const message = onlyMessage("08_interactive_button_reply");
    assert.deepEqual(message.content, { kind: "interactive", replyType: "button_reply", id: "resend_order_4471", title: "Resend it" });
    assert.equal(message.replyTo, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjBBNkY4RTE5QTI3RDU0QkMxMAA=");
  });

  it("09 interactive list_reply with description", () => {
    assert.deepEqual(contentOf("09_interactive_list_reply"), {
      kind: "interactive",
      replyType: "list_reply",
      id: "slot_2026-09-15_am",
      title: "Tue 15 Sep, morning",
      description: "08:00-12:00",
    });
  });

  it("10 interactive nfm_reply keeps the flow's JSON string", () => {
    assert.deepEqual(contentOf("10_interactive_nfm_reply_flow"), {
      kind: "interactive",
      replyType: "nfm_reply",
      id: "flow",
      title: "Sent",
      description: '{"flow_token":"ft_4471_return","reason":"damaged","pickup_date":"2026-09-16"}',
    });
  });

  it("11 template quick-reply button", () => {
    assert.deepEqual(contentOf("11_button_template_quick_reply"), { kind: "button", text: "Talk to an agent", payload: "Talk to an agent" });
  });

  it("12 reactions: added with emoji, then removed (no emoji)", () => {
    const { events } = mapFixture("12_reaction_added_then_removed");
    const target = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjVGNDJBN0IzQjFDOEQwNjI3MwA=";
    assert.deepEqual(
      events.map((e) => (e as InboundMessage).content),
      [
        { kind: "reaction", target, emoji: "👍" },
        { kind: "reaction", target },
      ],
    );
  });

  it("13 order: catalog, note and items with prices", () => {
    assert.deepEqual(contentOf("13_order_from_catalog"), {
      kind: "order",
      catalogId: "194836987003835",
      text: "Please deliver before Friday",
      items: [
        { productId: "sku-ceramic-mug-blue", quantity: 2, price: 39.9, currency: "BRL" },
        { productId: "sku-coffee-500g", quantity: 1, price: 54, currency: "BRL" },
      ],
    });
  });

  it("14 system user_changed_number: keyed by the old number (no contacts array), new phone given", () => {
    const message = onlyMessage("14_system_user_changed_number");
    assert.deepEqual(message.content, {
      kind: "system",
      systemType: "user_changed_number",
      body: "User Maria Souza changed from 5511987654321 to 5511955554444",
      newPhone: "5511955554444",
    });
    assert.deepEqual(message.contact, { key: `${BUSINESS}|5511987654321`, phone: "5511987654321" });
  });

  it("15 unsupported edit: original type and Meta's detail", () => {
    assert.deepEqual(contentOf("15_unsupported_edit"), {
      kind: "unsupported",
      originalType: "edit",
      detail: "131051: Message type is currently not supported.",
    });
  });

  it("16 click-to-WhatsApp text: the text maps, the referral does not get in the way", () => {
    const message = onlyMessage("16_text_click_to_whatsapp_referral");
    assert.equal(message.content.kind, "text");
    assert.equal(message.content.kind === "text" ? message.content.raw : "", "Hi, I saw your ad - is the autumn sale still on?");
    assert.equal(message.contact.key, `${BUSINESS}|GB.6620193847561029384`);
    assert.equal(message.contact.profileName, "Tom Hughes");
  });

  it("17 statuses: sent, delivered, read of one message, in order", () => {
    const { events } = mapFixture("17_statuses_sent_delivered_read");
    const statuses = events as StatusEvent[];
    assert.deepEqual(
      statuses.map((s) => [s.type, s.state, s.timestamp]),
      [
        ["status", "sent", 1789300120],
        ["status", "delivered", 1789300121],
        ["status", "read", 1789300300],
      ],
    );
    for (const s of statuses) {
      assert.equal(s.id, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjVGNDJBN0IzQjFDOEQwNjI3MwA=");
      assert.deepEqual(s.recipient, { phone: "5511987654321" });
      assert.deepEqual(s.errors, []);
    }
  });

  it("18 failed status carries error 131047 with Meta's details", () => {
    const { events } = mapFixture("18_status_failed_131047_reengagement");
    const status = events[0] as StatusEvent;
    assert.equal(status.state, "failed");
    assert.equal(status.errors.length, 1);
    const [error] = status.errors;
    assert.equal(error?.code, 131047);
    assert.equal(error?.title, "Re-engagement message");
    assert.equal(error?.detail, "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
    // What it means for a person, in the same words as a synchronous send error.
    assert.equal(error?.retryable, false);
    assert.match(error?.userMessage ?? "", /more than 24 hours.*template/);
  });

  it("19 value-level error: an account_error with a stable key and the receipt time", () => {
    const first = mapFixture("19_value_level_error_130429", 1_800_000_000).events[0] as AccountErrorEvent;
    const again = mapFixture("19_value_level_error_130429", 1_800_000_999).events[0] as AccountErrorEvent;
    const nextDay = mapFixture("19_value_level_error_130429", 1_800_086_400).events[0] as AccountErrorEvent;
    assert.equal(first.type, "account_error");
    assert.equal(first.code, 130429);
    assert.equal(first.title, "Rate limit hit");
    assert.match(first.detail ?? "", /too many messages/);
    assert.equal(first.timestamp, 1_800_000_000);
    assert.match(first.key, /^[0-9a-f]{32}$/);
    assert.equal(again.key, first.key, "a redelivery within the hour has the same key");
    assert.notEqual(nextDay.key, first.key, "the same error a day later is a new event");
  });

  it("20 batch: 3 events across two entries, incl. the username-only contact keyed by BSUID", () => {
    const { events } = mapFixture("20_batch_multi_entry_mixed");
    assert.equal(events.length, 3);
    const [video, sticker, status] = events as [InboundMessage, InboundMessage, StatusEvent];
    assert.equal(video.content.kind === "media" && video.content.media, "video");
    assert.equal(video.contact.key, MARIA_KEY);
    assert.deepEqual(sticker.contact, {
      key: `${BUSINESS}|US.13491208655302741918`,
      userId: "US.13491208655302741918",
      profileName: "Sheena N.",
      username: "@sheena.n",
    });
    assert.equal(sticker.contact.phone, undefined);
    assert.deepEqual(sticker.content, {
      kind: "media",
      media: "sticker",
      mediaId: "556677889900112",
      mimeType: "image/webp",
      sha256: "U3RpY2tlckZha2VIYXNoRm9yVGVzdEZpeHR1cmVzT25seTEyMz0=",
      animated: true,
    });
    assert.equal(status.type, "status");
    assert.equal(status.business, "301122334455667");
    assert.equal(status.state, "delivered");
  });
});
