import assert from "node:assert/strict";
import type { WhatsAppEvent } from "../../../src/core/messages";
import type { RawDelivery } from "../../../src/core/ports/webhook-journal";
import type { HttpRequest, HttpRoute } from "../../../src/http/http-route";
import { createWebhookRoutes, MAX_WEBHOOK_BODY_BYTES, WHATSAPP_WEBHOOK_PATH } from "../../../src/whatsapp/meta/routes";
import { signWebhook, textMessage, webhookEnvelope } from "../../../tools/sign-webhook";
import { CaptureLogger } from "../../support/capture-logger";
import { loadMetaFixture } from "./meta-fixtures";

const SECRET = "test-app-secret-0123456789";
const VERIFY_TOKEN = "verify-token-abc";
const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };

interface Harness {
  get: HttpRoute;
  post: HttpRoute;
  logger: CaptureLogger;
  ingested: WhatsAppEvent[][];
  ingest: (events: WhatsAppEvent[], delivery: RawDelivery) => Promise<void>;
}

function harness(ingest?: (events: WhatsAppEvent[], delivery: RawDelivery) => Promise<void>): Harness {
  const logger = new CaptureLogger();
  const ingested: WhatsAppEvent[][] = [];
  const record = ingest ?? (async (events: WhatsAppEvent[]) => void ingested.push(events));
  const routes = createWebhookRoutes({ appSecret: SECRET, verifyToken: VERIFY_TOKEN, ingest: record, logger, now: () => 1_800_000_000_000 });
  const get = routes.find((r) => r.method === "GET");
  const post = routes.find((r) => r.method === "POST");
  assert.ok(get && post);
  return { get, post, logger, ingested, ingest: record };
}

function getRequest(query: Record<string, string>): HttpRequest {
  return { method: "GET", path: WHATSAPP_WEBHOOK_PATH, headers: {}, query, rawBody: Buffer.alloc(0) };
}

/** `signature: null` sends no signature header at all. */
function postRequest(body: Buffer | string, signature: string | null = signWebhook(body, SECRET)): HttpRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  const headers = { "content-type": "application/json", ...(signature === null ? {} : { "x-hub-signature-256": signature }) };
  return { method: "POST", path: WHATSAPP_WEBHOOK_PATH, headers, query: {}, rawBody };
}

const textBody = (text = "Hello from Maria") => JSON.stringify(webhookEnvelope(textMessage({ from: MARIA, text, id: "wamid.T1", timestamp: 1789300000 })));

