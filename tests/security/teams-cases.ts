import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { TeamsMessageId, type TeamsThreadRef } from "../../src/core/ids";
import { EXAMPLE_BUSINESS, textMessage } from "../../tools/sign-webhook";
import { ORDER_UPDATE_TEMPLATE } from "../support/meta-templates";
import { ADMIN_AAD, APP_ID, STAFF_AAD, TEAM_ID, TENANT_ID, type Harness } from "../support/bridge-harness";
import { securityCase } from "./support/casebook";
import { closeHarness, customer, mint, openHarness, sendActivity, shown, sleep } from "./support/hostile-world";
import { assertNoEffects, countEffects, describeEffects, effectsSince } from "./support/side-effects";
import { postEndlessBody } from "../support/endless-body";

/** Cases of the Bot Framework endpoint and of who may speak for the firm. */

const CARLA = customer("5511976543210", "Carla Dias");
const BRUNO = customer("5511912345678", "Bruno Reis");
const GUEST_AAD = "9a9a9a9a-0000-4000-8000-00000000a057";
const EXTERNAL_AAD = "e0e0e0e0-0000-4000-8000-0000000e0e0e";
const OTHER_TENANT = "e3a1c2d4-5b6c-4d7e-8f90-a1b2c3d4e5f6";
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A local server that records every request made to it: an attacker's host. */
async function startSpy(): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? "yes" : "no"}`);
    res.writeHead(200);
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits };
}

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves when the server closes `socket` (with what it sent) or after `ms` (undefined). */
function closedWithin(socket: Socket, ms: number): Promise<{ at: number; received: string } | undefined> {
  let received = "";
  socket.on("data", (c: Buffer) => (received += c.toString()));
  socket.on("error", () => {});
  return Promise.race([
    new Promise<{ at: number; received: string }>((resolve) => socket.once("close", () => resolve({ at: Date.now(), received }))),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms)),
  ]);
}

export function teamsCases(): void {
  describe("the Bot Framework endpoint and who speaks for the firm", function () {
    this.timeout(60_000);
    let h: Harness;
    let spy: Awaited<ReturnType<typeof startSpy>>;
    let carlaThread: string;
    let carlaCopy: string;
    let brunoThread: string;
    let slowloris: { socket: Socket; started: number; closed: Promise<{ at: number; received: string } | undefined> };

    /** The bot's answer in `activity`'s conversation (its latest post there, if it made one). */
    async function answerTo(activity: Record<string, unknown>, token?: string | null): Promise<{ status: number; text: string }> {
      const conversation = String((activity.conversation as { id: string }).id);
      const before = h.connector.posts.filter((p) => p.conversationId === conversation).length;
      const { status } = await sendActivity(h, activity, token);
      await h.bridge.bridge.idle();
      const posts = h.connector.posts.filter((p) => p.conversationId === conversation);
      return { status, text: posts.length > before ? shown(String(posts.at(-1)!.activity.text ?? "")) : "" };
    }

    /** Nothing about Teams message `id` of `thread` waits to be sent, was sent or was mapped. */
    async function nothingKept(thread: string, id: string): Promise<void> {
      assert.equal(await h.bridge.stores.outbox.get(thread as TeamsThreadRef, id as TeamsMessageId), undefined, "no outbox row");
      assert.equal(await h.bridge.stores.messages.byTeamsMessage(thread as TeamsThreadRef, id as TeamsMessageId), undefined, "no message map row");
      assert.deepEqual(await h.bridge.stores.outbox.list(["queued", "sending", "uncertain"]), [], "nothing waits to be sent");
    }

    before(async () => {
      spy = await startSpy();
      h = await openHarness({ env: { WHATSAPP_BUSINESS_ACCOUNT_ID: EXAMPLE_BUSINESS.wabaId } });
      h.metaGraph.templates = [ORDER_UPDATE_TEMPLATE];
      // A slow client opened first: it drips header lines, and is checked last (finding F13).
      const slow = await open(h.bridge.url);
      slowloris = { socket: slow, started: Date.now(), closed: closedWithin(slow, 20_000) };
      slow.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      const drip = setInterval(() => {
        if (slow.destroyed) clearInterval(drip);
        else slow.write(`X-Drip-${Date.now()}: 1\r\n`);
      }, 500);
      void slowloris.closed.then(() => clearInterval(drip));
      h.connector.roster.addMember(TEAM_ID, { id: `29:${GUEST_AAD}`, aadObjectId: GUEST_AAD, name: "Gus Guest", tenantId: TENANT_ID, userRole: "guest" });
      h.connector.roster.addMember(TEAM_ID, {
        id: `29:${EXTERNAL_AAD}`,
        aadObjectId: EXTERNAL_AAD,
        name: "Eve External",
        tenantId: OTHER_TENANT,
        userRole: "user",
      });
      assert.equal((await sendActivity(h, h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
      const at = Math.floor(Date.now() / 1000);
      assert.equal(await h.postWebhook(h.envelope(textMessage({ from: CARLA, text: "Can you raise my limit?", id: "wamid.teams.carla", timestamp: at }))), 200);
      assert.equal(await h.postWebhook(h.envelope(textMessage({ from: BRUNO, text: "Hello from Bruno", id: "wamid.teams.bruno", timestamp: at }))), 200);
      await h.connector.waitFor((s) => s.created.length === 2 && s.created.every((c) => s.posts.some((p) => p.conversationId === c.conversationId)), 15_000);
      await h.bridge.bridge.idle();
      const copyOf = (words: string) => h.connector.posts.find((p) => String(p.activity.text).includes(words))!;
      carlaThread = copyOf("raise my limit").conversationId;
      carlaCopy = copyOf("raise my limit").id;
      brunoThread = copyOf("Hello from Bruno").conversationId;
    });
    after(async () => {
      slowloris?.socket.destroy();
      await closeHarness(h);
      await new Promise<void>((resolve) => spy?.server.close(() => resolve()));
    });

    /** Sends `activity` with `token` and asserts it was refused 401 with no side effects. */
    async function refusedToken(activity: Record<string, unknown>, token: string | null): Promise<string> {
      const before = await countEffects(h);
      const rejected = h.logger.lines.filter((l) => l.event === "teams.auth.rejected").length;
      const answer = await sendActivity(h, activity, token);
      assert.equal(answer.status, 401, answer.body);
      assert.equal(answer.body, "unauthorized", "no detail, no stack trace");
      const none = assertNoEffects(await effectsSince(h, before));
      await nothingKept(carlaThread, String(activity.id));
      assert.equal(h.logger.lines.filter((l) => l.event === "teams.auth.rejected").length, rejected + 1, "teams.auth.rejected logged");
      return `${answer.status}; ${none}`;
    }

    const reply = (text: string) => h.channelMessage(text, { thread: carlaThread });

    securityCase(
      "20",
      "an activity with no Authorization header",
      "401; not processed",
      async () => `${await refusedToken(reply("no token at all"), null)}; teams.auth.rejected logged`,
    );

    securityCase("21", "a JWT with alg none, and one signed HS256 with the issuer's public key", "refused (401); not processed", async () => {
      const activity = reply("alg none");
      const claims = {
        iss: h.issuer.issuer,
        aud: APP_ID,
        serviceurl: activity.serviceUrl,
        exp: Math.floor(Date.now() / 1000) + 600,
        nbf: Math.floor(Date.now() / 1000) - 60,
      };
      const none = `${b64({ alg: "none", typ: "JWT", kid: h.issuer.kid })}.${b64(claims)}.`;
      const jwks = (await (await fetch(`${h.issuer.url}/keys`)).json()) as { keys: Array<Record<string, unknown>> };
      const pem = createPublicKey({ key: jwks.keys[0] as never, format: "jwk" }).export({ type: "spki", format: "pem" });
      const confused = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: h.issuer.kid, typ: "JWT" })
        .sign(new TextEncoder().encode(String(pem)));
      const a = await refusedToken(activity, none);
      const b = await refusedToken(reply("HS256 with the public key"), confused);
      return `alg none: ${a.split(";")[0]}; HS256/public key: ${b}`;
    });

    securityCase("22", "a validly signed JWT whose aud is another bot's app id", "refused (401)", async () =>
      refusedToken(reply("another bot's token"), await mint(h, { aud: "00000000-1111-4222-8333-444444444444", serviceUrl: h.connector.serviceUrl })),
    );

    securityCase(
      "23",
      "a valid JWT whose serviceurl claim differs from activity.serviceUrl (attacker host), and a serviceUrl off the allow-list",
      "refused; zero requests to the attacker's host",
      async () => {
        const mismatch = { ...reply("send your token to me"), serviceUrl: spy.url };
        const a = await refusedToken(mismatch, await mint(h, { aud: APP_ID, serviceUrl: h.connector.serviceUrl }));
        // A token that does name the attacker's host (as a compromised channel could issue): refused by the allow-list.
        const before = await countEffects(h);
        const listed = await sendActivity(h, { ...reply("allow-list"), serviceUrl: spy.url }, await mint(h, { aud: APP_ID, serviceUrl: spy.url }));
        assert.equal(listed.status, 403);
        assertNoEffects(await effectsSince(h, before));
        assert.ok(h.logger.lines.some((l) => l.event === "teams.service_url.refused"));
        assert.deepEqual(spy.hits, [], "no request reached the attacker's host");
        return `claim ≠ activity: ${a.split(";")[0]}; claim = activity, host not allowed: ${listed.status} (teams.service_url.refused); attacker host saw ${spy.hits.length} requests; nothing stored, posted or sent`;
      },
    );

    securityCase("24", "an expired JWT (6 minutes past exp), and an Emulator-issued token", "refused (401)", async () => {
      const expired = await refusedToken(reply("expired"), await mint(h, { aud: APP_ID, serviceUrl: h.connector.serviceUrl, expiresIn: -360 }));
      // The Bot Framework Emulator's issuer, signed with a key the bridge's OpenID metadata publishes.
      const emulator = await mint(h, {
        aud: APP_ID,
        iss: "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
        serviceUrl: h.connector.serviceUrl,
        claims: { appid: APP_ID, ver: "1.0" },
      });
      const fromEmulator = await refusedToken(reply("emulator"), emulator);
      const reason = h.logger.lines.filter((l) => l.event === "teams.auth.rejected").at(-1)?.fields.reason;
      assert.equal(reason, "token not issued by the Bot Framework channel service");
      return `expired: ${expired.split(";")[0]}; Emulator token: ${fromEmulator} (${String(reason)})`;
    });

    securityCase("25", "a valid activity from a tenant not on the allow-list", "refused (403) and logged; nothing sent to WhatsApp", async () => {
      const before = await countEffects(h);
      const activity = h.channelMessage("from another tenant", { thread: carlaThread, tenantId: OTHER_TENANT });
      const answer = await sendActivity(h, activity);
      assert.equal(answer.status, 403);
      const none = assertNoEffects(await effectsSince(h, before));
      await nothingKept(carlaThread, String(activity.id));
      assert.ok(h.logger.lines.some((l) => l.event === "teams.tenant.refused" && l.fields.tenantId === OTHER_TENANT));
      return `${answer.status}; ${none}; teams.tenant.refused logged`;
    });

    securityCase(
      "26",
      "a reply in a customer's thread by an external member of another tenant (shared channel)",
      "not forwarded; a notice in the thread; a security log line",
      async () => {
        const before = await countEffects(h);
        const activity = h.channelMessage("I'm from the partner firm", { thread: carlaThread, from: EXTERNAL_AAD, name: "Eve External" });
        const { status, text } = await answerTo(activity);
        assert.equal(status, 200);
        assert.match(text, /not sent to WhatsApp: people from another organisation in a shared channel cannot write to the firm's customers/);
        const effects = await effectsSince(h, before);
        assert.deepEqual({ ...effects, posts: 0 }, { journal: 0, threads: 0, posts: 0, updates: 0, sends: 0 });
        assert.equal(effects.posts, 1, "the notice only");
        await nothingKept(carlaThread, String(activity.id));
        const line = h.logger.lines.find((l) => l.event === "teams.staff.refused" && l.fields.user === EXTERNAL_AAD);
        assert.equal(line?.fields.why, "external");
        return `notice "${text.replace(/<[^>]+>/g, "").slice(0, 60)}…"; ${describeEffects(effects)} (the notice); teams.staff.refused why=external`;
      },
    );

    securityCase("27", "Action.Submit data tampered to target another customer", "the send goes to the thread's own customer only", async () => {
      const before = h.metaGraph.sent.length;
      const press = {
        ...h.channelMessage("", { thread: carlaThread }),
        text: undefined,
        attachments: [],
        replyToId: "1769000000001",
        value: {
          bridgeAction: "template.send",
          template: "order_update|en_US",
          "h:1": "#1",
          "b:1": "Carla",
          "b:2": "#1",
          waId: BRUNO.phone,
          to: BRUNO.phone,
          recipient: BRUNO.userId,
          thread: brunoThread,
          conversation: brunoThread,
        },
      };
      assert.equal((await sendActivity(h, press)).status, 200);
      const sent = await h.metaGraph.waitForSends(before + 1, 10_000);
      await h.bridge.bridge.idle();
      const recipients = sent.slice(before).map((s) => s.to);
      assert.deepEqual(recipients, [`+${CARLA.phone}`]);
      assert.ok(!h.metaGraph.sent.some((s) => s.to?.replace("+", "") === BRUNO.phone), "Bruno never received anything");
      return `sends to ${recipients.join(", ")} (the thread's customer); to the tampered target: 0`;
    });

    securityCase(
      "F8",
      "a guest's reply, a guest's template press and an external member's reaction",
      "each refused with a notice; nothing sent or stored",
      async () => {
        const before = await countEffects(h);
        const guestReply = h.channelMessage("50% off for you", { thread: carlaThread, from: GUEST_AAD, name: "Gus Guest" });
        const r1 = await answerTo(guestReply);
        const guestPress: Record<string, unknown> = {
          ...h.channelMessage("", { thread: carlaThread, from: GUEST_AAD, name: "Gus Guest" }),
          text: undefined,
          attachments: [],
          replyToId: "1769000000002",
          value: { bridgeAction: "template.send", template: "order_update|en_US", "h:1": "#2", "b:1": "Carla", "b:2": "#2" },
        };
        const r2 = await answerTo(guestPress);
        const reaction = {
          ...h.channelMessage("", { thread: carlaThread, from: EXTERNAL_AAD, name: "Eve External" }),
          type: "messageReaction",
          text: undefined,
          attachments: undefined,
          replyToId: carlaCopy,
          reactionsAdded: [{ type: "like" }],
        };
        const r3 = await answerTo(reaction);
        assert.match(r1.text, /guest accounts cannot write to customers/);
        assert.ok(/not sent|cannot/.test(r2.text + JSON.stringify(h.connector.updates.at(-1)?.activity ?? {})), "the template press is refused");
        assert.match(r3.text, /Your reaction was not sent to WhatsApp/);
        const effects = await effectsSince(h, before);
        assert.equal(effects.sends + effects.journal + effects.threads, 0, describeEffects(effects));
        await nothingKept(carlaThread, String(guestReply.id));
        await nothingKept(carlaThread, String(guestPress.id));
        return `3 refusals with notices; ${describeEffects(effects)} (notices only); no outbox or message row`;
      },
    );

    securityCase(
      "F11",
      "a relayed reply records its author; after unlink nothing reaches the customer",
      "outbox row names the author; after unlink a reply and a reaction send nothing",
      async () => {
        const before = h.metaGraph.sent.length;
        const ok = h.channelMessage("We raised it.", { thread: carlaThread });
        await answerTo(ok);
        await h.metaGraph.waitForSends(before + 1, 10_000);
        const author = (await h.bridge.stores.outbox.get(carlaThread as TeamsThreadRef, String(ok.id) as TeamsMessageId))?.author;
        assert.equal(author, STAFF_AAD);
        assert.match((await answerTo(h.channelMessage("unlink", { from: ADMIN_AAD, mentionBot: true }))).text, /no longer linked/);
        const sentBefore = h.metaGraph.sent.length;
        const late = h.channelMessage("Anything else?", { thread: carlaThread });
        const lateAnswer = await answerTo(late);
        const reaction = {
          ...h.channelMessage("", { thread: carlaThread }),
          type: "messageReaction",
          text: undefined,
          attachments: undefined,
          replyToId: carlaCopy,
          reactionsAdded: [{ type: "heart" }],
        };
        const reactionAnswer = await answerTo(reaction);
        await sleep(200);
        assert.match(lateAnswer.text, /no longer linked/);
        assert.match(reactionAnswer.text, /no longer linked/);
        assert.equal(h.metaGraph.sent.length, sentBefore);
        await nothingKept(carlaThread, String(late.id));
        assert.ok(h.logger.lines.some((l) => l.event === "teams.channel.unlinked"));
        return `author ${author === STAFF_AAD ? "recorded (the sender's object id)" : String(author)}; after unlink: reply and reaction answered "no longer linked", WhatsApp sends +${h.metaGraph.sent.length - sentBefore}`;
      },
    );

    securityCase(
      "F12",
      "POST /api/messages without Authorization and a body that never ends",
      "401 from the headers alone, at once, Connection: close",
      async () => {
        const url = new URL(`${h.bridge.url}/api/messages`);
        const started = Date.now();
        const answer = await postEndlessBody(url.href);
        const ms = Date.now() - started;
        assert.equal(answer.status, 401);
        assert.equal(answer.connection, "close");
        assert.ok(ms < 3_000);
        return `${answer.status} after ${ms} ms, Connection: ${answer.connection}, body never read`;
      },
    );

    securityCase(
      "F13",
      "a slowloris client, and more connections than the cap",
      "cut off at the 10 s headers deadline; beyond 1,000 connections a new one is closed at once",
      async () => {
        const held: Socket[] = [];
        try {
          while (held.length < 1_000) held.push(...(await Promise.all(Array.from({ length: 100 }, () => open(h.bridge.url)))));
          const extra = await open(h.bridge.url);
          const closedExtra = await closedWithin(extra, 1_000);
          assert.ok(closedExtra, "the connection beyond the cap was closed by the server");
          extra.destroy();
        } finally {
          for (const s of held) s.destroy();
        }
        const cut = await slowloris.closed;
        assert.ok(cut, "the slow client was cut off");
        const after = cut.at - slowloris.started;
        assert.ok(after >= 9_500 && after < 12_500, `cut after ${after} ms`);
        assert.doesNotMatch(cut.received, /HTTP\/1\.1 200/);
        assert.equal((await fetch(`${h.bridge.url}/healthz`)).status, 200, "still serving");
        return `connection 1,001 closed at once; header dripper cut after ${(after / 1000).toFixed(1)} s, never served; /healthz 200`;
      },
    );
  });
}
