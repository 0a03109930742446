import assert from "node:assert/strict";
import type { InboundMessage, StatusEvent } from "../../../src/core/messages";
import { inboundMessageSchema, parseInboundMessage } from "../../../src/whatsapp/meta/message-schemas";
import { mapWebhookEnvelope, toWhatsAppEvents, type MappingResult } from "../../../src/whatsapp/meta/webhook-mapper";
import { parseWebhookEnvelope } from "../../../src/whatsapp/meta/webhook-schema";
import { customerMessage, EXAMPLE_BUSINESS, statusUpdate, textMessage, webhookEnvelope, type WebhookChangeSpec } from "../../../tools/sign-webhook";

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const BUSINESS = EXAMPLE_BUSINESS.phoneNumberId;

function mapJson(json: unknown): MappingResult {
  const parsed = parseWebhookEnvelope(json);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
  return mapWebhookEnvelope(parsed.envelope, { receivedAt: 1_800_000_000 });
}

function mapChanges(...changes: WebhookChangeSpec[]): MappingResult {
  return mapJson(webhookEnvelope(...changes));
}

function singleMessage(message: { type: string; [k: string]: unknown }, context?: Record<string, unknown>): InboundMessage {
  const result = mapChanges(customerMessage({ from: MARIA, message, id: "wamid.X", timestamp: 1789300000, ...(context ? { context } : {}) }));
  assert.deepEqual(result.problems, []);
  assert.equal(result.events.length, 1);
  return result.events[0] as InboundMessage;
}

