import assert from "node:assert/strict";
import { toHttpHeadersLike } from "@azure/core-http-compat";
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, isRestError } from "@azure/core-rest-pipeline";
import { Application, TurnState } from "@microsoft/teams-ai";
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  TestAdapter,
  TurnContext,
  type Activity,
} from "botbuilder";
import {
  BotFrameworkAuthentication,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  TokenCredentials,
  type ConnectorClientOptions,
} from "botframework-connector";
import { Parser } from "htmlparser2";
import sinon from "sinon";
import { connectorHttpClient, type ConnectorHttpClient } from "../../../src/teams/connector-http-client";
import { sharedTokenIssuer } from "../../support/token-issuer";

/**
 * What the Teams adapter relies on in its SDKs (botbuilder 4.23, botframework-connector 4.23, teams-ai
 * 1.7, @azure/core-rest-pipeline, htmlparser2): if an upgrade removes or changes one of these, this
 * file fails before the adapter misbehaves. Each check names where the adapter uses it.
 */

const SERVICE_URL = "http://127.0.0.1:9/";
const anonymous = new ClaimsIdentity([], true);

/** A transport that answers every request with `status` and records it, without a network. */
function recordingTransport(status: number, headers: Record<string, string> = {}) {
  const seen: string[] = [];
  const client: ConnectorHttpClient = {
    async sendRequest(request) {
      seen.push(`${request.method} ${request.url}`);
      return { request, status, headers: toHttpHeadersLike(createHttpHeaders(headers)), bodyAsText: status < 300 ? '{"id":"1"}' : '{"error":{"code":"X"}}' };
    },
  };
  return { client, seen };
}

