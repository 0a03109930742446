import assert from "node:assert/strict";
import { startAppInsightsStandin, CERTIFICATE_PATH, type AppInsightsStandin, type Envelope } from "../../../tools/app-insights-standin";
import { startBotConnectorStandin, type BotConnectorStandin } from "../../../tools/bot-connector-standin";
import { startMetaGraphStandin } from "../../../tools/meta-graph-standin";
import type { MetaGraphStandin } from "../../../tools/meta-graph-standin/standin-types";
import { EXAMPLE_BUSINESS, textMessage, webhookEnvelope } from "../../../tools/sign-webhook";
import { channelActivity, startBridgeProcess, type BridgeProcess } from "./bridge-process";

const APP_SECRET = "telemetry-app-secret-4f9d";
const VERIFY_TOKEN = "telemetry-verify-token-77c1";
const ACCESS_TOKEN = "telemetry-graph-token-0b3e";
const ADMIN = "a0a0a0a0-0000-4000-8000-0000000000ad";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CHANNEL = "19:whatsapp-support@thread.tacv2";
const CUSTOMER = { phone: "447700900461", name: "Olivia Hartley" };
const CUSTOMER_TEXT = "Please move my pension into the Ridgeway fund";
const WAMID = "wamid.HBgMNDQ3NzAwOTAwNDYxFQIAEhggQjU5RTY0QjMyQTQ2NEE1OTk0RkY2NEVFQUE1NjI5RkYA";
const REPLY_TEXT = "Thank you Olivia, the Ridgeway switch is booked";

/** Every metric envelope's (name, properties, value), flattened. */
function metricsOf(envelopes: readonly Envelope[]) {
  return envelopes
    .filter((e) => e.data?.baseType === "MetricData")
    .flatMap((e) => (e.data!.baseData!.metrics ?? []).map((m) => ({ name: m.name, value: m.value, properties: e.data!.baseData!.properties ?? {} })));
}
const hasMetric = (envelopes: readonly Envelope[], name: string, properties: Record<string, string> = {}) =>
  metricsOf(envelopes).some((m) => m.name === name && Object.entries(properties).every(([k, v]) => m.properties[k] === v));
const spansOf = (envelopes: readonly Envelope[], baseType: "RequestData" | "RemoteDependencyData") =>
  envelopes.filter((e) => e.data?.baseType === baseType).map((e) => e.data!.baseData!);

