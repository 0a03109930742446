import assert from "node:assert/strict";
import { createServer } from "node:net";
import { WhatsAppSendError } from "../../../src/core/errors";
import type { FormattedText } from "../../../src/core/formatted-text";
import { paragraph } from "../../../src/core/formatted-text";
import { BusinessNumberId, WaMessageId, WaPhone, WaUserId } from "../../../src/core/ids";
import { CloudApiWhatsAppGateway } from "../../../src/whatsapp/meta/cloud-api-gateway";
import { startMetaGraphStandin, type MetaGraphStandin } from "../../../tools/meta-graph-standin";

const TOKEN = "EAAG-test-access-token-0123456789";
const BUSINESS = BusinessNumberId("106540352242922");
const MARIA = { kind: "individual" as const, phone: WaPhone("5511987654321") };

async function sendError(promise: Promise<unknown>): Promise<WhatsAppSendError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof WhatsAppSendError, `expected a WhatsAppSendError, got ${String(err)}`);
    assert.ok(!err.message.includes(TOKEN) && !err.userMessage.includes(TOKEN), "the token never appears in errors");
    return err;
  }
  assert.fail("expected the send to fail");
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("CloudApiWhatsAppGateway against the Meta Graph API stand-in (real HTTP)", () => {
  let standin: MetaGraphStandin;
  let gateway: CloudApiWhatsAppGateway;
  const hello: FormattedText = [
    {
      kind: "paragraph",
      inlines: [
        { kind: "text", text: "Hello", marks: { bold: true } },
        { kind: "text", text: " Maria" },
      ],
    },
  ];

  before(async () => {
    standin = await startMetaGraphStandin({ accessToken: TOKEN });
  });
  after(async () => {
    await standin.close();
  });
  beforeEach(() => {
    standin.reset();
    gateway = new CloudApiWhatsAppGateway({ metaGraphUrl: standin.url, accessToken: TOKEN, businessAccountId: "102290129340398", timeoutMs: 2_000 });
  });

  it("sends a text: returns the wamid; the stand-in saw the number, the rendered body and the Bearer token", async () => {
    const result = await gateway.sendText({
      business: BUSINESS,
      to: MARIA,
      body: hello,
      replyTo: WaMessageId("wamid.IN1"),
      callbackData: "teams:19:abc@thread.tacv2;messageid=1",
    });
    const [sent] = await standin.waitForSends(1);
    assert.ok(sent);
    assert.equal(result.id, sent.wamid);
    assert.match(result.id, /^wamid\./);
    assert.equal(sent.phoneNumberId, "106540352242922");
    assert.equal(sent.status, 200);
    assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(sent.headers["content-type"] ?? "", /application\/json/);
    assert.deepEqual(sent.body, {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "+5511987654321",
      type: "text",
      text: { body: "*Hello* Maria", preview_url: false },
      context: { message_id: "wamid.IN1" },
      biz_opaque_callback_data: "teams:19:abc@thread.tacv2;messageid=1",
    });
  });

  it("sends to the BSUID (recipient) when no phone is known", async () => {
    await gateway.sendText({ business: BUSINESS, to: { kind: "individual", userId: WaUserId("US.13491208655302741918") }, body: paragraph("hi") });
    const body = standin.sent[0]?.body as Record<string, unknown>;
    assert.equal(body.recipient, "US.13491208655302741918");
    assert.equal(body.to, undefined);
  });

  it("131047 (window closed): not retryable, plain words about templates", async () => {
    standin.failNext({
      httpStatus: 400,
      error: {
        message: "(#131047) Re-engagement message",
        code: 131047,
        error_data: { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
      },
    });
    const err = await sendError(gateway.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    assert.equal(err.metaCode, 131047);
    assert.equal(err.retryable, false);
    assert.match(err.userMessage, /more than 24 hours since the customer last wrote; only an approved template can be sent/);
  });

  it("131026 (undeliverable): not retryable", async () => {
    standin.failNext({ httpStatus: 400, error: { message: "(#131026) Message Undeliverable", code: 131026 } });
    const err = await sendError(gateway.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    assert.equal(err.metaCode, 131026);
    assert.equal(err.retryable, false);
    assert.match(err.userMessage, /could not deliver/);
  });

  it("130429 (throughput) answered with HTTP 400: retryable, because the code decides", async () => {
    standin.failNext({ httpStatus: 400, error: { message: "(#130429) Rate limit hit", code: 130429 } });
    const err = await sendError(gateway.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    assert.equal(err.metaCode, 130429);
    assert.equal(err.retryable, true);
    assert.ok((err.retryAfterMs ?? 0) > 0);
  });

  it("a scripted failure applies to the next send only", async () => {
    standin.failNext({ httpStatus: 400, error: { message: "(#131056) Pair rate limit", code: 131056 } });
    await sendError(gateway.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    const ok = await gateway.sendText({ business: BUSINESS, to: MARIA, body: hello });
    assert.match(ok.id, /^wamid\./);
    assert.deepEqual(
      standin.sent.map((s) => s.status),
      [400, 200],
    );
  });

  it("190 (wrong token): the stand-in answers 401 with code 190; an admin must renew the token", async () => {
    const wrong = new CloudApiWhatsAppGateway({ metaGraphUrl: standin.url, accessToken: "EAAG-stale-token" });
    const err = await sendError(wrong.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    assert.equal(err.metaCode, 190);
    assert.equal(err.retryable, false);
    assert.match(err.userMessage, /An administrator must renew the WhatsApp access token/);
    assert.ok(!err.message.includes("EAAG-stale-token"));
    assert.equal(standin.sent[0]?.status, 401);
  });

  it("a non-JSON 502 page: retryable, no Meta code", async () => {
    standin.failNext({ httpStatus: 502, rawBody: "<html><body><h1>502 Bad Gateway</h1></body></html>" });
    const err = await sendError(gateway.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    assert.equal(err.metaCode, undefined);
    assert.equal(err.retryable, true);
    assert.match(err.userMessage, /HTTP 502/);
  });

  it("a timeout: retryable, with a clear message", async () => {
    standin.delayNext(3_000);
    const quick = new CloudApiWhatsAppGateway({ metaGraphUrl: standin.url, accessToken: TOKEN, timeoutMs: 150 });
    const started = Date.now();
    const err = await sendError(quick.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    assert.ok(Date.now() - started < 2_000, "gave up at the timeout");
    assert.equal(err.retryable, true);
    assert.match(err.message, /did not answer within 150 ms/);
    assert.match(err.userMessage, /did not answer in time/);
  });

  it("a network error (nothing listening): retryable", async () => {
    const port = await closedPort();
    const offline = new CloudApiWhatsAppGateway({ metaGraphUrl: `http://127.0.0.1:${port}/v25.0`, accessToken: TOKEN });
    const err = await sendError(offline.sendText({ business: BUSINESS, to: MARIA, body: hello }));
    assert.equal(err.retryable, true);
    assert.match(err.userMessage, /could not be reached/);
  });

  it("refuses locally an empty text and a recipient without ids, without calling Meta", async () => {
    assert.equal((await sendError(gateway.sendText({ business: BUSINESS, to: MARIA, body: [] }))).retryable, false);
    await sendError(gateway.sendText({ business: BUSINESS, to: { kind: "individual" }, body: hello }));
    assert.equal(standin.sent.length, 0);
    await gateway.sendText({ business: BUSINESS, to: MARIA, body: paragraph("😀".repeat(4096)) });
    assert.equal(standin.sent.length, 1, "4,096 characters (code points) go as one message");
  });

  it("sends a text over 4,096 characters as several messages split at paragraph boundaries, in order; only the first is a contextual reply", async () => {
    const first = "a".repeat(3000);
    const second = "b".repeat(3000);
    const third = "c".repeat(100);
    const sent = await gateway.sendText({
      business: BUSINESS,
      to: MARIA,
      body: [...paragraph(first), ...paragraph(second), ...paragraph(third)],
      replyTo: WaMessageId("wamid.quoted"),
    });
    const bodies = standin.sent.map((s) => s.body as { text: { body: string }; context?: { message_id: string } });
    assert.deepEqual(
      bodies.map((b) => b.text.body),
      [first, `${second}\n\n${third}`],
    );
    assert.deepEqual(bodies[0]!.context, { message_id: "wamid.quoted" });
    assert.equal(bodies[1]!.context, undefined);
    assert.deepEqual(
      sent.parts,
      standin.sent.map((s) => s.wamid),
    );
    assert.equal(sent.id, standin.sent[0]!.wamid);
  });

  it("when a later part of a long text fails, the error says how many parts were sent and is not retryable", async () => {
    // The stand-in answers the first part; the second is answered with Meta's 131000 by a wrapped fetch.
    let calls = 0;
    const failing = new CloudApiWhatsAppGateway({
      metaGraphUrl: standin.url,
      accessToken: TOKEN,
      fetch: async (input, init) =>
        ++calls === 2
          ? new Response(JSON.stringify({ error: { message: "(#131000) Something went wrong", code: 131000 } }), { status: 500 })
          : fetch(input, init),
    });
    const body = [...paragraph("a".repeat(3000)), ...paragraph("b".repeat(3000))];
    const err = await sendError(failing.sendText({ business: BUSINESS, to: MARIA, body }));
    assert.equal(standin.sent.length, 1);
    assert.equal(err.retryable, false);
    assert.match(err.userMessage, /Only the first 1 of 2 parts/);
  });

  it("lists business numbers across pages; [] without a WABA id", async () => {
    standin.phoneNumbers = Array.from({ length: 30 }, (_, i) => ({
      id: String(106540352242900 + i),
      display_phone_number: `+1 555-078-${String(3800 + i)}`,
      ...(i === 0 ? { verified_name: "Contoso Support" } : {}),
      quality_rating: "GREEN",
    }));
    const numbers = await gateway.listBusinessNumbers();
    assert.equal(numbers.length, 30);
    assert.deepEqual(numbers[0], { id: "106540352242900", displayNumber: "+1 555-078-3800", verifiedName: "Contoso Support" });
    assert.deepEqual(numbers[29], { id: "106540352242929", displayNumber: "+1 555-078-3829" });
    const none = new CloudApiWhatsAppGateway({ metaGraphUrl: standin.url, accessToken: TOKEN });
    assert.deepEqual(await none.listBusinessNumbers(), []);
  });

  it("listing with a wrong token fails with the token message", async () => {
    const wrong = new CloudApiWhatsAppGateway({ metaGraphUrl: standin.url, accessToken: "nope", businessAccountId: "1" });
    const err = await sendError(wrong.listBusinessNumbers());
    assert.equal(err.metaCode, 190);
  });
});