describe("the SDK surface the Teams adapter relies on", () => {
  describe("botbuilder / botframework-connector (teams-adapter.ts, guarded-connector.ts)", () => {
    it("CloudAdapter uses the BotFrameworkAuthentication given to its constructor, and exposes what the bot calls", async () => {
      const asked: string[] = [];
      class RecordingAuthentication extends ConfigurationBotFrameworkAuthentication {
        override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
          asked.push("createConnectorFactory");
          return super.createConnectorFactory(claimsIdentity);
        }
      }
      const adapter = new CloudAdapter(new RecordingAuthentication({}));
      for (const method of ["process", "continueConversationAsync", "createConversationAsync"] as const)
        assert.equal(typeof adapter[method], "function", method);
      let connector: unknown;
      await adapter.continueConversationAsync(
        "app",
        { channelId: "msteams", serviceUrl: SERVICE_URL, conversation: { id: "c", isGroup: true, conversationType: "channel", name: "" } },
        async (ctx) => {
          connector = ctx.turnState.get(adapter.ConnectorClientKey);
        },
      );
      assert.deepEqual(asked, ["createConnectorFactory"]);
      assert.ok(connector instanceof ConnectorClient, "inline-images.ts reads the turn's connector client by ConnectorClientKey");
    });

    it("botbuilder's authentication implements what GuardedBotFrameworkAuthentication delegates to", () => {
      const auth = new ConfigurationBotFrameworkAuthentication({});
      assert.ok(auth instanceof BotFrameworkAuthentication);
      for (const method of [
        "authenticateRequest",
        "authenticateStreamingRequest",
        "createConnectorFactory",
        "createUserTokenClient",
        "getOriginatingAudience",
        "authenticateChannelRequest",
      ] as const) {
        assert.equal(typeof auth[method], "function", method);
      }
      assert.ok(auth.createConnectorFactory(anonymous) instanceof ConnectorFactory);
    });

    it("ConfigurationBotFrameworkAuthentication passes the connector options' httpClient to the clients it creates", async () => {
      const { client, seen } = recordingTransport(200);
      const options: ConnectorClientOptions = { httpClient: client };
      const auth = new ConfigurationBotFrameworkAuthentication({}, new ConfigurationServiceClientCredentialFactory({}), undefined, undefined, options);
      const connector = await auth.createConnectorFactory(anonymous).create(SERVICE_URL, undefined);
      assert.ok(connector instanceof ConnectorClient);
      await connector.conversations.sendToConversation("19:x@thread.tacv2;messageid=1", { type: "message", text: "hi" } as Activity);
      assert.deepEqual(seen, ["POST http://127.0.0.1:9/v3/conversations/19%3Ax%40thread.tacv2%3Bmessageid%3D1/activities"]);
      assert.ok("credentials" in connector, "inline-images.ts signs its own request with the client's public credentials");
    });

    it("the connector client's retry policy still retries answers its transport returns (why connector-http-client.ts never returns a failure)", async () => {
      const { client, seen } = recordingTransport(429, { "retry-after": "0" });
      const connector = new ConnectorClient(new TokenCredentials("t"), { baseUri: SERVICE_URL, httpClient: client });
      await assert.rejects(connector.conversations.getConversations());
      assert.ok(seen.length > 1, `the SDK retried (${seen.length} attempts): the transport must keep failures from it`);
    });

    it("with connector-http-client.ts as the transport, the same answer is one attempt", async () => {
      let attempts = 0;
      const connector = new ConnectorClient(new TokenCredentials("t"), {
        baseUri: SERVICE_URL,
        httpClient: connectorHttpClient({
          serviceUrlHosts: ["127.0.0.1:9"],
          requestTimeoutMs: 1000,
          first: false,
          transport: {
            sendRequest: async (request) => {
              attempts++;
              return { request, status: 429, headers: createHttpHeaders({ "retry-after": "0" }) };
            },
          },
        }),
      });
      await assert.rejects(connector.conversations.getConversations(), (err: Error & { statusCode?: number }) => err.statusCode === 429 && !isRestError(err));
      assert.equal(attempts, 1);
    });

    it("@azure/core-rest-pipeline still offers the SDK's own HTTP client and request builders", () => {
      assert.equal(typeof createDefaultHttpClient().sendRequest, "function");
      const request = createPipelineRequest({
        url: SERVICE_URL,
        method: "POST",
        headers: createHttpHeaders({ a: "1" }),
        timeout: 5,
        allowInsecureConnection: true,
      });
      assert.deepEqual([request.method, request.timeout, request.allowInsecureConnection, request.headers.get("a")], ["POST", 5, true, "1"]);
    });
  });

  describe("botbuilder's console output (request-scope.ts)", () => {
    it("its token validation still writes a rejected token's error to the console (when this fails, the console filter can go)", async () => {
      const issuer = await sharedTokenIssuer();
      const auth = new ConfigurationBotFrameworkAuthentication(issuer.authConfig({ appId: "app", tenantId: "tenant" }));
      const activity = { type: "message", channelId: "msteams", serviceUrl: SERVICE_URL } as Activity;
      const token = await issuer.mint({ aud: "app", serviceUrl: SERVICE_URL, expiresIn: -600 });
      const written = sinon.stub(console, "error");
      try {
        await assert.rejects(auth.authenticateRequest(activity, `Bearer ${token}`));
      } finally {
        written.restore();
      }
      assert.ok(written.called, "botbuilder wrote to the console");
    });
  });

  describe("teams-ai Application as the router (teams-app.ts)", () => {
    type Routed = { route: string; invokeResponse?: unknown };

    /** An Application with the routes and options teams-app.ts uses, each handler recording its name. */
    function router(): { run(activity: Partial<Activity>): Promise<Routed | undefined> } {
      const app = new Application<TurnState>({
        botAppId: "app",
        startTypingTimer: false,
        removeRecipientMention: false,
        longRunningMessages: false,
        adaptiveCards: { actionSubmitFilter: "bridgeAction" },
      });
      let route = "";
      const named = (name: string) => async () => {
        route = name;
      };
      app.adaptiveCards.actionSubmit(/^/, named("submit"));
      app.adaptiveCards.actionExecute(/^/, async (_ctx, _state, data: Record<string, unknown>) => {
        route = "execute";
        return data.card === true ? { type: "AdaptiveCard", version: "1.5" } : "Done.";
      });
      app.activity(ActivityTypes.Message, named("message"));
      app.messageReactions("reactionsAdded", named("reactionsAdded"));
      app.messageReactions("reactionsRemoved", named("reactionsRemoved"));
      app.messageEventUpdate("editMessage", named("editMessage"));
      app.messageEventUpdate("softDeleteMessage", named("softDeleteMessage"));
      assert.equal(typeof app.startTypingTimer, "function", "teams-app.ts overrides it to send no typing activities");
      return {
        async run(activity) {
          route = "";
          const ctx = new TurnContext(new TestAdapter(), {
            channelId: "msteams",
            conversation: { id: "c" },
            from: { id: "u" },
            recipient: { id: "b" },
            ...activity,
          } as Activity);
          const sent: Partial<Activity>[] = [];
          ctx.onSendActivities(async (_ctx, activities, next) => {
            sent.push(...activities);
            return next();
          });
          if (!(await app.run(ctx))) return undefined;
          const invokeResponse = sent.find((a) => a.type === ActivityTypes.InvokeResponse)?.value;
          return invokeResponse === undefined ? { route } : { route, invokeResponse };
        },
      };
    }

    it("actionSubmit takes a message without text whose value carries the filter field; other messages are messages", async () => {
      const app = router();
      assert.deepEqual(await app.run({ type: "message", value: { bridgeAction: "template.preview" } }), { route: "submit" });
      assert.deepEqual(await app.run({ type: "message", value: { other: 1 } }), { route: "message" });
      assert.deepEqual(await app.run({ type: "message", text: "hi", value: { bridgeAction: "x" } }), { route: "message" });
      assert.deepEqual(await app.run({ type: "message", text: "hi" }), { route: "message" });
      await assert.rejects(app.run({ type: "message", value: null }), TypeError, "a null value still throws: teams-app.ts drops it before routing");
    });

    it("actionExecute takes an Action.Execute invoke with a verb and answers what its handler returns", async () => {
      const app = router();
      const invoke = (data: Record<string, unknown>) => ({
        type: "invoke",
        name: "adaptiveCard/action",
        value: { action: { type: "Action.Execute", verb: "template.send", data } },
      });
      assert.deepEqual(await app.run(invoke({})), {
        route: "execute",
        invokeResponse: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: "Done." } },
      });
      assert.deepEqual(await app.run(invoke({ card: true })), {
        route: "execute",
        invokeResponse: {
          status: 200,
          body: { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: { type: "AdaptiveCard", version: "1.5" } },
        },
      });
      assert.equal(await app.run({ type: "invoke", name: "adaptiveCard/action", value: { action: { type: "Action.Submit", data: {} } } }), undefined);
    });

    it("messageReactions and messageEventUpdate route the Teams events the bridge handles, and no others", async () => {
      const app = router();
      assert.deepEqual(await app.run({ type: "messageReaction", reactionsAdded: [{ type: "like" }], reactionsRemoved: [{ type: "heart" }] }), {
        route: "reactionsAdded",
      });
      assert.deepEqual(await app.run({ type: "messageReaction", reactionsRemoved: [{ type: "like" }] }), { route: "reactionsRemoved" });
      assert.equal(await app.run({ type: "messageReaction", reactionsAdded: [] }), undefined);
      assert.deepEqual(await app.run({ type: "messageUpdate", channelData: { eventType: "editMessage" } }), { route: "editMessage" });
      assert.deepEqual(await app.run({ type: "messageDelete", channelData: { eventType: "softDeleteMessage" } }), { route: "softDeleteMessage" });
      assert.equal(await app.run({ type: "messageUpdate", channelData: { eventType: "undeleteMessage" } }), undefined);
    });
  });

  describe("teams-ai's typing timer (NoTypingApplication in teams-app.ts)", () => {
    it("still ignores `startTypingTimer: false` (when this fails, the option works and the subclass can go)", async () => {
      const clock = sinon.useFakeTimers();
      try {
        const app = new Application<TurnState>({ startTypingTimer: false, removeRecipientMention: false });
        let finish: () => void = () => undefined;
        app.activity(
          ActivityTypes.Message,
          () =>
            new Promise<void>((resolve) => {
              finish = resolve;
            }),
        );
        const ctx = new TurnContext(new TestAdapter(), {
          type: "message",
          text: "hi",
          channelId: "msteams",
          conversation: { id: "c" },
          from: { id: "u" },
          recipient: { id: "b" },
        } as Activity);
        const sent: string[] = [];
        ctx.onSendActivities(async (_ctx, activities, next) => {
          sent.push(...activities.map((a) => a.type ?? ""));
          return next();
        });
        const turn = app.run(ctx);
        await clock.tickAsync(1_100);
        finish();
        await turn;
        assert.deepEqual(sent, [ActivityTypes.Typing]);
      } finally {
        clock.restore();
      }
    });
  });

  describe("htmlparser2 (html/teams-html-parser.ts)", () => {
    it("reports tags and decoded text, and where input not yet reported starts (an unfinished tag at the end)", () => {
      const events: string[] = [];
      let tagStart: number | undefined;
      const parser = new Parser(
        {
          onopentagname: () => {
            tagStart = parser.startIndex;
          },
          onopentag: (name, attrs) => {
            tagStart = undefined;
            events.push(`<${name} ${JSON.stringify(attrs)}>`);
          },
          ontext: (text) => events.push(text),
          onclosetag: (name, isImplied) => events.push(`</${name}${isImplied ? " implied" : ""}>`),
        },
        { decodeEntities: true },
      );
      const html = `<P Class="x&amp;y">a&hellip;</p>b <a href="z`;
      parser.write(html);
      assert.deepEqual(events, [`<p {"class":"x&y"}>`, "a", "…", "</p>", "b "]);
      assert.equal(tagStart, html.indexOf("<a"), "inside onopentagname, startIndex is the tag's start");
      parser.end();
      assert.deepEqual(events.slice(5), ["</a implied>"], "at the end the unfinished tag is dropped, only closed");

      const unfinished = new Parser({}, { decodeEntities: true });
      unfinished.write("b <di");
      assert.equal(unfinished.startIndex, 2, "after write, startIndex is where the unreported input starts");
    });
  });
});
