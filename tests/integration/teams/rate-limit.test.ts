import assert from "node:assert/strict";
import { TeamsChannelId, TeamsMessageId, TenantId, threadRefOf } from "../../../src/core/ids";
import type { ChannelAddress } from "../../../src/core/model";
import { createTeamsBot } from "../../../src/teams/teams-app";
import { CaptureLogger } from "../../support/capture-logger";
import { APP_ID, CHANNEL, RecordingHandler, TeamsWorld, TENANT } from "./teams-test-kit";

describe("the Teams gateway keeps under Teams' rate limits (docs/protocols.md B13)", function () {
  this.timeout(20_000);
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

  const bot = (tenantRequestsPerSecond: number) =>
    createTeamsBot({
      auth: world.issuer.authConfig({ appId: APP_ID, tenantId: TENANT }),
      authDisabled: false,
      allowedTenantIds: "any",
      serviceUrlHosts: [world.standin.host],
      handler: new RecordingHandler(),
      logger: new CaptureLogger(),
      tenantRequestsPerSecond,
    });

  it("spaces posts to one thread: 7 at once, the 8th and later only as the windows allow", async () => {
    const { gateway } = bot(1000);
    const thread = threadRefOf(channel.channelId, TeamsMessageId("1760000000000"));
    const start = Date.now();
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, () =>
        gateway.postInThread(channel, thread, { kind: "notice", notice: { kind: "thread-start-duplicate" } }).then(() => done.push(Date.now() - start)),
      ),
    );
    done.sort((a, b) => a - b);
    assert.equal(world.standin.posts.length, 10);
    assert.ok(done[6]! < 900, `the first 7 go at once (7th done at ${done[6]} ms)`);
    assert.ok(done[7]! >= 1000, `the 8th waits for the 1-second window (${done[7]} ms)`);
    assert.ok(done[8]! >= 2000, `the 9th waits for the 8-per-2-seconds window (${done[8]} ms)`);
    assert.ok(world.standin.requests.every((r) => r.status !== 429));
  });

  it("shares the per-tenant limit across threads", async () => {
    const { gateway } = bot(3);
    const start = Date.now();
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        gateway
          .postInThread(channel, threadRefOf(channel.channelId, TeamsMessageId(String(1760000000100 + i))), {
            kind: "notice",
            notice: { kind: "thread-start-duplicate" },
          })
          .then(() => done.push(Date.now() - start)),
      ),
    );
    done.sort((a, b) => a - b);
    assert.ok(done[2]! < 900, `3 at once (${done[2]} ms)`);
    assert.ok(done[3]! >= 1000 && done[6]! >= 2000, `then 3 per second: ${done.join(",")}`);
  });
});
