import assert from "node:assert/strict";
import { EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const ADA = { id: "29:ada-admin", name: "Ada Admin" };
const T0 = Math.floor(Date.now() / 1000) - 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("what staff say to each other stays in Teams (REPLY_MODE=all, real HTTP)", function () {
  this.timeout(60_000);
  let h: Harness;
  let thread: string;

  /** Sends a reply in the customer's thread and waits until the bridge answered or sent (or a short while). */
  async function reply(text: string, options: Parameters<Harness["channelMessage"]>[1] = {}) {
    const posts = h.connector.posts.length;
    const sends = h.metaGraph.sent.length;
    const activity = h.channelMessage(text, { thread, ...options });
    const res = await h.sendActivity(activity);
    assert.equal(res.status, 200, res.body);
    await h.bridge.bridge.idle();
    await sleep(150);
    // The bot's answers to this reply (posted in reply to its activity), nothing else of the thread.
    const answers = h.connector.posts
      .slice(posts)
      .filter((p) => p.conversationId === thread && p.replyToId === activity.id)
      .map((p) => String(p.activity.text ?? ""));
    return { answers, sent: h.metaGraph.sent.slice(sends).map((s) => (s.body as { text?: { body: string } }).text?.body) };
  }

  before(async () => {
    h = await startHarness({ replyMode: "all" });
    assert.equal((await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Is my card blocked?", id: "wamid.int.1", timestamp: T0 }))), 200);
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
    thread = h.connector.created[0]!.conversationId;
  });
  after(async () => {
    await h?.stop();
  });

  it("a reply that @mentions a colleague is not sent, and its author is told why", async () => {
    const { answers, sent } = await reply("can you check her account?", { mentions: [ADA] });
    assert.deepEqual(sent, []);
    assert.equal(answers.length, 1, answers.join(" | "));
    assert.match(answers[0]!, /Kept in Teams: it mentions a colleague\. Start with .*!.* to send it to the customer anyway\./);
  });

  it("the same with `!` is sent, without the `!` and without the mention markup", async () => {
    const { answers, sent } = await reply("! Ada will call you back today", { mentions: [] });
    assert.deepEqual(sent, ["Ada will call you back today"]);
    assert.deepEqual(answers, []);
    const withMention = await reply("will call you back today", { lead: "! ", mentions: [ADA] });
    assert.deepEqual(withMention.sent, ["Ada Admin will call you back today"], "the name stays as text, the <at> markup goes");
  });

  it("a reply with a tag mention stays internal", async () => {
    const { answers, sent } = await reply("please pick this up", { mentions: [{ id: "MjIyMjIyMjItdGFn", name: "Card team", type: "tag" }] });
    assert.deepEqual(sent, []);
    assert.match(answers[0] ?? "", /Kept in Teams/);
  });

  it("a plain reply is sent", async () => {
    const { sent } = await reply("No, your card is active.");
    assert.deepEqual(sent, ["No, your card is active."]);
  });

  it("a reply carrying a SharePoint link is refused with a notice, and sent with `!`", async () => {
    const link = "https://contoso.sharepoint.com/sites/cards/Shared%20Documents/terms.pdf";
    const refused = await reply(`Here are the terms: ${link}`);
    assert.deepEqual(refused.sent, []);
    assert.match(refused.answers[0] ?? "", /Not sent: it links into your organisation \(contoso\.sharepoint\.com\)/);
    const anyway = await reply(`! Here are the terms: ${link}`);
    assert.deepEqual(anyway.sent, [`Here are the terms: ${link}`]);
  });
});