describe("telemetry to Application Insights (the real entry point, a local ingestion endpoint)", function () {
  this.timeout(120_000);
  let insights: AppInsightsStandin;
  let graph: MetaGraphStandin;
  let connector: BotConnectorStandin;
  let bridge: BridgeProcess;

  before(async () => {
    [insights, graph, connector] = await Promise.all([
      startAppInsightsStandin(),
      startMetaGraphStandin({ accessToken: ACCESS_TOKEN }),
      startBotConnectorStandin({}),
    ]);
    // The linked channel's team, with the admin who links it and replies in its roster (only members send).
    connector.roster.addTeam({
      id: "19:general@thread.tacv2",
      name: "Support",
      aadGroupId: "0f0e0d0c-0000-4000-8000-00000000c0de",
      channels: [{ id: CHANNEL, name: "WhatsApp", type: "standard" }],
    });
    connector.roster.addMember("19:general@thread.tacv2", { id: `29:${ADMIN}`, aadObjectId: ADMIN, name: "Sam Staff", tenantId: TENANT, userRole: "user" });
    bridge = await startBridgeProcess({
      BOT_AUTH_DISABLED: "true",
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_GRAPH_URL: graph.url,
      TEAMS_SERVICE_URL_HOSTS: connector.host,
      BRIDGE_ADMINS: ADMIN,
      LOG_LEVEL: "info",
      APPLICATIONINSIGHTS_CONNECTION_STRING: insights.connectionString,
      // The stand-in serves TLS (the exporter turns http:// into https://) with a test certificate.
      NODE_EXTRA_CA_CERTS: CERTIFICATE_PATH,
      // The SDK's own settings: export every second, not every minute; no statistics to Microsoft's endpoint.
      OTEL_METRIC_EXPORT_INTERVAL: "1000",
      OTEL_BSP_SCHEDULE_DELAY: "200",
      APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
    });
  });

  after(async () => {
    if (bridge && bridge.child.exitCode === null) await bridge.stop();
    await Promise.all([insights?.close(), graph?.close(), connector?.close()]);
  });

  it("carries a customer message in, a staff reply out, a retried send and a refused one", async () => {
    const link = channelActivity({
      text: `link ${EXAMPLE_BUSINESS.phoneNumberId}`,
      from: ADMIN,
      serviceUrl: connector.serviceUrl,
      channelId: CHANNEL,
      tenantId: TENANT,
      mentionBot: true,
    });
    assert.equal(await bridge.postActivity(link), 200);
    await connector.waitFor((s) => s.posts.length >= 1, 15_000);

    const timestamp = Math.floor(Date.now() / 1000) - 60;
    assert.equal(await bridge.postWebhook(webhookEnvelope(textMessage({ from: CUSTOMER, text: CUSTOMER_TEXT, id: WAMID, timestamp })), APP_SECRET), 200);
    await connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 20_000);
    const thread = connector.created[0]!.conversationId;
    await bridge.waitForLog("whatsapp.message.posted");

    // Meta's throughput limit once (retried by the pacer), then accepted.
    graph.failNext({ httpStatus: 400, error: { message: "(#130429) Rate limit hit", type: "OAuthException", code: 130429, fbtrace_id: "Atel1" } });
    assert.equal(
      await bridge.postActivity(
        channelActivity({ text: REPLY_TEXT, from: ADMIN, serviceUrl: connector.serviceUrl, channelId: CHANNEL, tenantId: TENANT, thread }),
      ),
      200,
    );
    await graph.waitForSends(2, 20_000);
    assert.ok(
      graph.sent.some((s) => s.status === 200 && JSON.stringify(s.body).includes(REPLY_TEXT)),
      "the reply was sent after the retry",
    );

    // Refused for good: the 24-hour window is closed.
    const posts = connector.posts.length;
    graph.failNext({ httpStatus: 400, error: { message: "(#131047) Re-engagement message", type: "OAuthException", code: 131047, fbtrace_id: "Atel2" } });
    assert.equal(
      await bridge.postActivity(
        channelActivity({ text: "Are you still there?", from: ADMIN, serviceUrl: connector.serviceUrl, channelId: CHANNEL, tenantId: TENANT, thread }),
      ),
      200,
    );
    await connector.waitFor((s) => s.posts.length > posts, 20_000);
  });

  it("sends the bridge's metrics: messages in and out, retries, failures by code, rate limits, call latency and the backlog gauges", async () => {
    const expected: Array<[string, Record<string, string>]> = [
      ["bridge.messages.inbound", { "message.kind": "text" }],
      ["bridge.messages.outbound", { "message.kind": "text" }],
      ["bridge.retries", { "retry.policy": "whatsapp-send" }],
      ["bridge.whatsapp.failures", { "whatsapp.error.code": "131047", "whatsapp.failure.kind": "window-closed", "whatsapp.failure.stage": "send" }],
      ["bridge.whatsapp.failures", { "whatsapp.error.code": "130429", "whatsapp.failure.kind": "throughput" }],
      ["bridge.calls.throttled", { "call.side": "meta", "call.operation": "sendText" }],
      ["bridge.meta.call.duration", { "call.operation": "sendText", "call.status": "ok" }],
      ["bridge.meta.call.duration", { "call.operation": "sendText", "call.status": "window-closed" }],
      ["bridge.teams.call.duration", { "call.operation": "startThread", "call.status": "ok" }],
      ["bridge.teams.call.duration", { "call.operation": "postInThread", "call.status": "ok" }],
      ["bridge.inbox.depth", {}],
      ["bridge.inbox.oldest_age", {}],
      ["bridge.inbox.failed", {}],
      ["bridge.links.suspended", {}],
    ];
    await insights
      .waitFor((all) => expected.every(([name, props]) => hasMetric(all, name, props)), 30_000)
      .catch((err: Error) =>
        assert.fail(
          `${err.message}; missing: ${expected
            .filter(([n, p]) => !hasMetric(insights.envelopes, n, p))
            .map(([n, p]) => `${n} ${JSON.stringify(p)}`)
            .join(", ")}`,
        ),
      );
    const inbound = metricsOf(insights.envelopes)
      .filter((m) => m.name === "bridge.messages.inbound")
      .reduce((sum, m) => sum + m.value, 0);
    assert.equal(inbound, 1, "one customer message in");
    assert.ok(insights.envelopes.every((e) => e.iKey === insights.instrumentationKey));
    assert.ok(
      insights.envelopes.some((e) => e.tags?.["ai.cloud.role"] === "whatsapp-teams-bridge"),
      "the service name is the role",
    );
  });

  it("sends a span per webhook delivery and per Teams turn, with the Teams and Meta calls and outbound HTTP below them", async () => {
    await insights
      .waitFor((all) => spansOf(all, "RemoteDependencyData").some((d) => d.name === "meta.sendText"), 20_000)
      .catch((err: Error) =>
        assert.fail(
          `${err.message}; received: ${[...new Set(insights.envelopes.map((e) => `${e.data?.baseType} ${e.data?.baseData?.name ?? ""}`))].join(", ")}`,
        ),
      );
    const requests = spansOf(insights.envelopes, "RequestData");
    const dependencies = spansOf(insights.envelopes, "RemoteDependencyData");
    const names = new Set(dependencies.map((d) => d.name));
    for (const name of ["whatsapp.webhook.delivery", "teams.turn", "teams.startThread", "teams.postInThread", "meta.sendText"])
      assert.ok(names.has(name), `${name} in ${[...names].join(", ")}`);
    assert.ok(
      requests.some((r) => r.url?.endsWith("/api/whatsapp/webhook")),
      requests.map((r) => r.url).join(", "),
    );
    assert.ok(requests.some((r) => r.url?.endsWith("/api/messages")));
    assert.ok(!requests.some((r) => /readyz|healthz/.test(r.url ?? "")), "health probes are not traced");
    // The Bot Connector calls, as HTTP dependencies: the host and the API's words, the ids masked.
    const connectorCalls = dependencies.filter((d) => d.data?.includes(connector.host));
    assert.ok(connectorCalls.length > 0, dependencies.map((d) => `${d.name} ${d.data ?? ""}`).join("\n"));
    // Posts, and the roster reads of the staff gate (team details, members): every id masked.
    for (const call of connectorCalls)
      assert.match(
        call.data!,
        /^http:\/\/127\.0\.0\.1:\d+\/v3\/(conversations(\/:id(\/activities(\/:id)?|\/pagedmembers|\/members(\/:id)?)?)?|teams\/:id(\/conversations)?)$/,
      );
    assert.ok(
      dependencies.some((d) => d.name === "meta.sendText" && d.success === false),
      "the refused send is a failed dependency",
    );
  });

  it("sends the bridge's log lines as traces, scrubbed as on stdout and tied to the operation they happened in", async () => {
    const logsOf = (all: readonly Envelope[]) => all.filter((e) => e.data?.baseType === "MessageData");
    await insights.waitFor(
      (all) => ["whatsapp.message.posted", "teams.reply.sent", "outbox.send_failed"].every((m) => logsOf(all).some((e) => e.data!.baseData!.message === m)),
      20_000,
    );
    const posted = logsOf(insights.envelopes).find((e) => e.data!.baseData!.message === "whatsapp.message.posted")!;
    assert.equal(posted.data!.baseData!.severityLevel, "Information");
    assert.equal(posted.data!.baseData!.properties?.["event"], "whatsapp.message.posted");
    assert.ok(posted.tags?.["ai.operation.id"], "in the trace of the webhook delivery it came from");
    const refused = logsOf(insights.envelopes).find((e) => e.data!.baseData!.message === "outbox.send_failed")!;
    assert.equal(refused.data!.baseData!.severityLevel, "Warning");
    assert.match(refused.data!.baseData!.properties?.["contact"] ?? "", /^\*+\d{4}\|\*+0461$/, "the contact masked as on stdout");
    assert.ok(!logsOf(insights.envelopes).some((e) => e.data!.baseData!.message!.startsWith("telemetry.")), "the telemetry's own lines stay on stdout");
  });

  it("sends nothing personal or secret: no phone number, no message text, no full wamid, no token", async () => {
    const stopped = await bridge.stop();
    assert.equal(stopped, 0, bridge.stderr());
    const bodies = insights.requests.map((r) => r.body).join("\n");
    assert.ok(bodies.length > 1000 && insights.requests.length >= 3, `${insights.requests.length} requests`);
    for (const secret of [
      CUSTOMER.phone,
      CUSTOMER.phone.slice(-9),
      CUSTOMER.name,
      "Olivia",
      "Ridgeway",
      CUSTOMER_TEXT,
      REPLY_TEXT,
      WAMID,
      WAMID.slice(5, 40),
      APP_SECRET,
      VERIFY_TOKEN,
      ACCESS_TOKEN,
    ]) {
      assert.ok(!bodies.includes(secret), `"${secret}" was sent to Application Insights`);
    }
    assert.ok(
      insights.requests.every((r) => r.path === "/v2.1/track"),
      insights.requests.map((r) => r.path).join(", "),
    );
  });

  it("keeps stdout to JSON lines: the SDK's diagnostics go through the bridge's logger", () => {
    const lines = bridge.stdout().split("\n").filter(Boolean);
    assert.ok(
      lines.some((l) => l.includes('"event":"telemetry.started"')),
      "the start is logged",
    );
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  });
});