describe("webhook routes", () => {
  it("declares GET and POST on /api/whatsapp/webhook with a 3 MiB body limit on POST", () => {
    const h = harness();
    assert.equal(h.get.path, "/api/whatsapp/webhook");
    assert.equal(h.post.path, "/api/whatsapp/webhook");
    assert.equal(h.post.maxBodyBytes, 3 * 1024 * 1024);
    assert.equal(MAX_WEBHOOK_BODY_BYTES, 3 * 1024 * 1024);
  });

  describe("GET verification handshake (cases 18, 19)", () => {
    const valid = { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444" };

    it("answers the raw challenge as text/plain when mode and token match", async () => {
      const response = await harness().get.handle(getRequest(valid));
      assert.equal(response.status, 200);
      assert.equal(response.body, "1158201444");
      assert.match(response.headers?.["content-type"] ?? "", /^text\/plain/);
    });

    it("case 18: 403 for a wrong, missing or differently sized token, or a wrong mode", async () => {
      const h = harness();
      for (const query of [
        { ...valid, "hub.verify_token": "verify-token-abd" },
        { ...valid, "hub.verify_token": `${VERIFY_TOKEN}x` },
        { "hub.mode": "subscribe", "hub.challenge": "1" },
        { ...valid, "hub.mode": "unsubscribe" },
      ]) {
        const response = await h.get.handle(getRequest(query));
        assert.equal(response.status, 403, JSON.stringify(query));
        assert.notEqual(response.body, query["hub.challenge"]);
      }
      assert.ok(!JSON.stringify(h.logger.lines).includes(VERIFY_TOKEN), "token never logged");
    });

    it("case 19: refuses a challenge outside ^[A-Za-z0-9_-]{1,128}$ even with the right token", async () => {
      const h = harness();
      for (const challenge of ["<script>alert(1)</script>", "a b", "", "x".repeat(129), "abc\n"]) {
        const response = await h.get.handle(getRequest({ ...valid, "hub.challenge": challenge }));
        assert.equal(response.status, 403, challenge);
        assert.ok(!String(response.body).includes("<script>"));
      }
      assert.equal((await h.get.handle(getRequest({ ...valid, "hub.challenge": "A-z_9".repeat(25) }))).status, 200);
    });
  });

  describe("POST notifications", () => {
    it("a signed text message is ingested, then answered 200 {} with counts logged (not the body)", async () => {
      const h = harness();
      const response = await h.post.handle(postRequest(textBody("secret words of a customer")));
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, {});
      assert.equal(h.ingested.length, 1);
      assert.equal(h.ingested[0]?.[0]?.type, "message");
      const received = h.logger.lines.find((l) => l.event === "whatsapp.webhook.received");
      assert.equal(received?.fields.messages, 1);
      assert.ok(!JSON.stringify(h.logger.lines).includes("secret words"), "the body is never logged");
    });

    it("cases 1, 2, 6: a bad or missing signature gives 401, logs a warning without the body, and never ingests", async () => {
      const h = harness();
      const body = textBody("do not log me");
      const tampered = body.replace("do not", "do NOT");
      assert.notEqual(tampered, body);
      for (const request of [
        postRequest(body, null),
        postRequest(body, signWebhook(body, "wrong-secret")),
        postRequest(tampered, signWebhook(body, SECRET)),
        postRequest(body, "sha256=abc"),
      ]) {
        const response = await h.post.handle(request);
        assert.equal(response.status, 401);
      }
      assert.equal(h.ingested.length, 0);
      const warnings = h.logger.lines.filter((l) => l.event === "whatsapp.webhook.bad_signature");
      assert.equal(warnings.length, 4);
      assert.ok(warnings.every((w) => w.level === "warn"));
      assert.ok(!JSON.stringify(h.logger.lines).includes("do not log me"));
      assert.ok(!JSON.stringify(h.logger.lines).includes(SECRET));
    });

    it("signature is checked before anything else: unsigned garbage gets 401, not 400", async () => {
      const h = harness();
      assert.equal((await h.post.handle(postRequest("{not json", "sha256=" + "0".repeat(64)))).status, 401);
    });

    it("case 5: the emoji fixture signed as raw bytes is accepted and its text arrives intact", async () => {
      const h = harness();
      const { raw } = loadMetaFixture("01_text_simple");
      assert.equal((await h.post.handle(postRequest(raw))).status, 200);
      const event = h.ingested[0]?.[0];
      assert.ok(event?.type === "message" && event.content.kind === "text");
      assert.equal(event.content.raw, "Olá! My order #4471 hasn't arrived yet, can you check? 📦");
    });

    it("malformed JSON gives 400 with a reason", async () => {
      const h = harness();
      const response = await h.post.handle(postRequest('{"object": "whatsapp_business_account", "entry": ['));
      assert.equal(response.status, 400);
      assert.deepEqual(response.body, { error: "malformed JSON" });
      assert.equal(h.ingested.length, 0);
    });

    it("a JSON document that is not a WhatsApp envelope gives 400 with a reason", async () => {
      const h = harness();
      for (const body of ['{"object":"page","entry":[]}', "[]", '"text"', "null"]) {
        const response = await h.post.handle(postRequest(body));
        assert.equal(response.status, 400, body);
        assert.equal((response.body as { error: string }).error, "not a WhatsApp Business Account webhook");
      }
    });

    it("case 16: JSON nested 100,000 levels deep gives 400, not a crash", async () => {
      const h = harness();
      const deep = `{"object":"whatsapp_business_account","entry":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
      const response = await h.post.handle(postRequest(deep));
      assert.equal(response.status, 400);
      assert.match((response.body as { error: string }).error, /nested deeper/);
    });

    it("case 16: an array of 1,000,000 items gives 400", async () => {
      const h = harness();
      const huge = `{"object":"whatsapp_business_account","entry":[${"0,".repeat(999_999)}0]}`;
      assert.ok(huge.length < MAX_WEBHOOK_BODY_BYTES);
      const response = await h.post.handle(postRequest(huge));
      assert.equal(response.status, 400);
      assert.match((response.body as { error: string }).error, /more than \d+ items/);
    });

    it("brackets and commas inside strings do not count towards the limits", async () => {
      const h = harness();
      assert.equal((await h.post.handle(postRequest(textBody(`${"[{,".repeat(20_000)} \\" ]]]`)))).status, 200);
    });

    it("case 17: __proto__ and constructor.prototype keys do not pollute Object.prototype", async () => {
      const h = harness();
      const envelope = webhookEnvelope(textMessage({ from: MARIA, text: "hi", id: "wamid.P1" }));
      const json = JSON.stringify(envelope)
        .replace('{"object":', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"object":')
        .replace('"messaging_product":', '"__proto__":{"isAdmin":true},"messaging_product":')
        .replace('"text":{', '"text":{"__proto__":{"body":"injected"},');
      assert.ok(json.includes("__proto__"));
      const response = await h.post.handle(postRequest(json));
      assert.equal(response.status, 200);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
      const event = h.ingested[0]?.[0];
      assert.ok(event?.type === "message" && event.content.kind === "text");
      assert.equal(event.content.raw, "hi");
      assert.equal(Object.getPrototypeOf(event), Object.prototype);
    });

    it("never answers 200 before ingest resolved", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const h = harness(() => gate);
      let settled = false;
      const pending = h.post.handle(postRequest(textBody())).then((r) => ((settled = true), r));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(settled, false, "still waiting for ingest");
      release();
      assert.equal((await pending).status, 200);
    });

    it("answers 503 when ingest throws, so Meta retries", async () => {
      const h = harness(async () => {
        throw new Error("storage unavailable");
      });
      const response = await h.post.handle(postRequest(textBody()));
      assert.equal(response.status, 503);
      const failure = h.logger.lines.find((l) => l.event === "whatsapp.webhook.ingest_failed");
      assert.equal(failure?.level, "error");
      assert.equal(failure?.fields.messages, 1);
    });

    it("logs how many events of each type a mixed batch carried", async () => {
      const h = harness();
      const { raw } = loadMetaFixture("20_batch_multi_entry_mixed");
      assert.equal((await h.post.handle(postRequest(raw))).status, 200);
      const events = h.ingested[0] ?? [];
      const count = (type: WhatsAppEvent["type"]) => events.filter((e) => e.type === type).length;
      const fields = h.logger.lines.find((l) => l.event === "whatsapp.webhook.received")?.fields;
      assert.deepEqual(
        {
          messages: fields?.messages,
          statuses: fields?.statuses,
          accountErrors: fields?.accountErrors,
          preferences: fields?.preferences,
          groupEvents: fields?.groupEvents,
        },
        {
          messages: count("message"),
          statuses: count("status"),
          accountErrors: count("account_error"),
          preferences: count("preference"),
          groupEvents: count("group"),
        },
      );
      assert.ok(count("message") > 0 && count("status") > 0, "the batch mixes messages and statuses");
      assert.equal(fields?.bytes, raw.length);
    });

    it("a webhook with no event (only other fields) is still handed over for the journal, with no events", async () => {
      const calls: Array<{ events: number; body: string }> = [];
      const h = harness(async (events, delivery) => void calls.push({ events: events.length, body: Buffer.from(delivery.body).toString("utf8") }));
      const body = JSON.stringify({
        object: "whatsapp_business_account",
        entry: [{ id: "1", changes: [{ field: "message_template_status_update", value: { event: "APPROVED" } }] }],
      });
      const response = await h.post.handle(postRequest(body));
      assert.equal(response.status, 200);
      assert.deepEqual(calls, [{ events: 0, body }]);
      assert.deepEqual(h.logger.lines.find((l) => l.event === "whatsapp.webhook.received")?.fields.skippedFields, ["message_template_status_update"]);
    });

    it("hands ingest the exact raw bytes and the signature header as received (for the journal)", async () => {
      const seen: Array<{ body: Buffer; signature: string }> = [];
      const h = harness(async (_events, delivery) => void seen.push({ body: Buffer.from(delivery.body), signature: delivery.signature }));
      // Escaped unicode and odd spacing: re-serialising the JSON would change these bytes.
      const raw = Buffer.from(textBody("hello").replace('"object"', ' "object" ').replace("hello", "h\\u00e9llo \\ud83d\\ude00"), "utf8");
      const signature = signWebhook(raw, SECRET);
      assert.equal((await h.post.handle(postRequest(raw, signature))).status, 200);
      assert.equal(seen.length, 1);
      assert.ok(seen[0]!.body.equals(raw));
      assert.equal(seen[0]!.signature, signature);
    });

    it("value-level errors get the receipt time as timestamp", async () => {
      const h = harness();
      const { raw } = loadMetaFixture("19_value_level_error_130429");
      assert.equal((await h.post.handle(postRequest(raw))).status, 200);
      const event = h.ingested[0]?.[0];
      assert.equal(event?.type, "account_error");
      assert.equal(event?.timestamp, 1_800_000_000);
    });

    it("logs skipped items with their place but without their content", async () => {
      const h = harness();
      const envelope = webhookEnvelope(textMessage({ from: MARIA, text: "ok", id: "wamid.ok" }));
      (envelope.entry[0]!.changes[0]!.value as { messages: unknown[] }).messages.push({ type: "text", text: { body: "private words" } });
      assert.equal((await h.post.handle(postRequest(JSON.stringify(envelope)))).status, 200);
      assert.equal(h.ingested[0]?.length, 1);
      const skipped = h.logger.lines.find((l) => l.event === "whatsapp.webhook.items_skipped");
      assert.equal(skipped?.fields.count, 1);
      assert.ok(!JSON.stringify(h.logger.lines).includes("private words"));
    });
  });
});
