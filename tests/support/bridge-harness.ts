import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config } from "../../src/config";
import type { Clock } from "../../src/core/ports/clock";
import { startBridge, type ComposeOverrides, type RunningBridge } from "../../src/compose";
import type { Logger } from "../../src/core/ports/logger";
import { createLogger } from "../../src/observability/logger";
import { startBotConnectorStandin } from "../../tools/bot-connector-standin";
import type { BotConnectorStandin } from "../../tools/bot-connector-standin";
import { startMetaGraphStandin } from "../../tools/meta-graph-standin";
import type { MetaGraphStandin } from "../../tools/meta-graph-standin/standin-types";
import { EXAMPLE_BUSINESS, signedWebhook, webhookEnvelope, type WebhookChangeSpec } from "../../tools/sign-webhook";
import { getAzurite, uniqueTablePrefix } from "./azurite";
import { CaptureLogger } from "./capture-logger";
import { sharedTokenIssuer, type TokenIssuer } from "./token-issuer";

export const APP_ID = "5e8a1c7d-4f10-4a51-9c3e-0b1f2a3c4d5e";
export const TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const ADMIN_AAD = "a0a0a0a0-0000-4000-8000-0000000000ad";
export const STAFF_AAD = "5a5a5a5a-0000-4000-8000-000000000057";
export const CHANNEL_ID = "19:whatsapp-support@thread.tacv2";
export const TEAM_ID = "19:general@thread.tacv2";
/** The team's Microsoft 365 group: Teams gives it to `link` (activities do not always carry it). */
export const TEAM_GROUP_ID = "6b2f4d8a-1c3e-4f5a-8b7c-9d0e1f2a3b41";
// With bot auth on, the bridge refuses webhook secrets shorter than 16 characters (config-guards.ts).
export const APP_SECRET = "e2e-app-secret-4f1c9a";
export const VERIFY_TOKEN = "e2e-verify-token-7b2d";
export const ACCESS_TOKEN = "e2e-graph-token";

/**
 * The whole bridge over real HTTP, with everything around it real or a protocol-faithful stand-in:
 * Azurite (Table Storage), the Meta Graph API stand-in (Meta), the Bot Connector stand-in (Teams), and a
 * local OpenID issuer whose tokens botbuilder validates with its own code (inbound) and which hands out
 * the bot's outbound tokens through the managed-identity endpoint.
 */
export interface Harness {
  readonly bridge: RunningBridge;
  readonly metaGraph: MetaGraphStandin;
  readonly connector: BotConnectorStandin;
  readonly issuer: TokenIssuer;
  readonly logger: CaptureLogger;
  /** Everything the bridge logged, as the production logger writes it (JSON lines, scrubbed), at debug level. */
  logText(): string;
  readonly config: Config;
  /** The blob container of this harness's journal (in Azurite, `config`'s storage). */
  readonly journalContainer: string;
  /** POSTs a signed (unless `signature` is given) webhook; returns the status. */
  postWebhook(body: object | Buffer, options?: { signature?: string }): Promise<number>;
  /** POSTs an activity to /api/messages with a valid token (unless `token` is given; `null` sends none). */
  sendActivity(activity: Record<string, unknown>, options?: { token?: string | null }): Promise<{ status: number; body: string }>;
  /** A message activity in the linked channel: a new post (thread root) unless `thread` is given. */
  channelMessage(text: string, options?: ChannelMessageOptions): Record<string, unknown>;
  /** A signed webhook body with these changes (see tools/sign-webhook.ts). */
  envelope(...changes: WebhookChangeSpec[]): object;
  /** Stops the bridge and starts a new one on the same storage (tables, journal, lease): a restart. `bridge` then is the new one. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

let nextActivityId = 1_770_000_000_000;

export interface ChannelMessageOptions {
  readonly thread?: string;
  readonly from?: string;
  readonly mentionBot?: boolean;
  readonly tenantId?: string;
  /** Others @mentioned after the bot (people by Entra id, tags with `type: "tag"`), each written `<at>name</at>` before the text. */
  readonly mentions?: ReadonlyArray<{ readonly id: string; readonly name: string; readonly type?: string }>;
  /** Text written before those mentions (e.g. a prefix). */
  readonly lead?: string;
  /** Another channel of the team (default the linked one, CHANNEL_ID); its type as `channelData.channel.type` says it. */
  readonly channel?: { readonly id: string; readonly name: string; readonly type?: string };
  /** The sender's display name (default "Ada Admin" for the admin, else "Sam Staff"). */
  readonly name?: string;
}

