import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { InboundMessage, StatusEvent, WhatsAppEvent } from "../../../src/core/messages";
import { createWebhookRoutes } from "../../../src/whatsapp/meta/routes";
import { startWhatsAppSimulator, type WhatsAppSimulator } from "../../../tools/whatsapp-simulator";
import { CaptureLogger } from "../../support/capture-logger";
import { serveRoutes } from "./route-server";

const APP_SECRET = "simulator-app-secret";
const TOKEN = "simulator-token";
const JPEG = Buffer.from("ffd8ffe000104a46494600010100000100010000ffd9", "hex");

/**
 * The simulator's webhooks go to the product's own webhook routes (signature check over the raw bytes,
 * zod schema, mapping): if the bridge could tell the simulator from Meta, these would refuse them.
 */
describe("WhatsApp simulator", () => {
  let simulator: WhatsAppSimulator;
  let receiver: { url: string; close: () => Promise<void> };
  let events: WhatsAppEvent[];
  let refuseNext = 0;

  const inbound = () => events.filter((e): e is InboundMessage => e.type === "message");
  const statuses = () => events.filter((e): e is StatusEvent => e.type === "status");
  const waitForEvents = async (probe: () => boolean, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`expected webhook events did not arrive; got ${JSON.stringify(events.map((e) => e.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** What the bridge does to answer: a send through the Graph API with the token. */
  const businessSends = async (body: Record<string, unknown>) => {
    const response = await fetch(`${simulator.metaGraphUrl}/${simulator.business.phoneNumberId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ messaging_product: "whatsapp", ...body }),
    });
    return (await response.json()) as { messages?: Array<{ id: string }> };
  };

  before(async () => {
    receiver = await serveRoutes(
      createWebhookRoutes({
        appSecret: APP_SECRET,
        verifyToken: "unused",
        logger: new CaptureLogger(),
        ingest: async (batch) => {
          if (refuseNext > 0) {
            refuseNext--;
            throw new Error("storage unavailable (scripted)");
          }
          events.push(...batch);
        },
      }),
    );
  });
  beforeEach(async () => {
    events = [];
    refuseNext = 0;
    simulator = await startWhatsAppSimulator({
      appSecret: APP_SECRET,
      accessToken: TOKEN,
      webhookUrl: `${receiver.url}/api/whatsapp/webhook`,
      tickDelaysMs: { sent: 10, delivered: 10 },
      retryDelaysMs: [20, 20],
    });
  });
  afterEach(async () => {
    await simulator.close();
  });
  after(async () => {
    await receiver.close();
  });

  it("sends a customer's text as a signed webhook the bridge's own parser accepts, then shows it delivered", async () => {
    const maria = simulator.addCustomer({ name: "Maria Souza", phone: "+55 11 98765-4321" });
    const message = await simulator.send(maria.id, { type: "text", text: "Hello, where is my order?" });
    assert.equal(message?.status, "delivered");
    const [event] = inbound();
    assert.ok(event);
    assert.equal(event.id, message.id);
    assert.equal(event.business, simulator.business.phoneNumberId);
    assert.equal(event.contact.phone, "5511987654321");
    assert.equal(event.contact.userId, maria.userId);
    assert.match(maria.userId, /^BR\.\d{20}$/);
    assert.equal(event.contact.profileName, "Maria Souza");
    assert.deepEqual(event.content.kind === "text" ? event.content.raw : undefined, "Hello, where is my order?");
  });

  it("plays a username-only customer: no phone number anywhere, only the BSUID and the username", async () => {
    const leo = simulator.addCustomer({ name: "Leo", username: "@leo.travels" });
    await simulator.send(leo.id, { type: "text", text: "hi" });
    const [event] = inbound();
    assert.equal(event?.contact.phone, undefined);
    assert.equal(event?.contact.userId, leo.userId);
    assert.equal(event?.contact.username, "leo.travels");
  });

  it("stores a customer's image like Meta does: the webhook names the media id, GET /{id} and the URL give the bytes", async () => {
    const c = simulator.addCustomer({ name: "Ana", phone: "447700900123" });
    await simulator.send(c.id, { type: "image", bytes: JPEG, mimeType: "image/jpeg", filename: "parcel.jpg", caption: "This arrived" });
    const content = inbound()[0]?.content;
    assert.ok(content?.kind === "media");
    assert.equal(content.media, "image");
    assert.equal(content.caption, "This arrived");
    assert.equal(content.mimeType, "image/jpeg");
    assert.equal(content.sha256, createHash("sha256").update(JPEG).digest("base64"));

    const meta = (await (await fetch(`${simulator.metaGraphUrl}/${content.mediaId}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      url: string;
      file_size: string;
    };
    assert.equal(meta.file_size, String(JPEG.length));
    assert.equal(new URL(meta.url).host, simulator.mediaHost);
    const bytes = Buffer.from(await (await fetch(meta.url, { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer());
    assert.deepEqual(bytes, JPEG);
  });

  it("sends documents, locations and reactions in Meta's shapes", async () => {
    const c = simulator.addCustomer({ name: "Ana", phone: "447700900123" });
    const reply = await businessSends({ to: "+447700900123", type: "text", text: { body: "Here is your invoice" } });
    const businessMessage = reply.messages![0]!.id;
    await simulator.send(c.id, { type: "document", bytes: Buffer.from("%PDF-1.4"), mimeType: "application/pdf", filename: "invoice.pdf" });
    await simulator.send(c.id, { type: "location", latitude: 51.5072, longitude: -0.1276, name: "Contoso Store", address: "1 Example Street" });
    await simulator.send(c.id, { type: "reaction", messageId: businessMessage, emoji: "👍" });
    await simulator.send(c.id, { type: "reaction", messageId: businessMessage, emoji: "" });
    const contents = inbound().map((e) => e.content);
    assert.deepEqual(
      contents.map((x) => x.kind),
      ["media", "location", "reaction", "reaction"],
    );
    assert.ok(contents[0]?.kind === "media" && contents[0].filename === "invoice.pdf" && contents[0].media === "document");
    assert.deepEqual(contents[1], { kind: "location", latitude: 51.5072, longitude: -0.1276, name: "Contoso Store", address: "1 Example Street" });
    assert.deepEqual(contents[2], { kind: "reaction", target: businessMessage, emoji: "👍" });
    assert.equal(contents[3]?.kind === "reaction" ? contents[3].emoji : "wrong kind", undefined, "removing a reaction omits the emoji");
    assert.equal(simulator.state.message(businessMessage)?.reactions.customer, undefined);
  });

  it("shows the business's reply and reports sent, delivered, then read (when the customer looks) as status webhooks", async () => {
    const c = simulator.addCustomer({ name: "Ana", phone: "447700900123" });
    const reply = await businessSends({
      to: "+44 7700 900123",
      type: "text",
      text: { body: "Your order ships *today*" },
      biz_opaque_callback_data: "teams:thread-1",
    });
    const wamid = reply.messages![0]!.id;
    const shown = simulator.state.message(wamid);
    assert.equal(shown?.customerId, c.id);
    assert.equal(shown?.direction, "out");
    assert.equal(shown?.text, "Your order ships *today*");
    await simulator.waitFor(() => simulator.state.message(wamid)?.status === "delivered");
    await waitForEvents(() => statuses().length === 2);
    simulator.markRead(c.id);
    await waitForEvents(() => statuses().length === 3);
    assert.deepEqual(
      statuses().map((s) => s.state),
      ["sent", "delivered", "read"],
    );
    for (const s of statuses()) {
      assert.equal(s.id, wamid);
      assert.equal(s.callbackData, "teams:thread-1");
      assert.equal(s.recipient?.phone, "447700900123");
      assert.equal(s.recipient?.userId, c.userId);
    }
    assert.equal(simulator.state.message(wamid)?.status, "read");
  });

  it("addresses a username-only customer by BSUID (`recipient`) and reads automatically when asked to", async () => {
    await simulator.close();
    simulator = await startWhatsAppSimulator({
      appSecret: APP_SECRET,
      accessToken: TOKEN,
      webhookUrl: `${receiver.url}/api/whatsapp/webhook`,
      tickDelaysMs: { sent: 5, delivered: 5 },
      autoReadMs: 5,
    });
    const leo = simulator.addCustomer({ name: "Leo", username: "leo.travels" });
    const reply = await businessSends({ recipient: leo.userId, type: "text", text: { body: "Hi Leo" } });
    const wamid = reply.messages![0]!.id;
    assert.equal(simulator.state.message(wamid)?.customerId, leo.id);
    await simulator.waitFor(() => simulator.state.message(wamid)?.status === "read");
    await waitForEvents(() => statuses().length === 3);
    assert.equal(statuses()[2]?.recipient?.phone, undefined);
  });

  it("marks the customer's messages read when the business marks one read, and shows the business's reaction", async () => {
    const c = simulator.addCustomer({ name: "Ana", phone: "447700900123" });
    const first = await simulator.send(c.id, { type: "text", text: "one" });
    const second = await simulator.send(c.id, { type: "text", text: "two" });
    await businessSends({ status: "read", message_id: second!.id });
    assert.equal(simulator.state.message(first!.id)?.status, "read");
    assert.equal(simulator.state.message(second!.id)?.status, "read");
    await businessSends({ to: "+447700900123", type: "reaction", reaction: { message_id: first!.id, emoji: "❤️" } });
    assert.equal(simulator.state.message(first!.id)?.reactions.business, "❤️");
    await waitForEvents(() => statuses().length === 1);
    assert.equal(statuses()[0]?.state, "sent", "a reaction only ever gets `sent`");
  });

  it("retries a webhook the bridge refused, like Meta, and marks it failed once retries run out", async () => {
    const c = simulator.addCustomer({ name: "Ana", phone: "447700900123" });
    refuseNext = 1;
    const retried = await simulator.send(c.id, { type: "text", text: "second try works" });
    assert.equal(retried?.status, "delivered");
    assert.equal(inbound().length, 1);
    refuseNext = 10;
    const failed = await simulator.send(c.id, { type: "text", text: "never accepted" });
    assert.equal(failed?.status, "failed");
    assert.match(failed?.error ?? "", /503/);
  });
});
