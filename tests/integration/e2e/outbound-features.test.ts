import assert from "node:assert/strict";
import { EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * Staff → WhatsApp beyond plain text, through the real HTTP path: activities in with
 * botbuilder's real auth; the Meta Graph API stand-in records what is sent to WhatsApp; pasted images are
 * served by the Bot Connector stand-in to the bot's token only.
 */

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const textOf = (a: Record<string, unknown>) => String(a.text ?? "");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("staff replies beyond text end to end", function () {
  this.timeout(60_000);
  let h: Harness;
  let thread: string;
  /** The Teams id of the bot's copy of Maria's first message, and its wamid. */
  let customerCopy: { teamsId: string; wamid: string };

  const sendsAfter = async (before: number, n = 1) => (await h.metaGraph.waitForSends(before + n, 10_000)).slice(before);
  const threadPosts = () => h.connector.posts.filter((p) => p.conversationId === thread);

  before(async () => {
    h = await startHarness();
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
    assert.equal(
      await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Where is my parcel?", id: "wamid.out.1", timestamp: Math.floor(Date.now() / 1000) }))),
      200,
    );
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 10_000);
    await h.bridge.bridge.idle();
    thread = h.connector.created[0]!.conversationId;
    customerCopy = { teamsId: threadPosts()[0]!.id, wamid: "wamid.out.1" };
  });
  after(async () => h?.stop());

  it("an image pasted into a reply is fetched with the bot's token, uploaded to WhatsApp media and sent with the text as caption", async () => {
    const contentUrl = h.connector.addAttachment(PNG, "image/png");
    const reply = h.channelMessage("Here is the label", { thread });
    const activity = {
      ...reply,
      attachments: [
        { contentType: "image/*", contentUrl },
        { contentType: "text/html", content: "<p>Here is the <strong>label</strong></p>" },
      ],
    };
    const before = h.metaGraph.sent.length;
    assert.equal((await h.sendActivity(activity)).status, 200);
    const [sent] = await sendsAfter(before);
    const body = sent!.body as { type: string; image: { id: string; caption?: string }; to: string };
    assert.equal(body.type, "image");
    assert.equal(body.to, "+5511987654321");
    assert.equal(body.image.caption, "Here is the *label*", "the caption keeps the formatting, as WhatsApp markup");
    const uploaded = h.metaGraph.getMedia(body.image.id);
    assert.ok(uploaded, "uploaded through POST /{phone-number-id}/media");
    assert.deepEqual(uploaded.bytes, PNG);
    assert.equal(uploaded.mimeType, "image/png");
    assert.equal(uploaded.phoneNumberId, EXAMPLE_BUSINESS.phoneNumberId);
    assert.ok(h.connector.attachmentFetches.at(-1)?.authorization?.startsWith("Bearer "), "fetched with the bot's token");
    await h.bridge.bridge.idle();
    const mapped = await h.bridge.stores.messages.byTeamsMessage(thread as never, String(reply.id) as never);
    assert.equal(mapped?.wamid, sent!.wamid);
  });

  it("a staff reaction on the bot's copy of a customer message becomes a WhatsApp reaction; removing it removes it", async () => {
    const reaction = (added: unknown[], removed: unknown[]) => ({
      ...h.channelMessage("", { thread }),
      type: "messageReaction",
      text: undefined,
      attachments: undefined,
      replyToId: customerCopy.teamsId,
      reactionsAdded: added,
      reactionsRemoved: removed,
    });
    let before = h.metaGraph.sent.length;
    assert.equal((await h.sendActivity(reaction([{ type: "like" }], []))).status, 200);
    let [sent] = await sendsAfter(before);
    assert.deepEqual((sent!.body as { type: string; reaction: unknown }).reaction, { message_id: customerCopy.wamid, emoji: "👍" });
    before = h.metaGraph.sent.length;
    assert.equal((await h.sendActivity(reaction([], [{ type: "like" }]))).status, 200);
    [sent] = await sendsAfter(before);
    assert.deepEqual((sent!.body as { reaction: unknown }).reaction, { message_id: customerCopy.wamid, emoji: "" });
  });

  it("a reaction on a staff message stays in Teams", async () => {
    const staffMessage = await h.bridge.stores.messages.byWamid(EXAMPLE_BUSINESS.phoneNumberId as never, h.metaGraph.sent[0]!.wamid! as never);
    const before = h.metaGraph.sent.length;
    const activity = {
      ...h.channelMessage("", { thread }),
      type: "messageReaction",
      text: undefined,
      attachments: undefined,
      replyToId: staffMessage!.teamsMessageId,
      reactionsAdded: [{ type: "heart" }],
    };
    assert.equal((await h.sendActivity(activity)).status, 200);
    await sleep(300);
    assert.equal(h.metaGraph.sent.length, before);
  });

  it("a reply that quotes a customer message is sent as a WhatsApp contextual reply", async () => {
    const reply = h.channelMessage("It left the depot this morning.", { thread });
    const quote = `<blockquote itemscope="" itemtype="http://schema.skype.com/Reply" itemid="${customerCopy.teamsId}"><strong itemprop="mri" itemid="28:bot">WhatsApp Bridge</strong><p itemprop="preview">Where is my parcel?</p></blockquote>`;
    const activity = { ...reply, attachments: [{ contentType: "text/html", content: `${quote}<p>It left the depot this morning.</p>` }] };
    const before = h.metaGraph.sent.length;
    assert.equal((await h.sendActivity(activity)).status, 200);
    const [sent] = await sendsAfter(before);
    const body = sent!.body as { text: { body: string }; context?: { message_id: string } };
    assert.equal(body.text.body, "It left the depot this morning.", "the quoted preview is not sent");
    assert.deepEqual(body.context, { message_id: customerCopy.wamid });
  });

  it("editing or deleting a sent reply: the bot says once, briefly, that WhatsApp keeps what it delivered", async () => {
    const reply = h.channelMessage("Delivery on Friday", { thread });
    const before = h.metaGraph.sent.length;
    assert.equal((await h.sendActivity(reply)).status, 200);
    await sendsAfter(before);
    await h.bridge.bridge.idle();
    const change = (type: string, eventType: string) => ({
      ...reply,
      type,
      text: "Delivery on Saturday",
      channelData: { ...(reply.channelData as object), eventType },
    });
    const posts = threadPosts().length;
    assert.equal((await h.sendActivity(change("messageUpdate", "editMessage"))).status, 200);
    await h.connector.waitFor(() => threadPosts().length === posts + 1, 5_000);
    assert.match(textOf(threadPosts().at(-1)!.activity), /already delivered on WhatsApp: editing it in Teams does not change what the customer received/);
    assert.equal((await h.sendActivity(change("messageUpdate", "editMessage"))).status, 200);
    assert.equal((await h.sendActivity(change("messageDelete", "softDeleteMessage"))).status, 200);
    await sleep(300);
    assert.equal(threadPosts().length, posts + 1, "said once");
    assert.equal(h.metaGraph.sent.length, before + 1, "nothing new sent to WhatsApp");
  });

  it("a text over 4,096 characters is split at paragraph boundaries and sent in order", async () => {
    const first = `${"First part sentence. ".repeat(150).trim()}`;
    const second = `${"Second part sentence. ".repeat(100).trim()}`;
    const reply = h.channelMessage("x", { thread });
    const activity = { ...reply, attachments: [{ contentType: "text/html", content: `<p>${first}</p><p>${second}</p>` }] };
    const before = h.metaGraph.sent.length;
    assert.equal((await h.sendActivity(activity)).status, 200);
    const sent = await sendsAfter(before, 2);
    const bodies = sent.map((s) => (s.body as { text: { body: string } }).text.body);
    assert.deepEqual(bodies, [first, second]);
    assert.ok(bodies.every((b) => Array.from(b).length <= 4096));
  });

  it("a file attached in the channel is not delivered to the bot: the sender is told how to send one", async () => {
    const reply = h.channelMessage("The contract is attached", { thread });
    const file = { contentType: "reference", contentUrl: "https://contoso.sharepoint.com/sites/support/Shared%20Documents/contract.pdf", name: "contract.pdf" };
    const activity = { ...reply, attachments: [...(reply.attachments as unknown[]), file] };
    const before = h.metaGraph.sent.length;
    const posts = threadPosts().length;
    assert.equal((await h.sendActivity(activity)).status, 200);
    await sendsAfter(before);
    await h.connector.waitFor(() => threadPosts().length > posts, 5_000);
    assert.match(textOf(threadPosts().at(-1)!.activity), /Files attached in a channel are not given to bots by Teams/);
    assert.match(textOf(threadPosts().at(-1)!.activity), /paste an image straight into your reply, or share a link/);
  });

  it("a pasted image from a host that is not a Teams service host is never fetched", async () => {
    const reply = h.channelMessage("look", { thread });
    const activity = {
      ...reply,
      attachments: [{ contentType: "image/png", contentUrl: "http://169.254.169.254/latest/meta-data/" }, ...(reply.attachments as unknown[])],
    };
    const before = h.metaGraph.sent.length;
    const fetches = h.connector.attachmentFetches.length;
    assert.equal((await h.sendActivity(activity)).status, 200);
    const [sent] = await sendsAfter(before);
    assert.equal((sent!.body as { type: string }).type, "text", "the words still go");
    assert.equal(h.connector.attachmentFetches.length, fetches);
    await h.connector.waitFor(() => /image 1 is stored where the bridge may not fetch it/.test(textOf(threadPosts().at(-1)!.activity)), 5_000);
  });
});
