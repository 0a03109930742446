import assert from "node:assert/strict";
import { BusinessNumberId } from "../../../src/core/ids";
import { CHANNELS_ONLY_REPLY } from "../../../src/teams/staff-turn";
import { APP_ID, BOT_ID, CHANNEL, postActivity, RecordingHandler, TeamsWorld, TENANT } from "./teams-test-kit";

describe("Teams /api/messages: what is processed and what is answered", () => {
  let world: TeamsWorld;
  before(async () => {
    world = await TeamsWorld.start();
  });
  after(async () => {
    await world.close();
  });
  beforeEach(() => world.resetBetweenTests());

  async function sendSigned(bot: ReturnType<TeamsWorld["createBot"]>["bot"], activity: Parameters<TeamsWorld["tokenFor"]>[0]) {
    return postActivity(bot, activity, `Bearer ${await world.tokenFor(activity)}`);
  }

  it("maps a channel post to a StaffMessage and answers in its thread", async () => {
    const handler = new RecordingHandler();
    handler.answer = async (m) => ({ kind: "notice", notice: { kind: "number-linked", number: { id: BusinessNumberId(m.text.split(" ")[1]!) }, waiting: 0 } });
    const { bot } = world.createBot({ handler });
    const res = await sendSigned(bot, world.activity("channel-new-post-mention"));
    assert.equal(res.status, 200);
    assert.equal(handler.calls.length, 1);
    const message = handler.calls[0]!;
    assert.equal(message.thread, `${CHANNEL};messageid=1760000001000`);
    assert.equal(message.isThreadRoot, true);
    assert.equal(message.mentionsBot, true);
    assert.equal(message.serviceUrl, world.standin.serviceUrl);
    await world.standin.waitFor((s) => s.posts.length === 1);
    const post = world.standin.posts[0]!;
    assert.equal(post.conversationId, message.thread);
    assert.equal(post.replyToId, "1760000001000");
    assert.equal(
      post.activity.text,
      "<p>✅ WhatsApp number 123456789012345 is linked to this channel. Each customer who writes to it gets a thread here; reply in the thread to answer on WhatsApp.</p>",
    );
  });

  it("sends no typing indicators while the handler works (they would spend the thread's rate budget)", async () => {
    const handler = new RecordingHandler();
    // teams-ai's typing timer fires after 1 s: a handler slower than that would reveal it.
    handler.answer = () => new Promise((resolve) => setTimeout(() => resolve({ kind: "notice", notice: { kind: "template-cancelled" } }), 1200));
    const { bot } = world.createBot({ handler });
    assert.equal((await sendSigned(bot, world.activity("channel-reply-with-quote"))).status, 200);
    assert.deepEqual(
      world.standin.requests.map((r) => (r.body as { type?: string }).type),
      ["message"],
    );
  });

  it("refuses a tenant that is not allowed with 403: nothing processed, nothing sent", async () => {
    const handler = new RecordingHandler();
    const { bot, logger } = world.createBot({ handler, allowedTenantIds: new Set(["another-tenant"]) });
    const res = await sendSigned(bot, world.activity("channel-new-post-mention"));
    assert.equal(res.status, 403);
    assert.equal(handler.calls.length, 0);
    assert.equal(world.standin.requests.length, 0);
    assert.ok(logger.lines.some((l) => l.level === "warn" && l.event === "teams.tenant.refused" && l.fields.tenantId === TENANT));
  });

  it('accepts any tenant when configured with "any"', async () => {
    const handler = new RecordingHandler();
    const { bot } = world.createBot({ handler, allowedTenantIds: "any" });
    assert.equal((await sendSigned(bot, world.activity("channel-new-post-mention"))).status, 200);
    assert.equal(handler.calls.length, 1);
  });

  it("refuses a serviceUrl whose host is not allowed with 403, even with a matching signed claim, and never calls it", async () => {
    const handler = new RecordingHandler();
    handler.answer = async () => ({ kind: "notice", notice: { kind: "template-cancelled" } });
    const { bot, logger } = world.createBot({ handler });
    const activity = world.activity("channel-new-post-mention", (a) => {
      a.serviceUrl = "http://127.0.0.1:9/";
    });
    const res = await sendSigned(bot, activity);
    assert.equal(res.status, 403);
    assert.equal(handler.calls.length, 0);
    assert.equal(world.standin.requests.length, 0);
    assert.ok(logger.events().includes("teams.service_url.refused"));
  });

  it("answers personal chats with a pointer to channels and does not call the handler", async () => {
    const handler = new RecordingHandler();
    const { bot } = world.createBot({ handler });
    assert.equal((await sendSigned(bot, world.activity("personal-chat-message"))).status, 200);
    assert.equal(handler.calls.length, 0);
    assert.equal(world.standin.posts.length, 1);
    assert.equal(world.standin.posts[0]!.conversationId, "a:1Xyz-personal-conversation-id");
    assert.equal(world.standin.posts[0]!.activity.text, "<p>I work in channels: mention me in a channel with <code>help</code>.</p>");
    assert.match(CHANNELS_ONLY_REPLY.text, /help/);
  });

  it("ignores the bot's own messages", async () => {
    const handler = new RecordingHandler();
    const { bot } = world.createBot({ handler });
    const res = await sendSigned(
      bot,
      world.activity("channel-new-post-mention", (a) => {
        a.from = { id: BOT_ID, name: "WhatsApp Bridge" };
      }),
    );
    assert.equal(res.status, 200);
    assert.equal(handler.calls.length, 0);
    assert.equal(world.standin.requests.length, 0);
  });

  it("the bot added to a team (conversationUpdate) tells the core the app is installed, and answers nothing", async () => {
    const handler = new RecordingHandler();
    const { bot } = world.createBot({ handler });
    const res = await sendSigned(bot, world.activity("conversation-update-bot-added"));
    assert.equal(res.status, 200);
    assert.equal(handler.calls.length, 0);
    assert.deepEqual(
      handler.installs.map((i) => i.tenantId),
      [(world.activity("conversation-update-bot-added").channelData as { tenant: { id: string } }).tenant.id],
    );
    assert.equal(world.standin.requests.length, 0);
  });

  it("accepts and ignores other activity types (a member other than the bot added)", async () => {
    const handler = new RecordingHandler();
    const { bot, logger } = world.createBot({ handler });
    const activity = world.activity("conversation-update-bot-added");
    const res = await sendSigned(bot, { ...activity, membersAdded: [{ id: "29:someone-else", name: "Someone" }] });
    assert.equal(res.status, 200);
    assert.equal(handler.installs.length, 0);
    assert.equal(world.standin.requests.length, 0);
    assert.ok(logger.lines.some((l) => l.level === "debug" && l.event === "teams.activity.ignored" && l.fields.activityType === "conversationUpdate"));
  });

  it("sends nothing when the handler has nothing to say", async () => {
    const handler = new RecordingHandler();
    const { bot } = world.createBot({ handler });
    assert.equal((await sendSigned(bot, world.activity("channel-reply-with-quote"))).status, 200);
    assert.equal(handler.calls.length, 1);
    assert.equal(world.standin.requests.length, 0);
  });

  it("answers a failing handler with an error notice in the thread and logs it", async () => {
    const handler = new RecordingHandler();
    handler.answer = async () => {
      throw new Error("store down");
    };
    const { bot, logger } = world.createBot({ handler });
    assert.equal((await sendSigned(bot, world.activity("channel-reply-with-quote"))).status, 200);
    assert.equal(world.standin.posts.length, 1);
    assert.match(String(world.standin.posts[0]!.activity.text), /^<p>❌ <em>Something went wrong/);
    assert.ok(logger.lines.some((l) => l.level === "error" && l.event === "teams.handler.failed"));
  });

  it("answers 500 without details when the reply cannot be posted", async () => {
    const handler = new RecordingHandler();
    handler.answer = async () => ({ kind: "notice", notice: { kind: "template-cancelled" } });
    const { bot, logger } = world.createBot({ handler });
    world.standin.failNext(502, { error: { code: "ServiceError", message: "boom" } });
    const res = await sendSigned(bot, world.activity("channel-reply-with-quote"));
    assert.equal(res.status, 500);
    assert.equal(res.body, "internal error");
    assert.equal(world.standin.requests.length, 1, "one attempt: no retries inside the SDK");
    assert.ok(logger.events().includes("teams.turn.failed"));
  });

  it("refuses a body that is not a JSON activity with 400 (once it carries a token: without one it is 401 first)", async () => {
    const { bot } = world.createBot();
    const bearer = `Bearer ${await world.issuer.mint({ aud: APP_ID })}`;
    assert.equal((await postActivity(bot, "{not json", bearer)).status, 400);
    assert.equal((await postActivity(bot, "[1,2]", bearer)).status, 400);
    assert.equal((await postActivity(bot, { text: "no type" }, bearer)).status, 400);
    assert.equal((await postActivity(bot, "{not json")).status, 401);
  });

  describe("with authentication disabled (local demo)", () => {
    let plain: TeamsWorld;
    before(async () => {
      plain = await TeamsWorld.start({ requireToken: false });
    });
    after(async () => {
      await plain.close();
    });
    beforeEach(() => plain.resetBetweenTests());

    it("accepts activities without a token and replies without an Authorization header", async () => {
      const handler = new RecordingHandler();
      handler.answer = async () => ({ kind: "notice", notice: { kind: "template-cancelled" } });
      const { bot, logger } = plain.createBot({ handler, authDisabled: true });
      assert.ok(logger.events().includes("teams.auth.disabled"));
      const res = await postActivity(bot, plain.activity("channel-new-post-mention"));
      assert.equal(res.status, 200);
      assert.equal(handler.calls.length, 1);
      assert.equal(plain.standin.posts.length, 1);
      assert.equal(plain.standin.posts[0]!.authorization, undefined);
    });

    it("still refuses tenants and serviceUrl hosts that are not allowed", async () => {
      const handler = new RecordingHandler();
      const { bot } = plain.createBot({ handler, authDisabled: true });
      const foreign = plain.activity("channel-new-post-mention", (a) => {
        a.serviceUrl = "https://attacker.example/";
      });
      assert.equal((await postActivity(bot, foreign)).status, 403);
      const otherTenant = plain.activity("channel-new-post-mention", (a) => {
        a.channelData = { tenant: { id: "evil-tenant" } };
        a.conversation.tenantId = "evil-tenant";
      });
      assert.equal((await postActivity(bot, otherTenant)).status, 403);
      assert.equal(handler.calls.length, 0);
      assert.equal(plain.standin.requests.length, 0);
    });
  });
});
