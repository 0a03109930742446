import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ServiceClientCredentialsFactory, TokenCredentials } from "botframework-connector";
import { PermanentError, TeamsRefusal, TransientError } from "../../../src/core/errors";
import { paragraph } from "../../../src/core/formatted-text";
import { TeamsChannelId, TeamsMessageId, TenantId, threadRefOf } from "../../../src/core/ids";
import type { ChannelAddress } from "../../../src/core/model";
import type { RootCardModel } from "../../../src/core/ports/teams-gateway";
import { ADAPTIVE_CARD_CONTENT_TYPE } from "../../../src/teams/cards/root-card";
import { AUTH_DISABLED_BOT_APP_ID } from "../../../src/teams/teams-adapter";
import { createTeamsBot } from "../../../src/teams/teams-app";
import { CaptureLogger } from "../../support/capture-logger";
import { APP_ID, CHANNEL, RecordingHandler, TeamsWorld, TENANT } from "./teams-test-kit";

const ROOT: RootCardModel = {
  customerName: "Ana Lima",
  phone: "+5511987654321",
  businessDisplay: "+1 555-078-3881",
  firstMessage: "Where is my order?",
  startedAt: Date.UTC(2026, 10, 30, 9, 5),
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to fail");
}

describe("BotBuilderTeamsGateway against the Bot Connector stand-in", () => {
  let world: TeamsWorld;
  let channel: ChannelAddress;
  before(async () => {
    world = await TeamsWorld.start();
    channel = { channelId: TeamsChannelId(CHANNEL), tenantId: TenantId(TENANT), serviceUrl: world.standin.serviceUrl };
  });
  after(async () => {
    await world.close();
  });
  beforeEach(() => world.resetBetweenTests());

  it("starts a thread with the root card alone and parses the thread ref from the conversation id", async () => {
    const { bot } = world.createBot();
    const started = await bot.gateway.startThread(channel, ROOT);
    assert.equal(world.standin.created.length, 1);
    const created = world.standin.created[0]!;
    assert.equal(started.thread, `${CHANNEL};messageid=${created.activityId}`);
    assert.equal(started.rootMessageId, created.activityId);
    const params = created.parameters as {
      isGroup?: boolean;
      tenantId?: string;
      channelData?: { channel?: { id?: string } };
      activity?: Record<string, unknown>;
    };
    assert.equal(params.isGroup, true);
    assert.equal(params.tenantId, TENANT);
    assert.equal(params.channelData?.channel?.id, CHANNEL);
    const activity = params.activity!;
    assert.equal(activity.text, undefined, "no text beside the card (Teams would split it and lose the id)");
    const attachments = activity.attachments as Array<{ contentType: string; content: { type: string; version: string } }>;
    assert.equal(attachments.length, 1);
    assert.equal(attachments[0]!.contentType, ADAPTIVE_CARD_CONTENT_TYPE);
    assert.equal(attachments[0]!.content.version, "1.5");
    assert.equal(activity.summary, "WhatsApp · Ana Lima · +5511987654321: Where is my order?");
    assert.ok(await world.issuer.isConnectorToken(created.authorization), "the call carries the bot's token");
  });

  it("posts in the thread and returns the new message id", async () => {
    const { bot } = world.createBot();
    const { thread } = await bot.gateway.startThread(channel, ROOT);
    const id = await bot.gateway.postInThread(channel, thread, {
      kind: "customer",
      authorName: "Ana",
      authorHandle: "+5511987654321",
      sentAt: ROOT.startedAt,
      body: paragraph("<at>General</at> hi"),
    });
    const post = world.standin.posts.at(-1)!;
    assert.equal(id, post.id);
    assert.equal(post.conversationId, thread);
    assert.equal(post.activity.textFormat, "xml");
    assert.equal(post.activity.text, "<p><strong>Ana</strong> (+5511987654321) · 09:05 UTC</p><p>&lt;at&gt;General&lt;/at&gt; hi</p>");
    assert.equal(post.activity.entities, undefined, "no mention entities");
    assert.ok(await world.issuer.isConnectorToken(post.authorization));
  });

  it("an image that Teams refuses as too large (413) is replaced by a line pointing at its file, once", async () => {
    const { bot } = world.createBot();
    const { thread } = await bot.gateway.startThread(channel, ROOT);
    world.standin.failNext(413, { error: { code: "MessageSizeTooBig", message: "Message size too big" } });
    const bytes = Buffer.alloc(40_000, 0x41);
    const id = await bot.gateway.postInThread(channel, thread, { kind: "image", name: "parcel.jpg", mimeType: "image/jpeg", bytes });
    const posts = world.standin.posts.filter((p) => p.conversationId === thread);
    assert.equal(posts.length, 1, "the refused image is not there; its stand-in is");
    assert.equal(id, posts[0]!.id);
    assert.equal(posts[0]!.activity.text, "<p><em>🖼️ parcel.jpg is too large to show in the thread: open it from its link above.</em></p>");
    const attempts = world.standin.requests.filter((r) => r.method === "POST" && r.path.includes(encodeURIComponent(thread)));
    assert.equal(attempts.length, 2, "the image once, then the line");
  });

  it("another refusal of an image is not papered over", async () => {
    const { bot } = world.createBot();
    const { thread } = await bot.gateway.startThread(channel, ROOT);
    world.standin.failNext(400, { error: { code: "BadArgument", message: "no" } });
    const refused = await rejection(
      bot.gateway.postInThread(channel, thread, { kind: "image", name: "p.png", mimeType: "image/png", bytes: Buffer.alloc(10) }),
    );
    assert.ok(refused instanceof TeamsRefusal && refused.code === "teams.bad_request", String(refused));
    assert.equal(world.standin.posts.filter((p) => p.conversationId === thread).length, 0);
  });

  it("updates the root card in place: one PUT of the root message holding only the card", async () => {
    const { bot } = world.createBot();
    const { thread, rootMessageId } = await bot.gateway.startThread(channel, ROOT);
    const live: RootCardModel = {
      ...ROOT,
      live: { window: { open: false }, lastOutbound: { ticks: "✓✓ delivered", at: ROOT.startedAt, excerpt: "Your order ships today" }, optedOut: true },
    };
    await bot.gateway.updateRootCard(channel, thread, rootMessageId, live);
    assert.equal(world.standin.updates.length, 1);
    assert.equal(world.standin.posts.length, 0, "no new message");
    const update = world.standin.updates[0]!;
    assert.equal(update.conversationId, thread, "addressed by the thread id");
    assert.equal(update.activityId, rootMessageId);
    const put = world.standin.requests.at(-1)!;
    assert.equal(put.method, "PUT");
    assert.equal(put.path, `/v3/conversations/${encodeURIComponent(thread)}/activities/${rootMessageId}`);
    assert.equal(update.activity.type, "message");
    assert.equal(update.activity.text, undefined, "text beside the card is refused by Teams");
    assert.equal(update.activity.summary, undefined);
    const attachments = update.activity.attachments as Array<{ contentType: string; content: unknown }>;
    assert.equal(attachments.length, 1);
    assert.equal(attachments[0]!.contentType, ADAPTIVE_CARD_CONTENT_TYPE);
    const card = JSON.stringify(attachments[0]!.content);
    for (const expected of ["closed — only templates can be sent", "✓✓ delivered", "Opted out of business-initiated messages"])
      assert.ok(card.includes(expected), expected);
    assert.ok(await world.issuer.isConnectorToken(update.authorization), "the call carries the bot's token");
  });

  it("maps root card update failures like the other calls, in a single attempt", async () => {
    const { bot } = world.createBot();
    const thread = threadRefOf(channel.channelId, TeamsMessageId("1760000000123"));
    world.standin.failNext(404, { error: { code: "ActivityNotFoundInConversation", message: "gone" } });
    const gone = await rejection(bot.gateway.updateRootCard(channel, thread, TeamsMessageId("1760000000123"), ROOT));
    assert.ok(gone instanceof PermanentError);
    assert.equal(gone.code, "teams.not_found");
    world.standin.failNext(429, { error: { code: "Throttled", message: "slow down" } }, { "Retry-After": "2" });
    const throttled = await rejection(bot.gateway.updateRootCard(channel, thread, TeamsMessageId("1760000000123"), ROOT));
    assert.ok(throttled instanceof TransientError);
    assert.equal(throttled.retryAfterMs, 2000);
    assert.equal(world.standin.requests.length, 2);
  });

  it("refuses to update a root card of a thread in another channel, without calling Teams", async () => {
    const { bot } = world.createBot();
    const foreign = threadRefOf(TeamsChannelId("19:other@thread.tacv2"), TeamsMessageId("5"));
    const err = await rejection(bot.gateway.updateRootCard(channel, foreign, TeamsMessageId("5"), ROOT));
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, "teams.thread_mismatch");
    assert.equal(world.standin.requests.length, 0);
  });

  it("maps 429 with Retry-After to a TransientError, in a single attempt", async () => {
    const { bot } = world.createBot();
    world.standin.failNext(429, { error: { code: "Throttled", message: "slow down" } }, { "Retry-After": "3" });
    const err = await rejection(
      bot.gateway.postInThread(channel, threadRefOf(channel.channelId, TeamsMessageId("1")), { kind: "notice", notice: { kind: "thread-start-duplicate" } }),
    );
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, "teams.throttled");
    assert.equal(err.retryAfterMs, 3000);
    assert.equal(world.standin.requests.length, 1, "botbuilder's own retry policy is off: the core decides");
  });

  it("maps 502 on thread creation to a TransientError", async () => {
    const { bot } = world.createBot();
    world.standin.failNext(502);
    const err = await rejection(bot.gateway.startThread(channel, ROOT));
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, "teams.unavailable");
    assert.equal(world.standin.requests.length, 1);
  });

  it("maps 403 BotNotInConversationRoster to an app-removed refusal, with what Teams said", async () => {
    const { bot } = world.createBot();
    world.standin.failNext(403, { error: { code: "BotNotInConversationRoster", message: "The bot is not part of the conversation roster." } });
    const err = await rejection(bot.gateway.startThread(channel, ROOT));
    assert.ok(err instanceof TeamsRefusal);
    assert.equal(err.refusal, "app-removed");
    assert.equal(err.code, "teams.not_installed");
    assert.match(err.message, /The bot is not part of the conversation roster/);
  });

  it("the probe reads one member of the channel: fine while installed, an app-removed refusal once the app is out", async () => {
    const { bot } = world.createBot();
    await bot.gateway.probe(channel);
    assert.match(world.standin.requests.at(-1)!.path, /\/v3\/conversations\/.*\/pagedmembers$/);
    world.standin.teams.setAppRemoved([channel.channelId], true);
    const err = await rejection(bot.gateway.probe(channel));
    assert.ok(err instanceof TeamsRefusal && err.refusal === "app-removed");
    world.standin.teams.setAppRemoved([channel.channelId], false);
  });

  it("refuses to call a serviceUrl whose host is not allowed", async () => {
    const { bot } = world.createBot();
    const err = await rejection(bot.gateway.startThread({ ...channel, serviceUrl: "https://attacker.example/" }, ROOT));
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, "teams.service_url_refused");
    assert.equal(world.standin.requests.length, 0);
  });

  it("maps an unreachable connector to a transient network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadHost = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // The allow-list is per bot: this one allows the port where nothing listens any more.
    const bot = createTeamsBot({
      auth: world.issuer.authConfig({ appId: APP_ID, tenantId: TENANT }),
      authDisabled: false,
      allowedTenantIds: "any",
      serviceUrlHosts: [deadHost],
      handler: new RecordingHandler(),
      logger: new CaptureLogger(),
    });
    const unreachable = { ...channel, serviceUrl: `http://${deadHost}/` };
    const err = await rejection(
      bot.gateway.postInThread(unreachable, threadRefOf(channel.channelId, TeamsMessageId("1")), {
        kind: "notice",
        notice: { kind: "thread-start-duplicate" },
      }),
    );
    assert.ok(err instanceof TransientError, String(err));
    assert.equal(err.code, "teams.network");
  });

  it("uses a custom ServiceClientCredentialsFactory when one is given (the test seam)", async () => {
    const token = await world.issuer.mint({ aud: world.issuer.connectorScope });
    const audiences: Array<string | undefined> = [];
    class StaticTokenFactory extends ServiceClientCredentialsFactory {
      async isValidAppId(appId: string) {
        return appId === APP_ID;
      }
      async isAuthenticationDisabled() {
        return false;
      }
      async createCredentials(_appId: string, audience: string | undefined) {
        audiences.push(audience);
        return new TokenCredentials(token);
      }
    }
    const bot = createTeamsBot({
      auth: world.issuer.authConfig({ appId: APP_ID, tenantId: TENANT }),
      authDisabled: false,
      allowedTenantIds: "any",
      serviceUrlHosts: [world.standin.host],
      handler: new RecordingHandler(),
      logger: new CaptureLogger(),
      credentialsFactory: new StaticTokenFactory(),
    });
    const msiCallsBefore = world.issuer.msiRequests.length;
    await bot.gateway.startThread(channel, ROOT);
    assert.equal(world.standin.created[0]!.authorization, `Bearer ${token}`);
    assert.equal(world.issuer.msiRequests.length, msiCallsBefore, "managed identity was not asked");
    assert.ok(audiences.includes(world.issuer.connectorScope));
  });

  describe("with authentication disabled", () => {
    let plain: TeamsWorld;
    before(async () => {
      plain = await TeamsWorld.start({ requireToken: false });
    });
    after(async () => {
      await plain.close();
    });

    it("starts threads and posts with the placeholder app id and no Authorization header", async () => {
      const { bot } = plain.createBot({ authDisabled: true });
      const local = { ...channel, serviceUrl: plain.standin.serviceUrl };
      const { thread, rootMessageId } = await bot.gateway.startThread(local, ROOT);
      const id = await bot.gateway.postInThread(local, thread, { kind: "notice", notice: { kind: "thread-start-duplicate" } });
      assert.equal(thread, `${CHANNEL};messageid=${rootMessageId}`);
      assert.equal(id, plain.standin.posts[0]!.id);
      assert.equal(plain.standin.created[0]!.authorization, undefined);
      assert.equal(plain.standin.posts[0]!.authorization, undefined);
      assert.equal((plain.standin.posts[0]!.activity.from as { id?: string }).id, `28:${AUTH_DISABLED_BOT_APP_ID}`);
    });
  });
});
