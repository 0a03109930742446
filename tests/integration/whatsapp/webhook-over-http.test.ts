import assert from "node:assert/strict";
import type { WhatsAppEvent } from "../../../src/core/messages";
import { createWebhookRoutes } from "../../../src/whatsapp/meta/routes";
import { signedWebhook, signWebhook, statusUpdate, textMessage, webhookEnvelope } from "../../../tools/sign-webhook";
import { CaptureLogger } from "../../support/capture-logger";
import { loadMetaFixture } from "../../unit/whatsapp/meta-fixtures";
import { serveRoutes } from "./route-server";

const SECRET = "over-http-secret";
const VERIFY = "over-http-verify";

describe("WhatsApp webhook over real HTTP", () => {
  const ingested: WhatsAppEvent[][] = [];
  let failIngest = false;
  let server: { url: string; close: () => Promise<void> };
  let endpoint: string;

  before(async () => {
    const routes = createWebhookRoutes({
      appSecret: SECRET,
      verifyToken: VERIFY,
      logger: new CaptureLogger(),
      ingest: async (events) => {
        if (failIngest) throw new Error("journal unavailable");
        ingested.push(events);
      },
    });
    server = await serveRoutes(routes);
    endpoint = `${server.url}/api/whatsapp/webhook`;
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    ingested.length = 0;
    failIngest = false;
  });

  const post = (body: Buffer, headers: Record<string, string>) => fetch(endpoint, { method: "POST", headers, body: new Uint8Array(body) });

  it("verification handshake answers the challenge as text/plain", async () => {
    const response = await fetch(`${endpoint}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=987654321`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(await response.text(), "987654321");
    assert.equal((await fetch(`${endpoint}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status, 403);
  });

  it("adversarial case 5 (docs/security.md): raw UTF-8 emoji bytes and \\u00e4-escaped bytes both verify, and the text arrives decoded", async () => {
    const { raw } = loadMetaFixture("01_text_simple");
    const first = signedWebhook(raw, SECRET);
    assert.equal((await post(first.body, first.headers)).status, 200);

    const escaped = JSON.stringify(
      webhookEnvelope(textMessage({ from: { phone: "4915112345678", name: "Jörg" }, text: "Grüße äöå 😀", id: "wamid.E" })),
    ).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    // eslint-disable-next-line no-control-regex -- "not ASCII" spans the control range
    assert.ok(escaped.includes("\\u00e4") && !/[^\x00-\x7f]/.test(escaped), "only ASCII bytes on the wire");
    const second = signedWebhook(escaped, SECRET);
    assert.equal((await post(second.body, second.headers)).status, 200);

    const texts = ingested.map((batch) => batch[0]).map((e) => (e?.type === "message" && e.content.kind === "text" ? e.content.raw : undefined));
    assert.deepEqual(texts, ["Olá! My order #4471 hasn't arrived yet, can you check? 📦", "Grüße äöå 😀"]);
  });

  it("a bad signature is refused with 401 and nothing is ingested", async () => {
    const { body } = signedWebhook(webhookEnvelope(statusUpdate({ id: "wamid.S", status: "sent" })), SECRET);
    const response = await post(body, { "content-type": "application/json", "x-hub-signature-256": signWebhook(body, "wrong") });
    assert.equal(response.status, 401);
    assert.equal(ingested.length, 0);
  });

  it("ingest failure gives 503 so Meta retries", async () => {
    failIngest = true;
    const signed = signedWebhook(webhookEnvelope(statusUpdate({ id: "wamid.S", status: "delivered" })), SECRET);
    assert.equal((await post(signed.body, signed.headers)).status, 503);
  });

  it("adversarial case 15 (docs/security.md): a body over 3 MiB is refused with 413 before the handler runs", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    const response = await post(big, { "content-type": "application/json", "x-hub-signature-256": signWebhook(big, SECRET) }).catch((err: unknown) => err);
    if (response instanceof Response) assert.equal(response.status, 413);
    else assert.ok(response instanceof Error, "the server cut the upload");
    assert.equal(ingested.length, 0);
  });
});
