import assert from "node:assert/strict";
import { request } from "node:http";
import { BusinessNumberId } from "../../src/core/ids";
import { EXAMPLE_BUSINESS, signWebhook, textMessage, webhookEnvelope, type WebhookBusiness } from "../../tools/sign-webhook";
import { getAzurite } from "../support/azurite";
import { ADMIN_AAD, APP_SECRET, CHANNEL_ID, TEAM_GROUP_ID, TEAM_ID, VERIFY_TOKEN, type Harness } from "../support/bridge-harness";
import { securityCase } from "./support/casebook";
import { closeHarness, customer, openHarness, postRawWebhook, sendActivity } from "./support/hostile-world";
import { assertNoEffects, countEffects, describeEffects, effectsSince } from "./support/side-effects";
import { startStorageFaultProxy, type StorageFaultProxy } from "./support/storage-fault-proxy";

/** Cases of Meta's webhook: forged, altered, replayed, oversized and malicious deliveries. */

const ANA = customer("447700900461", "Ana Lima");
const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const OTHER_BUSINESS: WebhookBusiness = { wabaId: "102290129340398", phoneNumberId: "106540352249999", displayPhoneNumber: "15550789999" };
const SECOND_CHANNEL = { id: "19:whatsapp-second@thread.tacv2", name: "WhatsApp 2" };
const now = () => Math.floor(Date.now() / 1000);
const bytesOf = (change: Parameters<typeof webhookEnvelope>[0]) => Buffer.from(JSON.stringify(webhookEnvelope(change)));
const signed = (body: Buffer) => ({ "x-hub-signature-256": signWebhook(body, APP_SECRET) });
const postsWith = (h: Harness, text: string) => h.connector.posts.filter((p) => String(p.activity.text ?? "").includes(text));
const logged = (h: Harness, event: string) => h.logger.lines.filter((l) => l.event === event);

/** Streams `total` bytes with chunked encoding (no Content-Length) and resolves with the status answered. */
function postChunked(url: string, headers: Record<string, string>, total: number): Promise<number> {
  const target = new URL(`${url}/api/whatsapp/webhook`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "transfer-encoding": "chunked" },
      },
      (res) => {
        res.resume();
        req.destroy();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", (err) => {
      if (!req.destroyed) reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    req.write('{"object":"whatsapp_business_account","pad":"');
    pump();
  });
}

