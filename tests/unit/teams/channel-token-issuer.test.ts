import assert from "node:assert/strict";
import { CaptureLogger } from "../../support/capture-logger";
import { channelTokenIssuer, unverifiedIssuer } from "../../../src/teams/channel-token-issuer";
import { createMessagesRoute, type ActivityProcessor } from "../../../src/teams/messages-route";

/** Only the Bot Framework channel service's tokens reach botbuilder (docs/security.md, "Adversarial cases"). */

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const bearer = (claims: object) => `Bearer ${part({ alg: "RS256", kid: "k" })}.${part(claims)}.c2lnbmF0dXJl`;
const EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/";

describe("the channel service's token issuer", () => {
  it("is botbuilder's override when set, else the US Government cloud's or the public cloud's", () => {
    assert.equal(channelTokenIssuer({ ToBotFromChannelTokenIssuer: "http://127.0.0.1:1/issuer" }), "http://127.0.0.1:1/issuer");
    assert.equal(channelTokenIssuer({ ChannelService: "https://botframework.azure.us" }), "https://api.botframework.us");
    assert.equal(channelTokenIssuer({}), "https://api.botframework.com");
  });

  it("reads iss from a bearer JWT without verifying, and nothing from anything else", () => {
    assert.equal(unverifiedIssuer(bearer({ iss: EMULATOR_ISSUER, aud: "x" })), EMULATOR_ISSUER);
    for (const header of [
      "Bearer abc",
      "Basic dXNlcjpwYXNz",
      `Bearer a.${Buffer.from("not json").toString("base64url")}.c`,
      bearer({ iss: 42 }),
      `${bearer({ iss: "x" })} extra`,
    ]) {
      assert.equal(unverifiedIssuer(header), undefined, header);
    }
  });

  it("the messages route refuses an Emulator token with 401 before botbuilder runs, and passes the channel's", async () => {
    const calls: string[] = [];
    const adapter: ActivityProcessor = {
      process: async (req, res) => {
        calls.push(String(req.headers?.authorization));
        res.status(200);
        res.end();
      },
    };
    const logger = new CaptureLogger();
    const route = createMessagesRoute({ adapter, logic: async () => {}, logger, requireAuthorization: true, channelIssuer: "https://api.botframework.com" });
    const request = (authorization: string) => ({
      method: "POST",
      path: "/api/messages",
      query: {},
      params: {},
      headers: { authorization },
      rawBody: Buffer.from(JSON.stringify({ type: "message" })),
    });
    const refused = await route.handle(request(bearer({ iss: EMULATOR_ISSUER, appid: "bot" })));
    assert.equal(refused.status, 401);
    assert.deepEqual(calls, [], "botbuilder never saw the Emulator token");
    assert.equal(logger.lines.find((l) => l.event === "teams.auth.rejected")?.fields.reason, "token not issued by the Bot Framework channel service");
    const channel = bearer({ iss: "https://api.botframework.com" });
    assert.equal((await route.handle(request(channel))).status, 200);
    assert.deepEqual(calls, [channel]);
  });
});
