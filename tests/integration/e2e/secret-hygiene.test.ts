import assert from "node:assert/strict";
import type { TokenCredential } from "@azure/identity";
import { ServiceClientCredentialsFactory, TokenCredentials } from "botframework-connector";
import { customerMessage, EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ACCESS_TOKEN, ADMIN_AAD, APP_ID, APP_SECRET, startHarness, VERIFY_TOKEN, type Harness } from "../../support/bridge-harness";
import { postEndlessBody } from "../../support/endless-body";

/**
 * Secret hygiene over a whole representative run (docs/security.md): the bridge with bot auth on and a
 * client secret, a channel linked, customer text and a photo in, a staff reply out, Meta's handshake, and
 * the usual attacks. Then everything it logged, as production writes it, is searched for each secret it
 * was given or was sent, and for the customer's full phone number.
 */

const BOT_PASSWORD = "bot-client-secret-Q7~x9.v2";
const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const T0 = Math.floor(Date.now() / 1000) - 600;

describe("secret hygiene of an end-to-end run", function () {
  this.timeout(90_000);
  let h: Harness;
  const jwtsSent: string[] = [];
  const mediaSignatures: string[] = [];

  before(async () => {
    // The bot's outbound tokens come from the local issuer (the client secret would go to Entra ID).
    let issue: () => Promise<string> = async () => {
      throw new Error("not started");
    };
    class IssuerTokens extends ServiceClientCredentialsFactory {
      async isValidAppId(appId: string) {
        return appId === APP_ID;
      }
      async isAuthenticationDisabled() {
        return false;
      }
      async createCredentials() {
        return new TokenCredentials(await issue());
      }
    }
    const graphToken: TokenCredential = { getToken: async () => ({ token: await issue(), expiresOnTimestamp: Date.now() + 3_600_000 }) };
    h = await startHarness({
      env: { MicrosoftAppType: "SingleTenant", MicrosoftAppPassword: BOT_PASSWORD },
      compose: { teamsCredentialsFactory: new IssuerTokens(), mediaCredential: graphToken },
    });
    issue = () => h.issuer.mint({ aud: h.issuer.connectorScope });
  });
  after(async () => {
    await h?.stop();
  });

  /** Sends an activity with a freshly minted token, remembered for the search. */
  async function send(activity: Record<string, unknown>, token?: string) {
    const jwt = token ?? (await h.issuer.mint({ aud: APP_ID, serviceUrl: String(activity.serviceUrl) }));
    jwtsSent.push(jwt);
    return h.sendActivity(activity, { token: jwt });
  }

  it("runs the flow: handshake, link, customer text and photo, staff reply, refused attacks", async () => {
    const verify = (token: string) =>
      fetch(`${h.bridge.url}/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    assert.equal((await verify(VERIFY_TOKEN)).status, 200);
    assert.equal((await verify(`${VERIFY_TOKEN}-wrong`)).status, 403);

    const link = h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true });
    assert.equal((await send(link)).status, 200);
    assert.equal(
      await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Hi, call me on +55 11 98765-4321", id: "wamid.hyg.1", timestamp: T0 }))),
      200,
    );
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
    const thread = h.connector.created[0]!.conversationId;

    const media = h.metaGraph.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    const posts = h.connector.posts.length;
    assert.equal(
      await h.postWebhook(
        h.envelope(
          customerMessage({
            from: MARIA,
            id: "wamid.hyg.2",
            message: { type: "image", image: { id: media.id, mime_type: "image/png", sha256: media.sha256Base64 } },
          }),
        ),
      ),
      200,
    );
    await h.connector.waitFor((s) => s.posts.length >= posts + 2, 15_000);
    const html = h.connector.posts
      .slice(posts)
      .map((p) => String(p.activity.text ?? ""))
      .join("");
    const sig = /[?&]amp;sig=([A-Za-z0-9_-]+)|[?&]sig=([A-Za-z0-9_-]+)/.exec(html);
    assert.ok(sig, "the photo's link is signed");
    mediaSignatures.push(sig[1] ?? sig[2]!);

    assert.equal((await send(h.channelMessage("Thanks Maria, we will call +5511987654321 today.", { thread }))).status, 200);
    await h.metaGraph.waitForSends(1, 10_000);
    assert.equal(h.metaGraph.sent[0]!.headers.authorization, `Bearer ${ACCESS_TOKEN}`, "the access token was used");

    // Attacks: a forged webhook, a token for another bot, an expired token.
    assert.equal(
      await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "forged", id: "wamid.hyg.forged" })), { signature: `sha256=${"0".repeat(64)}` }),
      401,
    );
    const forged = h.channelMessage("forged reply", { thread });
    assert.equal((await send(forged, await h.issuer.mint({ aud: "another-bot", serviceUrl: String(forged.serviceUrl) }))).status, 401);
    assert.equal((await send(forged, await h.issuer.mint({ aud: APP_ID, serviceUrl: String(forged.serviceUrl), expiresIn: -900 }))).status, 401);
    await h.bridge.bridge.idle();
  });

  it("nothing it logged holds a secret, a token it was sent, a media link's signature or the full phone number", () => {
    const log = h.logText();
    const lines = log.trim().split("\n");
    assert.ok(lines.length > 25, `a representative log (${lines.length} lines)`);
    for (const event of [
      "whatsapp.webhook.verify_refused",
      "teams.channel.linked",
      "whatsapp.media.kept",
      "teams.reply.sent",
      "whatsapp.webhook.bad_signature",
      "teams.auth.rejected",
    ]) {
      assert.ok(log.includes(`"event":"${event}"`), `the run logged ${event}`);
    }
    assert.ok(
      lines.every((l) => JSON.parse(l)),
      "JSON lines",
    );
    const secrets: Array<[string, string]> = [
      ["WHATSAPP_APP_SECRET", APP_SECRET],
      ["WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN],
      ["WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN],
      ["MicrosoftAppPassword", BOT_PASSWORD],
      ...jwtsSent.flatMap((jwt, i): Array<[string, string]> => [
        [`JWT ${i}`, jwt],
        [`JWT ${i} payload`, jwt.split(".")[1]!],
        [`JWT ${i} signature`, jwt.split(".")[2]!],
      ]),
      ...mediaSignatures.map((s, i): [string, string] => [`media link signature ${i}`, s]),
    ];
    assert.ok(jwtsSent.length >= 4);
    for (const [what, secret] of secrets) assert.ok(!log.includes(secret), `${what} appears in the log`);
    assert.doesNotMatch(log, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/, "no JWT at all");
    // The full number, written any way: every digit but the last four is masked.
    const digitsOnly = log.replace(/[\s()+-]/g, "");
    assert.ok(!digitsOnly.includes("5511987654321") && !digitsOnly.includes("11987654321"), "a full phone number appears in the log");
  });

  it("POST /api/messages without Authorization is refused 401 before its body is read (a body that never ends)", async () => {
    const url = new URL(`${h.bridge.url}/api/messages`);
    const started = Date.now();
    const answer = await postEndlessBody(url.href);
    assert.equal(answer.status, 401);
    assert.equal(answer.connection, "close", "the unread body is not drained: the connection is closed");
    assert.ok(Date.now() - started < 3_000, "answered at once");
  });
});