/** Forwards every line to both loggers. */
function teeLogger(a: Logger, b: Logger): Logger {
  return {
    debug: (event, fields) => {
      a.debug(event, fields);
      b.debug(event, fields);
    },
    info: (event, fields) => {
      a.info(event, fields);
      b.info(event, fields);
    },
    warn: (event, fields) => {
      a.warn(event, fields);
      b.warn(event, fields);
    },
    error: (event, fields) => {
      a.error(event, fields);
      b.error(event, fields);
    },
  };
}

/**
 * `env`: extra environment variables for the bridge (e.g. WHATSAPP_BUSINESS_ACCOUNT_ID, pacing).
 * `compose`: extra seams of `startBridge` (e.g. the outbound Bot Connector credentials).
 * `tablePrefix`: the bridge's table names (default: a fresh unique one), for a test that also opens them itself.
 * `clock`: the bridge's clock (journal days included); `complianceEveryMs`: how often the leader looks for
 * a compliance post that is due.
 */
export async function startHarness(
  options: {
    replyMode?: "all" | "mention";
    authDisabled?: boolean;
    env?: Record<string, string>;
    linkProbeClock?: Clock;
    clock?: Clock;
    complianceEveryMs?: number;
    compose?: Pick<ComposeOverrides, "teamsCredentialsFactory" | "mediaCredential">;
    tablePrefix?: string;
  } = {},
): Promise<Harness> {
  const [azurite, issuer, graph] = await Promise.all([getAzurite(), sharedTokenIssuer(), startMetaGraphStandin({ accessToken: ACCESS_TOKEN })]);
  const authDisabled = options.authDisabled ?? false;
  const connector = await startBotConnectorStandin(authDisabled ? {} : { authorize: (header) => issuer.isConnectorToken(header) });
  // The team of the linked channel, as Teams describes it, with the admin and a staff member in its roster.
  connector.roster.addTeam({ id: TEAM_ID, name: "Support", aadGroupId: TEAM_GROUP_ID, channels: [{ id: CHANNEL_ID, name: "WhatsApp", type: "standard" }] });
  for (const [aadObjectId, name] of [
    [ADMIN_AAD, "Ada Admin"],
    [STAFF_AAD, "Sam Staff"],
  ] as const) {
    connector.roster.addMember(TEAM_ID, { id: `29:${aadObjectId}`, aadObjectId, name, tenantId: TENANT_ID, userRole: "user" });
  }
  const env: Record<string, string> = {
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_GRAPH_URL: graph.url,
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    BRIDGE_ADMINS: ADMIN_AAD,
    ALLOWED_TENANT_IDS: TENANT_ID,
    REPLY_MODE: options.replyMode ?? "all",
    TEAMS_SERVICE_URL_HOSTS: connector.host,
    // The thread check after a crash reads replies through Graph: the stand-in serves them (a test of the
    // SharePoint media store points MS_GRAPH_URL elsewhere through `env`).
    MS_GRAPH_URL: connector.msGraphUrl,
    // Customers' media are downloaded from the Graph stand-in and kept in a fresh folder per harness.
    WHATSAPP_MEDIA_HOSTS: new URL(graph.url).host,
    MEDIA_LOCAL_DIR: mkdtempSync(join(tmpdir(), "bridge-media-")),
    LOG_LEVEL: "debug",
    ...(authDisabled ? { BOT_AUTH_DISABLED: "true" } : issuer.authConfig({ appId: APP_ID, tenantId: TENANT_ID })),
    ...options.env,
  };
  const loaded = loadConfig(env);
  const config: Config = { ...loaded, http: { host: "127.0.0.1", port: 0 } };
  const logger = new CaptureLogger();
  // The lines as production writes them (pino, through the scrubber), for checks on what reaches the log.
  const written: string[] = [];
  const productionLogger = createLogger({
    level: "debug",
    destination: {
      write: (line: string) => {
        written.push(line);
      },
    },
  });
  const tablePrefix = options.tablePrefix ?? uniqueTablePrefix("e2e");
  const overrides: ComposeOverrides = {
    ...options.compose,
    logger: teeLogger(logger, productionLogger),
    tablePrefix,
    ...(options.linkProbeClock ? { linkProbeClock: options.linkProbeClock } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.complianceEveryMs ? { complianceEveryMs: options.complianceEveryMs } : {}),
  };
  let bridge = await startBridge(config, overrides);
  const botId = `28:${APP_ID}`;

  const channelMessage: Harness["channelMessage"] = (text, o = {}) => {
    const id = String(nextActivityId++);
    const mention = o.mentionBot ?? false;
    const at = "<at>WhatsApp Bridge</at>";
    const others = o.mentions ?? [];
    const lead = o.lead ?? "";
    const othersText = lead + others.map((m) => `<at>${m.name}</at> `).join("");
    const othersHtml = lead + others.map((m, i) => `<at id="${i + (mention ? 1 : 0)}">${m.name}</at> `).join("");
    return {
      type: "message",
      id,
      timestamp: new Date().toISOString(),
      channelId: "msteams",
      serviceUrl: connector.serviceUrl,
      from: { id: `29:${o.from ?? STAFF_AAD}`, name: o.name ?? (o.from === ADMIN_AAD ? "Ada Admin" : "Sam Staff"), aadObjectId: o.from ?? STAFF_AAD },
      conversation: {
        id: o.thread ?? `${o.channel?.id ?? CHANNEL_ID};messageid=${id}`,
        conversationType: "channel",
        isGroup: true,
        tenantId: o.tenantId ?? TENANT_ID,
      },
      recipient: { id: botId, name: "WhatsApp Bridge" },
      text: `${mention ? `${at} ` : ""}${othersText}${text}`,
      textFormat: "plain",
      attachments: [
        {
          contentType: "text/html",
          content: `<p>${mention ? `<at id="0">WhatsApp Bridge</at> ` : ""}${othersHtml}${text.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</p>`,
        },
      ],
      entities: [
        ...(mention ? [{ type: "mention", mentioned: { id: botId, name: "WhatsApp Bridge" }, text: at }] : []),
        ...others.map((m) => ({ type: "mention", mentioned: { id: m.id, name: m.name, ...(m.type ? { type: m.type } : {}) }, text: `<at>${m.name}</at>` })),
      ],
      channelData: {
        tenant: { id: o.tenantId ?? TENANT_ID },
        team: { id: TEAM_ID, name: "Support" },
        channel: o.channel ? { ...o.channel } : { id: CHANNEL_ID, name: "WhatsApp" },
      },
      ...(o.thread ? { replyToId: o.thread.split(";messageid=")[1] } : {}),
    };
  };

  return {
    get bridge() {
      return bridge;
    },
    metaGraph: graph,
    connector,
    issuer,
    logger,
    config,
    // As compose.ts names it for a table prefix.
    journalContainer: `${tablePrefix.toLowerCase()}-journal`,
    logText: () => written.join(""),
    async postWebhook(body, o = {}) {
      const signed = signedWebhook(body, APP_SECRET);
      const headers = { ...signed.headers, ...(o.signature !== undefined ? { "x-hub-signature-256": o.signature } : {}) };
      const res = await fetch(`${bridge.url}/api/whatsapp/webhook`, { method: "POST", headers, body: new Uint8Array(signed.body) });
      await res.arrayBuffer();
      return res.status;
    },
    async sendActivity(activity, o = {}) {
      let token = o.token;
      if (token === undefined && !authDisabled) token = await issuer.mint({ aud: APP_ID, serviceUrl: String(activity.serviceUrl) });
      const res = await fetch(`${bridge.url}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(activity),
      });
      return { status: res.status, body: await res.text() };
    },
    channelMessage,
    envelope: (...changes) => webhookEnvelope(...changes),
    async restart() {
      await bridge.stop();
      bridge = await startBridge(config, overrides);
    },
    async stop() {
      await bridge.stop();
      await Promise.all([graph.close(), connector.close()]);
    },
  };
}

export { EXAMPLE_BUSINESS, randomUUID };
