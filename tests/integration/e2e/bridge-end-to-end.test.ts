import assert from "node:assert/strict";
import { BusinessNumberId } from "../../../src/core/ids";
import { EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ADMIN_AAD, CHANNEL_ID, startHarness, type Harness } from "../../support/bridge-harness";

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);

const textOfActivity = (a: Record<string, unknown>) => String(a.text ?? "");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** WhatsApp timestamps a little in the past: the 24-hour window is open. */
const T0 = Math.floor(Date.now() / 1000) - 600;

/** The root card and replies of the thread the bridge made for a contact. */
function threadOf(h: Harness) {
  assert.equal(h.connector.created.length, 1, "exactly one thread");
  const created = h.connector.created[0]!;
  const replies = h.connector.posts.filter((p) => p.conversationId === created.conversationId);
  return { created, replies };
}

describe("the bridge end to end (real HTTP, Azurite, Graph and Bot Connector stand-ins, botbuilder auth)", function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  it("an admin links the channel with a mention; the bot confirms in the same thread", async () => {
    const post = h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true });
    const res = await h.sendActivity(post);
    assert.equal(res.status, 200, res.body);
    await h.connector.waitFor((s) => s.posts.some((p) => p.conversationId === (post.conversation as { id: string }).id), 10_000);
    const confirmation = h.connector.posts.find((p) => p.conversationId === (post.conversation as { id: string }).id)!;
    assert.match(textOfActivity(confirmation.activity), /is linked to this channel/);
    assert.ok(confirmation.authorization?.startsWith("Bearer "), "outbound calls carry the bot's token");
    const link = await h.bridge.stores.links.get(BUSINESS);
    assert.equal(link?.channel.channelId, CHANNEL_ID);
  });

  it("a signed webhook from a new contact creates a thread with the root card, and the message as its first reply", async () => {
    const status = await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Olá! Where is my order #4471? 📦", id: "wamid.e2e.1", timestamp: T0 })));
    assert.equal(status, 200);
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
    const { created, replies } = threadOf(h);
    assert.match(created.conversationId, new RegExp(`^${CHANNEL_ID};messageid=\\d+$`));
    const params = created.parameters as {
      isGroup: boolean;
      channelData: { channel: { id: string } };
      activity: { attachments: Array<{ contentType: string; content: { body: unknown[] } }> };
    };
    assert.equal(params.isGroup, true);
    assert.equal(params.channelData.channel.id, CHANNEL_ID);
    const card = params.activity.attachments[0]!;
    assert.equal(card.contentType, "application/vnd.microsoft.card.adaptive");
    const cardText = JSON.stringify(card.content);
    assert.match(cardText, /Maria Souza/);
    assert.match(cardText, /\+5511987654321/);
    assert.match(cardText, /Where is my order #4471\?/);
    assert.equal(replies.length, 1);
    assert.match(textOfActivity(replies[0]!.activity), /Where is my order #4471\? 📦/);
    assert.match(textOfActivity(replies[0]!.activity), /Maria Souza/);
  });

  it("two more messages land as replies in that thread, in order", async () => {
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "second message", id: "wamid.e2e.2", timestamp: T0 + 10 }))), 200);
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "third message", id: "wamid.e2e.3", timestamp: T0 + 20 }))), 200);
    await h.connector.waitFor(() => threadOf(h).replies.length === 3, 15_000);
    const texts = threadOf(h).replies.map((r) => textOfActivity(r.activity));
    assert.match(texts[1]!, /second message/);
    assert.match(texts[2]!, /third message/);
  });

  it("a redelivered webhook adds nothing", async () => {
    const before = h.connector.posts.length;
    const again = h.envelope(textMessage({ from: MARIA, text: "second message", id: "wamid.e2e.2", timestamp: T0 + 10 }));
    const statuses = await Promise.all([h.postWebhook(again), h.postWebhook(again), h.postWebhook(again)]);
    assert.deepEqual(statuses, [200, 200, 200]);
    await h.bridge.bridge.idle();
    await sleep(300);
    assert.equal(h.connector.posts.length, before);
    assert.equal(h.connector.created.length, 1);
  });

  it("a staff reply in the thread produces exactly one Graph send, to the right customer, with the right text", async () => {
    const thread = threadOf(h).created.conversationId;
    const reply = h.channelMessage("Hi Maria, your order ships today.", { thread });
    const res = await h.sendActivity(reply);
    assert.equal(res.status, 200, res.body);
    await h.metaGraph.waitForSends(1, 10_000);
    await sleep(200);
    assert.equal(h.metaGraph.sent.length, 1);
    const sent = h.metaGraph.sent[0]!;
    assert.equal(sent.phoneNumberId, EXAMPLE_BUSINESS.phoneNumberId);
    const body = sent.body as { to: string; type: string; text: { body: string } };
    assert.equal(body.to, "+5511987654321");
    assert.equal(body.type, "text");
    assert.equal(body.text.body, "Hi Maria, your order ships today.");
    assert.equal(sent.headers.authorization, "Bearer e2e-graph-token");
    // The returned wamid is mapped to the Teams message.
    const mapped = await h.bridge.stores.messages.byTeamsMessage(thread as never, String(reply.id) as never);
    assert.equal(mapped?.wamid, sent.wamid);
  });

  it("a note (//…) produces no Graph send", async () => {
    const thread = threadOf(h).created.conversationId;
    const res = await h.sendActivity(h.channelMessage("// she called yesterday too", { thread }));
    assert.equal(res.status, 200);
    await sleep(300);
    assert.equal(h.metaGraph.sent.length, 1);
  });

  it("a reply Meta refuses because the 24-hour window closed brings a notice that quotes it and says why", async () => {
    const thread = threadOf(h).created.conversationId;
    h.metaGraph.failNext({
      httpStatus: 400,
      error: {
        message: "(#131047) Re-engagement message",
        type: "OAuthException",
        code: 131047,
        error_data: {
          messaging_product: "whatsapp",
          details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        },
        fbtrace_id: "Axyz",
      },
    });
    const before = h.connector.posts.length;
    const res = await h.sendActivity(h.channelMessage("Are you still there?", { thread }));
    assert.equal(res.status, 200);
    await h.connector.waitFor((s) => s.posts.length > before, 10_000);
    const notice = h.connector.posts.at(-1)!;
    assert.equal(notice.conversationId, thread);
    // No template is configured in this harness: the offer is the notice saying so, after the reason.
    assert.match(textOfActivity(notice.activity), /Your message “Are you still there\?” was not sent: the customer last wrote more than 24 hours ago/);
  });

  it("a webhook with a bad signature gets 401 and stores nothing", async () => {
    const body = h.envelope(textMessage({ from: MARIA, text: "forged", id: "wamid.e2e.forged" }));
    assert.equal(await h.postWebhook(body, { signature: `sha256=${"0".repeat(64)}` }), 401);
    assert.equal(await h.postWebhook(body, { signature: "" }), 401);
    assert.equal(await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.e2e.forged"), undefined);
  });

  it("an activity without a valid token is refused with 401 and nothing happens", async () => {
    const thread = threadOf(h).created.conversationId;
    const sends = h.metaGraph.sent.length;
    const posts = h.connector.posts.length;
    const forged = h.channelMessage("send this without auth", { thread });
    assert.equal((await h.sendActivity(forged, { token: null })).status, 401);
    const wrongAudience = await h.issuer.mint({ aud: "another-bot", serviceUrl: String(forged.serviceUrl) });
    assert.equal((await h.sendActivity(forged, { token: wrongAudience })).status, 401);
    await sleep(200);
    assert.equal(h.metaGraph.sent.length, sends);
    assert.equal(h.connector.posts.length, posts);
  });

  it("answers the health probes", async () => {
    assert.equal((await fetch(`${h.bridge.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${h.bridge.url}/readyz`)).status, 200);
  });
});
