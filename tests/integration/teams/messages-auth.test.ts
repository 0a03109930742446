import assert from "node:assert/strict";
import type { Activity } from "botbuilder";
import sinon from "sinon";
import type { MintOptions } from "../../support/token-issuer";
import { APP_ID, RecordingHandler, serveRoutes, TeamsWorld } from "./teams-test-kit";

/**
 * Real botbuilder JWT validation over real HTTP: tokens minted by the local issuer, the bot's route
 * mounted on a node:http server, replies going to the Bot Connector stand-in (docs/protocols.md B16).
 */
describe("Teams /api/messages authentication (real JWTs)", () => {
  let world: TeamsWorld;
  let handler: RecordingHandler;
  let server: { url: string; close(): Promise<void> };
  let logger: ReturnType<TeamsWorld["createBot"]>["logger"];
  let stderr: sinon.SinonSpy;

  before(async () => {
    world = await TeamsWorld.start();
  });
  after(async () => {
    await world.close();
  });

  beforeEach(async () => {
    world.resetBetweenTests();
    handler = new RecordingHandler();
    handler.answer = async () => ({ kind: "notice", notice: { kind: "template-cancelled" } });
    const created = world.createBot({ handler });
    logger = created.logger;
    server = await serveRoutes(created.bot.routes);
    stderr = sinon.spy(process.stderr, "write");
  });
  afterEach(async () => {
    stderr.restore();
    await server.close();
  });

  const send = async (activity: Activity, authorization?: string) => {
    const res = await fetch(`${server.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify(activity),
    });
    return { status: res.status, body: await res.text() };
  };

  it("accepts a valid token: the handler gets the message and the reply reaches the same thread with the bot's token", async () => {
    const activity = world.activity("channel-reply-with-quote");
    const res = await send(activity, `Bearer ${await world.tokenFor(activity)}`);
    assert.equal(res.status, 200);
    assert.equal(handler.calls.length, 1);
    assert.equal(handler.calls[0]!.text, "It ships today & arrives Friday.\n- Tracking: ABC (https://track.example/ABC)\n- Thanks 😀");
    assert.equal(world.standin.posts.length, 1);
    const post = world.standin.posts[0]!;
    assert.equal(post.conversationId, "19:4a5b6c7d8e9f@thread.tacv2;messageid=1760000002000", "posted in the thread of the message");
    assert.equal(post.activity.text, "<p>Template not sent.</p>");
    assert.equal(post.activity.textFormat, "xml");
    assert.ok(await world.issuer.isConnectorToken(post.authorization), "outbound call carries a managed-identity token for the connector");
    assert.equal(world.issuer.msiRequests.at(-1)?.clientId, APP_ID);
  });

  const rejected: Array<[string, (activity: Activity) => Promise<string | undefined>]> = [
    ["no Authorization header", async () => undefined],
    ["a header that is not a bearer token", async () => "Basic dXNlcjpwYXNz"],
    ["an expired token (beyond the 5-minute tolerance)", async (a) => bearer({ aud: APP_ID, serviceUrl: a.serviceUrl, expiresIn: -600 })],
    ["a token not valid yet", async (a) => bearer({ aud: APP_ID, serviceUrl: a.serviceUrl, notBefore: 900 })],
    ["a token for another bot (wrong audience)", async (a) => bearer({ aud: "ffffffff-0000-0000-0000-000000000000", serviceUrl: a.serviceUrl })],
    ["a token from another issuer", async (a) => bearer({ aud: APP_ID, serviceUrl: a.serviceUrl, iss: "https://api.botframework.com" })],
    ["a serviceurl claim that differs from the activity's serviceUrl", async () => bearer({ aud: APP_ID, serviceUrl: "https://attacker.example/" })],
    ["a tampered token (bad signature)", async (a) => bearer({ aud: APP_ID, serviceUrl: a.serviceUrl, signWith: "unpublished" })],
    ["a token signed with an unknown key id", async (a) => bearer({ aud: APP_ID, serviceUrl: a.serviceUrl, kid: "no-such-key" })],
    ["an HS256 token", async (a) => bearer({ aud: APP_ID, serviceUrl: a.serviceUrl, alg: "HS256" })],
  ];
  async function bearer(options: MintOptions): Promise<string> {
    return `Bearer ${await world.issuer.mint(options)}`;
  }

  for (const [what, authorization] of rejected) {
    it(`refuses ${what} with 401: the handler is not called and the connector sees nothing`, async () => {
      const activity = world.activity("channel-new-post-mention");
      const res = await send(activity, await authorization(activity));
      assert.equal(res.status, 401);
      assert.equal(res.body, "unauthorized", "no botbuilder error text or stack trace in the body");
      assert.equal(handler.calls.length, 0);
      assert.equal(world.standin.requests.length, 0);
      assert.deepEqual(
        logger.events().filter((e) => e.startsWith("teams.auth")),
        ["teams.auth.rejected"],
      );
      const written = stderr
        .getCalls()
        .map((c) => String(c.args[0]))
        .join("");
      assert.equal(written, "", "botbuilder's console output is kept out of the process output");
    });
  }

  it("never logs the token", async () => {
    const activity = world.activity("channel-new-post-mention");
    const token = await world.issuer.mint({ aud: APP_ID, serviceUrl: activity.serviceUrl, expiresIn: -600 });
    await send(activity, `Bearer ${token}`);
    const logged = JSON.stringify(logger.lines);
    assert.ok(!logged.includes(token.split(".")[2]!), "signature not in logs");
    assert.ok(!logged.includes(token.split(".")[1]!), "payload not in logs");
  });
});
