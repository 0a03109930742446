import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ConnectorClient, TokenCredentials } from "botframework-connector";
import { BridgeError, PermanentError, TransientError } from "../../../src/core/errors";
import { TeamsChannelId, TeamsMessageId, TenantId, threadRefOf } from "../../../src/core/ids";
import type { ChannelAddress } from "../../../src/core/model";
import { connectorHttpClient, ServiceUrlRefusedError } from "../../../src/teams/connector-http-client";
import { createTeamsBot } from "../../../src/teams/teams-app";
import { CaptureLogger } from "../../support/capture-logger";
import { APP_ID, CHANNEL, RecordingHandler, TeamsWorld, TENANT } from "./teams-test-kit";

/**
 * Each Bot Connector call is one request (connector-http-client.ts), whatever botframework-connector's
 * own retry and redirect policies would have done with the answer: the core decides about retries.
 */

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to fail");
}

/** A server on 127.0.0.1 that counts requests and treats each as `behave` says; stops with the test. */
async function misbehavingServer(behave: (socket: Socket) => void): Promise<{ host: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((request) => {
    requests++;
    behave(request.socket);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("Bot Connector calls are single attempts (connector-http-client.ts)", function () {
  this.timeout(15_000);
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

  const thread = () => threadRefOf(channel.channelId, TeamsMessageId("1760000000001"));
  const post = (bot: ReturnType<TeamsWorld["createBot"]>["bot"], to: ChannelAddress = channel) =>
    bot.gateway.postInThread(to, thread(), { kind: "notice", notice: { kind: "thread-start-duplicate" } });

  it("answers the SDK would retry (503 with Retry-After, 500, 408) are one request each", async () => {
    const { bot } = world.createBot();
    world.standin.failNext(503, { error: { code: "ServiceUnavailable", message: "busy" } }, { "Retry-After": "1" });
    world.standin.failNext(500, { error: { code: "ServiceError", message: "oops" } });
    world.standin.failNext(408);
    const started = Date.now();
    const unavailable = await rejection(post(bot));
    assert.ok(unavailable instanceof TransientError && unavailable.code === "teams.unavailable", String(unavailable));
    assert.equal(unavailable.retryAfterMs, 1000, "Retry-After is the core's to honour, not waited out inside the call");
    const failed = await rejection(post(bot));
    assert.ok(failed instanceof TransientError && failed.code === "teams.server_error", String(failed));
    assert.ok((await rejection(post(bot))) instanceof BridgeError);
    assert.equal(world.standin.requests.length, 3);
    assert.ok(Date.now() - started < 1000, "no retry delay was waited");
  });

  it("does not follow a redirect (the token would go with it)", async () => {
    const { bot } = world.createBot();
    world.standin.failNext(307, undefined, { Location: `${world.standin.serviceUrl}v3/conversations/elsewhere/activities` });
    const err = await rejection(post(bot));
    assert.ok(err instanceof PermanentError, String(err));
    assert.equal(world.standin.requests.length, 1, "the Location was never asked");
  });

  it("does not retry a POST whose connection was reset: it may have been received (a duplicate post)", async () => {
    const server = await misbehavingServer((socket) => socket.destroy());
    try {
      const bot = createTeamsBot({
        auth: world.issuer.authConfig({ appId: APP_ID, tenantId: TENANT }),
        authDisabled: false,
        allowedTenantIds: "any",
        serviceUrlHosts: [server.host],
        handler: new RecordingHandler(),
        logger: new CaptureLogger(),
      });
      const err = await rejection(post(bot, { ...channel, serviceUrl: `http://${server.host}/` }));
      assert.ok(err instanceof TransientError && err.code === "teams.network", String(err));
      assert.equal(server.requests(), 1);
    } finally {
      await server.close();
    }
  });

  it("gives up on a connector that never answers after the configured timeout, in one request", async () => {
    const server = await misbehavingServer(() => undefined);
    try {
      const bot = createTeamsBot({
        auth: world.issuer.authConfig({ appId: APP_ID, tenantId: TENANT }),
        authDisabled: false,
        allowedTenantIds: "any",
        serviceUrlHosts: [server.host],
        handler: new RecordingHandler(),
        logger: new CaptureLogger(),
        connectorTimeoutMs: 300,
      });
      const started = Date.now();
      const err = await rejection(post(bot, { ...channel, serviceUrl: `http://${server.host}/` }));
      assert.ok(err instanceof TransientError && err.code === "teams.network", String(err));
      assert.ok(Date.now() - started < 3000, `timed out after ${Date.now() - started} ms`);
      assert.equal(server.requests(), 1);
    } finally {
      await server.close();
    }
  });

  it("refuses, before any connection, a request to a host that is not allowed", async () => {
    const server = await misbehavingServer((socket) => socket.destroy());
    try {
      const client = new ConnectorClient(new TokenCredentials("token"), {
        baseUri: `http://${server.host}/`,
        httpClient: connectorHttpClient({ serviceUrlHosts: [world.standin.host], requestTimeoutMs: 1000, first: false }),
      });
      await assert.rejects(client.conversations.getConversations(), ServiceUrlRefusedError);
      assert.equal(server.requests(), 0);
    } finally {
      await server.close();
    }
  });
});