export function webhookCases(): void {
  describe("Meta's webhook (signature, replay, size, parsing, handshake)", function () {
    this.timeout(60_000);
    let h: Harness;
    let proxy: StorageFaultProxy;

    before(async () => {
      proxy = await startStorageFaultProxy((await getAzurite()).connectionString);
      h = await openHarness({ env: { AZURE_STORAGE_CONNECTION_STRING: proxy.connectionString } });
      h.connector.roster.addTeam({
        id: TEAM_ID,
        name: "Support",
        aadGroupId: TEAM_GROUP_ID,
        channels: [
          { id: CHANNEL_ID, name: "WhatsApp", type: "standard" },
          { ...SECOND_CHANNEL, type: "standard" },
        ],
      });
      assert.equal((await sendActivity(h, h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
      assert.equal(await h.postWebhook(h.envelope(textMessage({ from: ANA, text: "Hello, opening the thread", id: "wamid.sec.open" }))), 200);
      await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
      await h.bridge.bridge.idle();
    });
    after(async () => {
      await closeHarness(h);
      await proxy?.close();
    });

    /** Posts `body` with `headers` and asserts 401 with nothing stored, posted or sent. */
    async function refused(body: Buffer, headers: Record<string, string>): Promise<string> {
      const before = await countEffects(h);
      const badSignatures = logged(h, "whatsapp.webhook.bad_signature").length;
      const answer = await postRawWebhook(h, body, headers);
      assert.equal(answer.status, 401, answer.body);
      const none = assertNoEffects(await effectsSince(h, before));
      assert.equal(logged(h, "whatsapp.webhook.bad_signature").length, badSignatures + 1, "a security log line");
      return `${answer.status}; ${none}; whatsapp.webhook.bad_signature logged`;
    }

    securityCase("1", "a webhook without X-Hub-Signature-256 is refused", "401; nothing stored, posted or sent; security log line", () =>
      refused(bytesOf(textMessage({ from: ANA, text: "unsigned", id: "wamid.sec.1" })), {}),
    );

    securityCase("2", "a signature made with the wrong secret is refused", "401; no side effects", async () => {
      const body = bytesOf(textMessage({ from: ANA, text: "wrong secret", id: "wamid.sec.2" }));
      return refused(body, { "x-hub-signature-256": signWebhook(body, "not-the-app-secret-at-all") });
    });

    securityCase("3", "sha1= and a value without the sha256= prefix are refused (strict format)", "401 for both; no side effects", async () => {
      const body = bytesOf(textMessage({ from: ANA, text: "odd header", id: "wamid.sec.3" }));
      const hex = signWebhook(body, APP_SECRET).slice("sha256=".length);
      const sha1 = await refused(body, { "x-hub-signature-256": `sha1=${hex.slice(0, 40)}` });
      const bare = await refused(body, { "x-hub-signature-256": hex });
      return `sha1=: ${sha1.split(";")[0]}; bare hex (right value, no prefix): ${bare}`;
    });

    securityCase("4", "a signature of the wrong length is refused, not a crash", "401 (not 500); no side effects", async () => {
      const body = bytesOf(textMessage({ from: ANA, text: "short signature", id: "wamid.sec.4" }));
      return refused(body, { "x-hub-signature-256": `sha256=${signWebhook(body, APP_SECRET).slice(7, 17)}` });
    });

    securityCase(
      "5",
      "a signed body with emoji and \\uXXXX escapes is verified on its raw bytes and recorded byte for byte",
      "200; journal holds the exact bytes; text decoded once",
      async () => {
        const body = Buffer.from(
          JSON.stringify(webhookEnvelope(textMessage({ from: ANA, text: "PLACEHOLDER", id: "wamid.sec.5" }))).replace(
            "PLACEHOLDER",
            "Ol\\u00e1 😀 \\ud83d\\ude00 caf\\u00e9",
          ),
        );
        const answer = await postRawWebhook(h, body, signed(body));
        assert.equal(answer.status, 200);
        const entry = await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.sec.5");
        const journaled = await h.bridge.journal.read(entry!.journalRef!);
        assert.ok(Buffer.from(journaled!.body).equals(body), "the journal holds the bytes as received");
        const raw = entry!.event.type === "message" && entry!.event.content.kind === "text" ? entry!.event.content.raw : undefined;
        assert.equal(raw, "Olá 😀 😀 café");
        await h.connector.waitFor(() => postsWith(h, "café").length === 1, 10_000);
        return `${answer.status}; journaled bytes equal the ${body.length} received; recorded text "${raw}"`;
      },
    );

    securityCase("6", "a valid signature over a body with one byte changed is refused", "401; no side effects", async () => {
      const body = bytesOf(textMessage({ from: ANA, text: "pay 100 to account 1234", id: "wamid.sec.6" }));
      const headers = signed(body);
      const altered = Buffer.from(body);
      altered[altered.indexOf("100")] = "9".charCodeAt(0);
      return refused(altered, headers);
    });

    securityCase("7", "an exact replay of an accepted payload a minute later", "200; no new Teams post; duplicate counted in the log", async () => {
      const body = bytesOf(textMessage({ from: ANA, text: "Replay me", id: "wamid.sec.7", timestamp: now() - 60 }));
      assert.equal((await postRawWebhook(h, body, signed(body))).status, 200);
      await h.connector.waitFor(() => postsWith(h, "Replay me").length === 1, 10_000);
      const before = await countEffects(h);
      const duplicates = logged(h, "whatsapp.webhook.duplicates").length;
      const replay = await postRawWebhook(h, body, signed(body));
      assert.equal(replay.status, 200);
      const effects = await effectsSince(h, before);
      assert.deepEqual({ ...effects, journal: 0 }, { journal: 0, threads: 0, posts: 0, updates: 0, sends: 0 });
      assert.equal(effects.journal, 1, "the second receipt is journaled as a fact of its own");
      assert.equal(postsWith(h, "Replay me").length, 1);
      assert.equal(logged(h, "whatsapp.webhook.duplicates").length, duplicates + 1);
      return `replay ${replay.status}; ${describeEffects(effects)}; one post in all; whatsapp.webhook.duplicates logged`;
    });

    securityCase("8", "a replay of a payload 8+ days old", "200; ignored as a duplicate; dedup kept ≥ 7 days", async () => {
      const body = bytesOf(textMessage({ from: ANA, text: "Nine days ago", id: "wamid.sec.8", timestamp: now() - 9 * 86_400 }));
      assert.equal((await postRawWebhook(h, body, signed(body))).status, 200);
      await h.connector.waitFor(() => postsWith(h, "Nine days ago").length === 1, 10_000);
      const before = await countEffects(h);
      const replay = await postRawWebhook(h, body, signed(body));
      const effects = await effectsSince(h, before);
      assert.equal(replay.status, 200);
      assert.equal(effects.posts + effects.threads + effects.sends, 0);
      assert.equal(postsWith(h, "Nine days ago").length, 1);
      // Dedup rows are kept for the retention period, which cannot be set below Meta's 7-day retry window.
      assert.ok(h.config.retentionDays >= 7);
      return `replay ${replay.status}; posts +${effects.posts}; dedup rows kept RETENTION_DAYS=${h.config.retentionDays} days (floor 7)`;
    });

    securityCase("9", "10 concurrent deliveries of the same wamid", "exactly one message row and one Teams post", async () => {
      const body = bytesOf(textMessage({ from: ANA, text: "Ten at once", id: "wamid.sec.9" }));
      const before = await countEffects(h);
      const statuses = await Promise.all(Array.from({ length: 10 }, () => postRawWebhook(h, body, signed(body)).then((a) => a.status)));
      assert.deepEqual(statuses, Array(10).fill(200));
      await h.connector.waitFor(() => postsWith(h, "Ten at once").length >= 1, 10_000);
      const effects = await effectsSince(h, before);
      assert.equal(postsWith(h, "Ten at once").length, 1);
      assert.equal(effects.posts, 1);
      assert.ok(await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.sec.9"));
      return `10 × ${statuses[0]}; inbox row 1; Teams posts +${effects.posts}; journal +${effects.journal} (each receipt kept)`;
    });

    securityCase(
      "12",
      "storage answers 503 to the journal write",
      "5xx so Meta retries; nothing posted; an error logged; the retry is taken once storage is back",
      async () => {
        const body = bytesOf(textMessage({ from: ANA, text: "Storage is down", id: "wamid.sec.12" }));
        const before = await countEffects(h);
        proxy.failWritesUnder = `/devstoreaccount1/${h.journalContainer}/`;
        let answer: { status: number; body: string };
        try {
          answer = await postRawWebhook(h, body, signed(body));
        } finally {
          proxy.failWritesUnder = undefined;
        }
        assert.equal(answer.status, 503);
        assert.ok(proxy.refused > 0, "the journal write reached storage and was refused");
        const effects = await effectsSince(h, before);
        assert.equal(await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.sec.12"), undefined, "no event recorded");
        assertNoEffects(effects);
        assert.ok(logged(h, "whatsapp.webhook.ingest_failed").length > 0, "an error line");
        const retry = await postRawWebhook(h, body, signed(body));
        assert.equal(retry.status, 200);
        await h.connector.waitFor(() => postsWith(h, "Storage is down").length === 1, 10_000);
        return `${answer.status} (${proxy.refused} writes refused 503); ${describeEffects(effects)}; whatsapp.webhook.ingest_failed logged; Meta's retry ${retry.status}, posted once`;
      },
    );

    securityCase("13", "a valid webhook for a phone_number_id linked to no channel", "200; kept aside (unrouted), posted nowhere, warning logged", async () => {
      const stranger: WebhookBusiness = { wabaId: "999000111222", phoneNumberId: "109999999999999", displayPhoneNumber: "15550000000" };
      const body = bytesOf(textMessage({ from: ANA, text: "To nobody", id: "wamid.sec.13", business: stranger }));
      const before = await countEffects(h);
      const answer = await postRawWebhook(h, body, signed(body));
      assert.equal(answer.status, 200);
      const effects = await effectsSince(h, before);
      assert.deepEqual({ ...effects, journal: 0 }, { journal: 0, threads: 0, posts: 0, updates: 0, sends: 0 });
      const entry = await h.bridge.stores.inbox.get(BusinessNumberId(stranger.phoneNumberId), "msg:wamid.sec.13");
      assert.equal(entry?.state, "unrouted");
      assert.ok(logged(h, "whatsapp.message.unrouted").length > 0);
      return `${answer.status}; inbox state ${entry?.state}; ${describeEffects(effects)} (the receipt is part of the record); whatsapp.message.unrouted logged`;
    });

    securityCase("14", "the same wamid under two phone_number_ids", "kept apart by number; each in its own channel; no crossing", async () => {
      const link = h.channelMessage(`link ${OTHER_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true, channel: SECOND_CHANNEL });
      assert.equal((await sendActivity(h, link)).status, 200);
      await h.bridge.bridge.idle();
      assert.equal((await h.bridge.stores.links.get(BusinessNumberId(OTHER_BUSINESS.phoneNumberId)))?.channel.channelId, SECOND_CHANNEL.id);
      const a = bytesOf(textMessage({ from: ANA, text: "For the first firm only", id: "wamid.sec.14" }));
      const b = bytesOf(textMessage({ from: ANA, text: "For the second firm only", id: "wamid.sec.14", business: OTHER_BUSINESS }));
      assert.equal((await postRawWebhook(h, a, signed(a))).status, 200);
      assert.equal((await postRawWebhook(h, b, signed(b))).status, 200);
      await h.connector.waitFor(() => postsWith(h, "For the first firm only").length === 1 && postsWith(h, "For the second firm only").length === 1, 10_000);
      const [first] = postsWith(h, "For the first firm only");
      const [second] = postsWith(h, "For the second firm only");
      assert.ok(first!.conversationId.startsWith(`${CHANNEL_ID};`) && second!.conversationId.startsWith(`${SECOND_CHANNEL.id};`));
      const rows = await Promise.all([BUSINESS, BusinessNumberId(OTHER_BUSINESS.phoneNumberId)].map((b) => h.bridge.stores.inbox.get(b, "msg:wamid.sec.14")));
      assert.equal(rows.filter(Boolean).length, 2, "two inbox rows");
      return `two inbox rows; first number's text only in ${CHANNEL_ID}, second's only in ${SECOND_CHANNEL.id}`;
    });

    securityCase(
      "15",
      "a body over the size limit: 10 MB with Content-Length, and 4 MB chunked without one",
      "413 before parsing; nothing stored",
      async () => {
        const before = await countEffects(h);
        const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
        const withLength = await postRawWebhook(h, big, signed(big));
        const chunked = await postChunked(h.bridge.url, { "x-hub-signature-256": `sha256=${"0".repeat(64)}` }, 4 * 1024 * 1024);
        assert.equal(withLength.status, 413);
        assert.equal(chunked, 413);
        const none = assertNoEffects(await effectsSince(h, before));
        assert.equal((await fetch(`${h.bridge.url}/healthz`)).status, 200);
        return `10 MB: ${withLength.status}; 4 MB chunked: ${chunked}; ${none}; /healthz 200 after`;
      },
    );

    securityCase("16", "JSON nested 100,000 deep, and an array of 1,000,000 items (signed)", "400 for both; the process stays up", async () => {
      const before = await countEffects(h);
      const deep = Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
      const wide = Buffer.from(`{"object":"whatsapp_business_account","entry":[${Array(1_000_000).fill("0").join(",")}]}`);
      const [d, w] = [await postRawWebhook(h, deep, signed(deep)), await postRawWebhook(h, wide, signed(wide))];
      assert.equal(d.status, 400);
      assert.equal(w.status, 400);
      const none = assertNoEffects(await effectsSince(h, before));
      assert.equal((await fetch(`${h.bridge.url}/healthz`)).status, 200);
      return `deep: ${d.status} (${JSON.parse(d.body).error}); wide: ${w.status} (${JSON.parse(w.body).error}); ${none}; /healthz 200`;
    });

    securityCase("17", "a payload with __proto__ and constructor.prototype keys", "Object.prototype unchanged; raw bytes recorded as received", async () => {
      const body = Buffer.from(
        JSON.stringify(webhookEnvelope(textMessage({ from: ANA, text: "Pollution attempt", id: "wamid.sec.17" }))).replace(
          '"messaging_product"',
          '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted2":true}},"messaging_product"',
        ),
      );
      const answer = await postRawWebhook(h, body, signed(body));
      assert.equal(answer.status, 200);
      await h.connector.waitFor(() => postsWith(h, "Pollution attempt").length === 1, 10_000);
      const probe = {} as Record<string, unknown>;
      assert.equal(probe.polluted, undefined);
      assert.equal(probe.polluted2, undefined);
      const entry = await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.sec.17");
      assert.ok(Buffer.from((await h.bridge.journal.read(entry!.journalRef!))!.body).equals(body));
      return `${answer.status}; ({}).polluted and .polluted2 undefined in the bridge's process; journaled bytes equal the received ones`;
    });

    securityCase("F14", "/readyz answers from a probe at most one second old", "a burst of concurrent probes costs one storage ping per second", async () => {
      await new Promise((r) => setTimeout(r, 1_100));
      const pings = () => proxy.requests.filter((r) => /PartitionKey=(%27|')ping/.test(r)).length;
      const burst = async () => await Promise.all(Array.from({ length: 15 }, () => fetch(`${h.bridge.url}/readyz`).then((r) => r.status)));
      const before = pings();
      const first = await burst();
      const afterFirst = pings() - before;
      const second = await burst();
      const afterSecond = pings() - before;
      await new Promise((r) => setTimeout(r, 1_050));
      await burst();
      const afterThird = pings() - before;
      assert.deepEqual([...first, ...second], Array(30).fill(200));
      assert.deepEqual([afterFirst, afterSecond, afterThird], [1, 1, 2]);
      return `15 concurrent /readyz: ${afterFirst} ping (all 200); 15 more within the second: ${afterSecond - afterFirst} more; a second later: ${afterThird - afterSecond} more`;
    });

    const verify = (token: string, challenge: string) =>
      fetch(
        `${h.bridge.url}/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=${encodeURIComponent(challenge)}`,
      );

    securityCase("18", "the GET handshake with the wrong hub.verify_token", "403; the challenge is not echoed", async () => {
      const res = await verify(`${VERIFY_TOKEN}x`, "1158201444");
      const body = await res.text();
      assert.equal(res.status, 403);
      assert.ok(!body.includes("1158201444"));
      return `${res.status} "${body}"`;
    });

    securityCase("19", "the right verify token with hub.challenge=<script>…", "refused unless ^[A-Za-z0-9_-]{1,128}$; an echo is text/plain", async () => {
      const script = await verify(VERIFY_TOKEN, "<script>alert(1)</script>");
      const scriptBody = await script.text();
      const long = await verify(VERIFY_TOKEN, "a".repeat(129));
      await long.arrayBuffer();
      const good = await verify(VERIFY_TOKEN, "1158201444");
      const goodBody = await good.text();
      assert.equal(script.status, 403);
      assert.ok(!scriptBody.includes("<script>"));
      assert.equal(long.status, 403);
      assert.equal(good.status, 200);
      assert.equal(goodBody, "1158201444");
      assert.match(good.headers.get("content-type") ?? "", /^text\/plain/);
      return `<script>: ${script.status}; 129 characters: ${long.status}; a number: ${good.status} ${good.headers.get("content-type")}`;
    });
  });
}
