import assert from "node:assert/strict";
import { parseMultipart } from "../../../tools/meta-graph-standin/multipart";
import { interpretSend } from "../../../tools/whatsapp-simulator/business-send";
import { advances, ChatState, newBsuid } from "../../../tools/whatsapp-simulator/chat-state";

describe("WhatsApp simulator: what a business send shows the customer", () => {
  it("reads text, media by id or link, locations and quoted replies", () => {
    assert.deepEqual(interpretSend({ type: "text", text: { body: "hi" }, context: { message_id: "wamid.1" } }), {
      kind: "message",
      type: "text",
      text: "hi",
      replyTo: "wamid.1",
    });
    assert.deepEqual(interpretSend({ type: "image", image: { id: "123", caption: "see" } }), { kind: "message", type: "image", text: "see", mediaId: "123" });
    assert.deepEqual(interpretSend({ type: "document", document: { link: "https://x.example/a.pdf", filename: "a.pdf" } }), {
      kind: "message",
      type: "document",
      link: "https://x.example/a.pdf",
      filename: "a.pdf",
    });
    assert.deepEqual(interpretSend({ type: "location", location: { latitude: 1.5, longitude: -2, name: "Shop" } }), {
      kind: "message",
      type: "location",
      location: { latitude: 1.5, longitude: -2, name: "Shop" },
    });
  });

  it("summarises templates with their values and interactive messages with their choices", () => {
    const template = interpretSend({
      type: "template",
      template: {
        name: "order_update",
        language: { code: "en_US" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Maria" },
              { type: "text", text: "#4471" },
            ],
          },
        ],
      },
    });
    assert.equal(template.kind === "message" ? template.text : "", 'Template "order_update" (en_US): Maria · #4471');
    const buttons = interpretSend({
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "Still need help?" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "y", title: "Yes" } },
            { type: "reply", reply: { id: "n", title: "No" } },
          ],
        },
      },
    });
    assert.equal(buttons.kind === "message" ? buttons.text : "", "Still need help?\n[Yes] [No]");
  });

  it("recognises reactions (an empty emoji removes one) and read marks with or without typing", () => {
    assert.deepEqual(interpretSend({ type: "reaction", reaction: { message_id: "wamid.2", emoji: "" } }), {
      kind: "reaction",
      messageId: "wamid.2",
      emoji: "",
    });
    assert.deepEqual(interpretSend({ status: "read", message_id: "wamid.3" }), { kind: "read", messageId: "wamid.3", typing: false });
    assert.deepEqual(interpretSend({ status: "read", message_id: "wamid.3", typing_indicator: { type: "text" } }), {
      kind: "read",
      messageId: "wamid.3",
      typing: true,
    });
  });
});

describe("WhatsApp simulator: ticks and customers", () => {
  it("moves ticks only forward; failed is final; read is never undone", () => {
    assert.ok(advances("accepted", "sent"));
    assert.ok(advances("sent", "read"));
    assert.ok(!advances("read", "delivered"));
    assert.ok(!advances("delivered", "delivered"));
    assert.ok(advances("sent", "failed"));
    assert.ok(!advances("read", "failed"));
    assert.ok(!advances("failed", "read"));
  });

  it("finds the addressee by any phone format (`to` wins over `recipient`, as at Meta) or by BSUID", () => {
    const state = new ChatState();
    const maria = state.addCustomer({ name: "Maria", phone: "+55 (11) 98765-4321" });
    const leo = state.addCustomer({ name: "Leo", username: "leo.travels" });
    assert.equal(state.customerByAddress("+5511987654321", undefined), maria);
    assert.equal(state.customerByAddress("5511987654321", leo.userId), maria);
    assert.equal(state.customerByAddress(undefined, leo.userId), leo);
    assert.equal(state.customerByAddress("+1 555 0100", undefined), undefined);
  });

  it("makes BSUIDs in Meta's shape: a country code, a dot, digits", () => {
    assert.match(newBsuid("5511987654321"), /^BR\.\d{20}$/);
    assert.match(newBsuid("447700900123"), /^GB\.\d{20}$/);
    assert.match(newBsuid(undefined), /^US\.\d{20}$/);
    assert.notEqual(newBsuid(), newBsuid());
  });
});

describe("Meta Graph API stand-in: multipart parsing", () => {
  it("returns each part with its name, filename, type and exact bytes", () => {
    const bytes = Buffer.from([0, 13, 10, 45, 45, 255]);
    const body = Buffer.concat([
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="messaging_product"\r\n\r\nwhatsapp\r\n'),
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'),
      bytes,
      Buffer.from("\r\n--XyZ--\r\n"),
    ]);
    const parts = parseMultipart(body, "XyZ");
    assert.equal(parts.length, 2);
    assert.equal(parts[0]?.name, "messaging_product");
    assert.equal(parts[0]?.data.toString(), "whatsapp");
    assert.equal(parts[1]?.filename, "a.bin");
    assert.equal(parts[1]?.contentType, "application/octet-stream");
    assert.deepEqual(parts[1]?.data, bytes);
  });
});