describe("webhook schema and mapper: edge cases", () => {
  it("an unknown message type still parses (unknown-type variant) and maps to unsupported", () => {
    const raw = { id: "wamid.P", timestamp: "1789300000", from: "5511987654321", type: "poll_creation", poll_creation: { name: "?" } };
    assert.equal(inboundMessageSchema.safeParse(raw).success, true);
    assert.equal(parseInboundMessage(raw).kind, "unknown_type");
    const message = singleMessage({ type: "poll_creation", poll_creation: { name: "Lunch?" } });
    assert.deepEqual(message.content, { kind: "unsupported", originalType: "poll_creation", detail: "a message type this bridge does not know yet" });
  });

  it("a known type whose payload fails its schema maps to unsupported, not dropped", () => {
    const raw = { id: "wamid.Y", timestamp: "1", from: "1", type: "image", image: { caption: "no id" } };
    assert.equal(inboundMessageSchema.safeParse(raw).success, false);
    const message = singleMessage({ type: "image", image: { caption: "no id" } });
    assert.equal(message.content.kind, "unsupported");
    assert.equal(message.content.kind === "unsupported" && message.content.originalType, "image");
    assert.match(message.content.kind === "unsupported" ? (message.content.detail ?? "") : "", /unreadable image message \(image\.id/);
    assert.equal(message.id, "wamid.X");
  });

  it("every other A7 type maps to its content variant", () => {
    assert.deepEqual(singleMessage({ type: "edit", edit: { original_message_id: "wamid.O", message: { type: "text", text: { body: "fixed" } } } }).content, {
      kind: "edit",
      target: "wamid.O",
      newText: "fixed",
    });
    assert.deepEqual(singleMessage({ type: "revoke", revoke: { original_message_id: "wamid.O" } }).content, { kind: "revoke", target: "wamid.O" });
    assert.deepEqual(singleMessage({ type: "unknown", errors: [{ code: 131051, title: "Message type unknown" }] }).content, {
      kind: "unsupported",
      originalType: "unknown",
      detail: "131051: Message type unknown",
    });
    assert.equal(singleMessage({ type: "request_welcome" }).content.kind, "system");
    assert.deepEqual(singleMessage({ type: "video", video: { id: "77", mime_type: "video/mp4" } }).content, {
      kind: "media",
      media: "video",
      mediaId: "77",
      mimeType: "video/mp4",
    });
    assert.deepEqual(
      singleMessage({ type: "interactive", interactive: { type: "call_permission_reply", call_permission_reply: { response: "accept", is_permanent: true } } })
        .content,
      { kind: "interactive", replyType: "call_permission_reply", title: "Call permission: accept", description: "permanently" },
    );
    assert.deepEqual(singleMessage({ type: "interactive", interactive: { type: "carousel_reply", carousel_reply: {} } }).content.kind, "unsupported");
    assert.deepEqual(singleMessage({ type: "system", system: { type: "user_changed_user_id", body: "changed", user_id: "BR.999" } }).content, {
      kind: "system",
      systemType: "user_changed_user_id",
      body: "changed",
      newUserId: "BR.999",
    });
  });

  it("location coordinates sent as strings are read as numbers", () => {
    assert.deepEqual(singleMessage({ type: "location", location: { latitude: "51.5", longitude: "-0.12" } }).content, {
      kind: "location",
      latitude: 51.5,
      longitude: -0.12,
    });
  });

  it("multi-line text: blank lines split paragraphs, line breaks stay, markup is parsed; raw keeps the original", () => {
    const raw = "first line\n\nsecond *line*\r\nthird";
    const message = singleMessage({ type: "text", text: { body: raw } });
    assert.deepEqual(message.content, {
      kind: "text",
      raw,
      body: [
        { kind: "paragraph", inlines: [{ kind: "text", text: "first line" }] },
        {
          kind: "paragraph",
          inlines: [
            { kind: "text", text: "second " },
            { kind: "text", text: "line", marks: { bold: true } },
            { kind: "break" },
            { kind: "text", text: "third" },
          ],
        },
      ],
    });
  });

  it("frequently_forwarded wins over forwarded", () => {
    assert.equal(singleMessage({ type: "text", text: { body: "x" } }, { forwarded: true, frequently_forwarded: true }).forwarded, "frequently");
  });

  it("contacts are matched to messages by from_user_id, then by from/wa_id", () => {
    const envelope = webhookEnvelope(textMessage({ from: MARIA, text: "hi", id: "wamid.1" }));
    const value = envelope.entry[0]!.changes[0]!.value as { contacts: unknown[]; messages: Record<string, unknown>[] };
    value.contacts = [
      { profile: { name: "Someone Else" }, wa_id: "447700900123" },
      { profile: { name: "Maria by BSUID" }, user_id: MARIA.userId, wa_id: "000" },
    ];
    assert.equal((mapJson(envelope).events[0] as InboundMessage).contact.profileName, "Maria by BSUID");

    delete value.messages[0]!.from_user_id;
    value.contacts = [{ profile: { name: "Maria by phone" }, wa_id: MARIA.phone }];
    const byPhone = mapJson(envelope).events[0] as InboundMessage;
    assert.deepEqual(byPhone.contact, { key: `${BUSINESS}|${MARIA.phone}`, phone: MARIA.phone, profileName: "Maria by phone" });
  });

  it("a message without any sender id, or without id, is reported as a problem while the rest of the batch maps", () => {
    const envelope = webhookEnvelope(textMessage({ from: MARIA, text: "good", id: "wamid.good" }));
    const value = envelope.entry[0]!.changes[0]!.value as { contacts?: unknown[]; messages: Record<string, unknown>[] };
    delete value.contacts;
    value.messages.push({ id: "wamid.anon", timestamp: "1", type: "text", text: { body: "who?" } });
    value.messages.push({ timestamp: "1", from: "1", type: "text", text: { body: "no id" } });
    const result = mapJson(envelope);
    assert.deepEqual(
      result.events.map((e) => (e as InboundMessage).id),
      ["wamid.good"],
    );
    assert.deepEqual(
      result.problems.map((p) => p.where),
      ["entry[0].changes[0].value.messages[1]", "entry[0].changes[0].value.messages[2]"],
    );
    assert.ok(!JSON.stringify(result.problems).includes("who?"), "problems never quote message content");
  });

  it("other change fields are recognised and skipped without error", () => {
    const json = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: EXAMPLE_BUSINESS.wabaId,
          changes: [
            { field: "message_template_status_update", value: { event: "APPROVED", message_template_id: 1, message_template_name: "x" } },
            { field: "account_alerts", value: { entity_type: "WABA", alert_info: {} } },
            { field: "messages", value: textMessage({ from: MARIA, text: "hi" }).value },
          ],
        },
      ],
    };
    const result = mapJson(json);
    assert.deepEqual(result.skippedFields, ["message_template_status_update", "account_alerts"]);
    assert.deepEqual(result.problems, []);
    assert.equal(result.events.length, 1);
  });

  it("user_preferences (marketing messages stopped / resumed) map to preference events", () => {
    const metadata = { display_phone_number: EXAMPLE_BUSINESS.displayPhoneNumber, phone_number_id: BUSINESS };
    const json = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: EXAMPLE_BUSINESS.wabaId,
          changes: [
            {
              field: "user_preferences",
              value: {
                messaging_product: "whatsapp",
                metadata,
                contacts: [{ profile: { name: "Maria" }, wa_id: MARIA.phone }],
                user_preferences: [
                  {
                    wa_id: MARIA.phone,
                    user_id: MARIA.userId,
                    detail: "User requested to stop marketing messages",
                    category: "marketing_messages",
                    value: "stop",
                    timestamp: "1789300100",
                  },
                  { wa_id: MARIA.phone, category: "marketing_messages", value: "resume", timestamp: "1789300200" },
                  { wa_id: MARIA.phone, category: "something_else", value: "stop", timestamp: "1789300300" },
                ],
              },
            },
          ],
        },
      ],
    };
    const result = mapJson(json);
    assert.deepEqual(result.events, [
      { type: "preference", business: BUSINESS, contact: { userId: MARIA.userId, phone: MARIA.phone }, value: "stop", timestamp: 1789300100 },
      { type: "preference", business: BUSINESS, contact: { phone: MARIA.phone }, value: "resume", timestamp: 1789300200 },
    ]);
    assert.equal(result.problems.length, 1, "an unknown category is reported, not mapped");
  });

  it("a messages change without metadata.phone_number_id is a problem, not a crash", () => {
    const result = mapJson({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages", value: { messages: [] } }] }] });
    assert.equal(result.events.length, 0);
    assert.equal(result.problems[0]?.where, "entry[0].changes[0].value");
  });

  it("statuses: BSUID-only recipients, group recipients and unknown status values", () => {
    const change = statusUpdate({ id: "wamid.S", status: "read", recipient: { userId: "US.1" }, timestamp: 5 });
    (change.value.statuses as unknown[]).push({ id: "wamid.T", status: "deleted", timestamp: "6" });
    (change.value.statuses as unknown[]).push({ id: "wamid.G", status: "sent", timestamp: "7", recipient_id: "120363040000000000", recipient_type: "group" });
    const result = mapChanges(change);
    const [bsuid, group] = result.events as StatusEvent[];
    assert.deepEqual(bsuid, { type: "status", business: BUSINESS, id: "wamid.S", state: "read", timestamp: 5, recipient: { userId: "US.1" }, errors: [] });
    assert.equal(group?.recipient, undefined);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0]!.where, /statuses\[1\]/);
  });

  it("refuses documents that are not WhatsApp Business Account webhooks", () => {
    for (const json of [
      null,
      [],
      "x",
      { object: "page", entry: [] },
      { object: "whatsapp_business_account" },
      { object: "whatsapp_business_account", entry: [{ id: "1" }] },
    ]) {
      assert.equal(parseWebhookEnvelope(json).ok, false, JSON.stringify(json));
    }
  });

  it("toWhatsAppEvents returns the events of mapWebhookEnvelope", () => {
    const parsed = parseWebhookEnvelope(webhookEnvelope(textMessage({ from: MARIA, text: "a" }), statusUpdate({ id: "wamid.Q", status: "sent" })));
    assert.ok(parsed.ok);
    assert.deepEqual(
      toWhatsAppEvents(parsed.envelope).map((e) => e.type),
      ["message", "status"],
    );
  });
});
