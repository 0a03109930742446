import assert from "node:assert/strict";
import { ConfigurationBotFrameworkAuthentication } from "botbuilder";
import { ClaimsIdentity } from "botframework-connector";
import { ClientCache, GuardedBotFrameworkAuthentication, ServiceUrlRefusedError } from "../../../src/teams/guarded-connector";

const APP = "00000000-0000-0000-0000-00000000b07d";
const identity = (app: string) =>
  new ClaimsIdentity(
    [
      { type: "aud", value: app },
      { type: "azp", value: app },
      { type: "appid", value: app },
    ],
    true,
  );

describe("Bot Connector clients of proactive calls are reused (guarded-connector.ts)", () => {
  // botbuilder's own authentication, with auth disabled (no identity keys): no network is needed.
  const auth = () =>
    new GuardedBotFrameworkAuthentication(new ConfigurationBotFrameworkAuthentication({}), {
      serviceUrlHosts: ["127.0.0.1:9"],
      requestTimeoutMs: 1_000,
    });

  it("one connector client per identity, serviceUrl and audience; not one per call", async () => {
    const guarded = auth();
    const first = await guarded.createConnectorFactory(identity(APP)).create("http://127.0.0.1:9/", undefined);
    const again = await guarded.createConnectorFactory(identity(APP)).create("http://127.0.0.1:9/", undefined);
    assert.equal(again, first);
    assert.notEqual(await guarded.createConnectorFactory(identity(APP)).create("http://127.0.0.1:9/emea/", undefined), first, "another serviceUrl");
    assert.notEqual(
      await guarded.createConnectorFactory(identity(APP)).create("http://127.0.0.1:9/", "https://api.botframework.com"),
      first,
      "another audience",
    );
    assert.notEqual(
      await guarded.createConnectorFactory(identity("11111111-0000-0000-0000-000000000000")).create("http://127.0.0.1:9/", undefined),
      first,
      "another identity",
    );
  });

  it("a host not on the list is still refused, every time", async () => {
    const guarded = auth();
    for (let i = 0; i < 2; i++) {
      await assert.rejects(guarded.createConnectorFactory(identity(APP)).create("http://evil.example/", undefined), ServiceUrlRefusedError);
    }
  });

  it("one user-token client per identity", async () => {
    const guarded = auth();
    assert.equal(await guarded.createUserTokenClient(identity(APP)), await guarded.createUserTokenClient(identity(APP)));
  });

  it("the cache is bounded and forgets failed creations", async () => {
    const cache = new ClientCache<number>(2);
    let made = 0;
    await cache.get("a", async () => ++made);
    await cache.get("b", async () => ++made);
    await cache.get("c", async () => ++made);
    assert.equal(cache.size, 2);
    assert.equal(await cache.get("a", async () => ++made), 4, "the oldest was dropped");
    await assert.rejects(
      cache.get("x", async () => {
        throw new Error("no");
      }),
    );
    await Promise.resolve();
    assert.equal(await cache.get("x", async () => 5), 5, "a failure is not kept");
  });
});
