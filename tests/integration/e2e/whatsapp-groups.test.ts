import assert from "node:assert/strict";
import { EXAMPLE_BUSINESS } from "../../../tools/sign-webhook";
import { startWhatsAppSimulator, type WhatsAppSimulator } from "../../../tools/whatsapp-simulator";
import { ACCESS_TOKEN, ADMIN_AAD, APP_SECRET, startHarness, type Harness } from "../../support/bridge-harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (a: Record<string, unknown>) =>
  String(a.text ?? "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

/**
 * WhatsApp groups through the real HTTP path: the WhatsApp simulator plays Meta (Graph API with the Groups
 * API, signed webhooks), the Bot Connector stand-in plays Teams, the bridge runs on Azurite.
 */
describe("WhatsApp groups end to end (simulator as Meta, Bot Connector stand-in as Teams)", function () {
  this.timeout(90_000);
  let h: Harness;
  let sim: WhatsAppSimulator;
  let thread: string;
  let groupId: string;

  /** The bridge's posts in the group's thread, as plain text. */
  const threadTexts = () => h.connector.posts.filter((p) => p.conversationId === thread).map((p) => text(p.activity));

  before(async () => {
    sim = await startWhatsAppSimulator({
      appSecret: APP_SECRET,
      accessToken: ACCESS_TOKEN,
      tickDelaysMs: { sent: 50, delivered: 50 },
      retryDelaysMs: [100, 300],
    });
    h = await startHarness({
      env: {
        WHATSAPP_GRAPH_URL: sim.metaGraphUrl,
        WHATSAPP_MEDIA_HOSTS: new URL(sim.metaGraphUrl).host,
        WHATSAPP_BUSINESS_ACCOUNT_ID: EXAMPLE_BUSINESS.wabaId,
      },
    });
    sim.connect(`${h.bridge.url}/api/whatsapp/webhook`);
    assert.equal((await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
  });
  after(async () => {
    await h?.stop();
    await sim?.close();
  });

  it("two participants writing in one group make one thread, each post naming its participant", async () => {
    const sheena = sim.addCustomer({ name: "Sheena Nelson", phone: "+1 650 555 1234" });
    const tiago = sim.addCustomer({ name: "Tiago Mingo", username: "tiago.mingo" });
    const group = await sim.groups.createGroup("Flat 4B viewing");
    groupId = group.id;
    await sim.groups.join(group.id, sheena.id);
    await sim.groups.join(group.id, tiago.id);
    await sim.groups.send(group.id, sheena.id, { type: "text", text: "Is Friday still on?" });
    await sim.groups.send(group.id, tiago.id, { type: "text", text: "I can only do the morning" });
    await h.connector.waitFor(
      () => h.connector.created.length === 1 && h.connector.posts.some((p) => text(p.activity).includes("only do the morning")),
      15_000,
    );
    await h.bridge.bridge.idle();
    assert.equal(h.connector.created.length, 1, "one thread for the group, none per participant");
    thread = h.connector.created[0]!.conversationId;
    const card = JSON.stringify(h.connector.created[0]!.parameters);
    assert.match(card, /WhatsApp group/);
    assert.match(card, /Flat 4B viewing/);
    const posts = threadTexts();
    assert.ok(
      posts.some((t) => /Sheena Nelson \(\+16505551234\).*Is Friday still on\?/.test(t)),
      posts.join("\n"),
    );
    assert.ok(
      posts.some((t) => /Tiago Mingo \(@tiago\.mingo\).*I can only do the morning/.test(t)),
      posts.join("\n"),
    );
  });

  it("lifecycle and participant events show in the thread as plain lines", async () => {
    const posts = threadTexts();
    assert.ok(
      posts.some((t) => /WhatsApp created the group “Flat 4B viewing”\. Invite link: https:\/\/chat\.whatsapp\.com\//.test(t)),
      posts.join("\n"),
    );
    assert.ok(
      posts.some((t) => /\+16505551234 joined the group \(invite link\)/.test(t)),
      posts.join("\n"),
    );
    assert.ok(
      posts.some((t) => /@tiago\.mingo joined the group \(invite link\)/.test(t)),
      posts.join("\n"),
    );
  });

  it("a staff reply is sent once, to the group, and never to a participant", async () => {
    const before = sim.metaGraph.sent.length;
    assert.equal((await h.sendActivity(h.channelMessage("Friday 10:00 is confirmed for both of you.", { thread }))).status, 200);
    await sim.metaGraph.waitForSends(before + 1, 10_000);
    await sleep(300);
    const sends = sim.metaGraph.sent
      .slice(before)
      .filter((s) => (s.body as { type?: string }).type !== undefined || (s.body as { status?: string }).status === undefined);
    assert.equal(sends.length, 1, "sent once");
    assert.equal(sends[0]!.recipientType, "group");
    assert.equal(sends[0]!.to, groupId);
    assert.equal(sim.metaGraph.sent.filter((s) => s.recipientType === "individual").length, 0, "no individual send at all");
  });

  it("statuses per participant move the root card forward without a post per participant", async () => {
    const postsBefore = h.connector.posts.filter((p) => p.conversationId === thread).length;
    const [sheena, tiago] = sim.state.customers;
    sim.groups.markRead(groupId, sheena!.id);
    await h.connector.waitFor(() => h.connector.updates.some((u) => u.conversationId === thread && /read by 1/.test(JSON.stringify(u.activity))), 15_000);
    sim.groups.markRead(groupId, tiago!.id);
    await h.connector.waitFor(() => h.connector.updates.some((u) => u.conversationId === thread && /read by 2/.test(JSON.stringify(u.activity))), 15_000);
    await h.bridge.bridge.idle();
    assert.equal(h.connector.posts.filter((p) => p.conversationId === thread).length, postsBefore, "statuses post nothing");
  });

  it("a participant leaving and a subject change are lines in the thread; the card follows", async () => {
    const [, tiago] = sim.state.customers;
    await sim.groups.leave(groupId, tiago!.id);
    await sim.groups.rename(groupId, "Flat 4B – Friday viewing");
    await h.connector.waitFor(() => threadTexts().some((t) => t.includes("subject is now")), 15_000);
    await h.bridge.bridge.idle();
    const posts = threadTexts();
    assert.ok(
      posts.some((t) => /@tiago\.mingo left the group\./.test(t)),
      posts.join("\n"),
    );
    assert.ok(
      posts.some((t) => /Group settings changed: the subject is now “Flat 4B – Friday viewing”\./.test(t)),
      posts.join("\n"),
    );
    const lastCard = JSON.stringify(h.connector.updates.filter((u) => u.conversationId === thread).at(-1)!.activity);
    assert.match(lastCard, /Flat 4B – Friday viewing/);
    assert.match(lastCard, /1 participant\b/);
  });
});
