import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AadObjectId, BusinessNumberId, TeamsChannelId, TeamsGroupId, TenantId } from "../../../src/core/ids";
import { findFreePort } from "../../../src/storage/azurite/free-port";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { startBotConnectorStandin, type BotConnectorStandin, type BotConnectorStandinOptions } from "../../../tools/bot-connector-standin";
import { startMetaGraphStandin, type MetaGraphStandin } from "../../../tools/meta-graph-standin";
import type { WebhookBusiness } from "../../../tools/sign-webhook";
import { startTokenIssuer, type TokenIssuer } from "../../support/token-issuer";
import { BridgeProcess, sleep } from "./bridge-process";
import { ChaosAzurite } from "./chaos-azurite";
import { MetaSender } from "./meta-sender";
import { tally, type Tally } from "./tally";
import { byContact, chaosBusinesses, chaosChannelOf, type ChaosMessage } from "./workload";

export const CHAOS_SECRET = "chaos-app-secret";
const ACCESS_TOKEN = "chaos-graph-token";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/** The team every chaos channel is in (its group id), and the bot's identity that reads it through Graph. */
const TEAM_GROUP = "c4a05e1d-7b2f-4e3a-9d61-0b8f2e9a7c35";
const BOT_APP_ID = "5e8a1c7d-4f10-4a51-9c3e-0b1f2a3c4d5e";

/** A Graph token: what the bot's managed identity hands out for Microsoft Graph (read without verifying). */
function isGraphToken(header: string | undefined): boolean {
  const payload = (header ?? "").replace(/^Bearer /, "").split(".")[1] ?? "";
  try {
    return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { aud?: unknown }).aud === "https://graph.microsoft.com";
  } catch (err) {
    if (err instanceof SyntaxError) return false;
    throw err;
  }
}

export interface ChaosWorldOptions {
  /** Business numbers (each linked to a channel of its own). */
  readonly businesses: number;
  /** The Bot Connector stand-in's Teams limits and random faults. */
  readonly connector?: Pick<BotConnectorStandinOptions, "limits" | "faults">;
  /** Extra environment for the bridge processes. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags for the bridge processes. */
  readonly execArgv?: readonly string[];
  /** Webhook deliveries in flight at once; default 50. */
  readonly concurrency?: number;
  /** Azurite in memory rather than on disk (no outages then: its data does not survive a stop). */
  readonly azuriteInMemory?: boolean;
}

/**
 * One chaos scenario's world, everything real: its own Azurite (on disk, so it can be stopped and
 * started), the Graph API and Bot Connector stand-ins, the channels linked in storage, the bridge as a
 * child process on a fixed port, and a Meta-like sender that redelivers anything not answered 200.
 */
export class ChaosWorld {
  readonly businesses: WebhookBusiness[];
  private readonly extraBridges: BridgeProcess[] = [];

  private constructor(
    readonly azurite: ChaosAzurite,
    readonly graph: MetaGraphStandin,
    readonly connector: BotConnectorStandin,
    readonly bridge: BridgeProcess,
    readonly sender: MetaSender,
    readonly logDir: string,
    private readonly issuer: TokenIssuer,
    private readonly bridgeEnv: Readonly<Record<string, string>>,
    businesses: WebhookBusiness[],
  ) {
    this.businesses = businesses;
  }

  static async start(options: ChaosWorldOptions): Promise<ChaosWorld> {
    const azurite = new ChaosAzurite({ inMemory: options.azuriteInMemory ?? false });
    await azurite.start();
    const [graph, connector, port, issuer] = await Promise.all([
      startMetaGraphStandin({ accessToken: ACCESS_TOKEN }),
      startBotConnectorStandin({ ...options.connector, graph: { authorize: isGraphToken } }),
      findFreePort("127.0.0.1"),
      startTokenIssuer(),
    ]);
    const businesses = chaosBusinesses(options.businesses);
    // After a crash the bridge reads each cut-short thread back through Graph (the stand-in serves it).
    connector.msGraph.addTeam(TEAM_GROUP, businesses.map(chaosChannelOf));
    const stores = await createTableStores({ connectionString: azurite.connectionString });
    for (const business of businesses) {
      await stores.links.put({
        business: BusinessNumberId(business.phoneNumberId),
        channel: { channelId: TeamsChannelId(chaosChannelOf(business)), tenantId: TenantId(TENANT), serviceUrl: connector.serviceUrl },
        linkedBy: AadObjectId("a0a0a0a0-0000-4000-8000-0000000000ad"),
        linkedAt: Date.now(),
        teamGroupId: TeamsGroupId(TEAM_GROUP),
      });
    }
    const logDir = mkdtempSync(join(tmpdir(), "chaos-bridge-"));
    const env = {
      WHATSAPP_APP_SECRET: CHAOS_SECRET,
      WHATSAPP_VERIFY_TOKEN: "chaos-verify-token-01",
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_GRAPH_URL: graph.url,
      WHATSAPP_MEDIA_HOSTS: new URL(graph.url).host,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      TEAMS_SERVICE_URL_HOSTS: connector.host,
      // Bot auth on (a managed identity refuses BOT_AUTH_DISABLED): the bot's managed identity, a local
      // issuer, gets the Graph token of the thread check and the Bot Connector's tokens.
      ...issuer.authConfig({ appId: BOT_APP_ID, tenantId: TENANT }),
      ...issuer.managedIdentityEnv(),
      MS_GRAPH_URL: connector.msGraphUrl,
      MEDIA_LOCAL_DIR: join(logDir, "media"),
      LOG_LEVEL: "info",
      // A restarted (or standby) bridge processes only once the dead holder's lease lapsed: keep that
      // short in tests (production default 30 s, renewed every 10 s: up to 40 s).
      LEASE_DURATION_SECONDS: "15",
      LEASE_RENEW_SECONDS: "2",
      INBOX_POLL_SECONDS: "1",
      // With several instances ingesting, the leader learns of the others' events by polling: hold a lane
      // longer than one poll so a contact's messages are sorted before the first is posted.
      INBOUND_REORDER_MS: "1500",
      ...options.env,
    };
    const bridge = new BridgeProcess({ env, logFile: join(logDir, "bridge-1.log"), port, ...(options.execArgv ? { execArgv: options.execArgv } : {}) });
    const sender = new MetaSender({ url: `${bridge.url}/api/whatsapp/webhook`, concurrency: options.concurrency ?? 50 });
    return new ChaosWorld(azurite, graph, connector, bridge, sender, logDir, issuer, env, businesses);
  }

  /** A further bridge instance on the same storage (for multi-instance scenarios). */
  async secondBridge(): Promise<BridgeProcess> {
    const bridge = new BridgeProcess({
      env: this.bridgeEnv,
      logFile: join(this.logDir, `bridge-${this.extraBridges.length + 2}.log`),
      port: await findFreePort("127.0.0.1"),
    });
    this.extraBridges.push(bridge);
    return bridge;
  }

  /**
   * Delivers a burst as Meta would: `streams` (each contact's messages in order, the next once the
   * previous was acknowledged: live traffic) or `flood` (everything at once, `concurrency` in flight:
   * a backlog). Resolves when every delivery was acknowledged (or given up).
   */
  deliver(burst: readonly ChaosMessage[], mode: "streams" | "flood"): Promise<void> {
    return mode === "streams" ? this.sender.deliverStreams(byContact(burst)) : this.sender.deliverAll(burst);
  }

  /** Counts what reached Teams so far. */
  tally(tag: string, sent: readonly ChaosMessage[]): Tally {
    return tally(tag, sent, this.connector.posts);
  }

  /**
   * Waits until every message of `sent` was posted at least once, or `timeoutMs` passed; then a short
   * quiet period, so late duplicates are counted too. Returns the tally.
   */
  async settle(tag: string, sent: readonly ChaosMessage[], timeoutMs: number, quietMs = 1_000): Promise<Tally> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.tally(tag, sent).lost > 0) await sleep(200);
    await sleep(quietMs);
    return this.tally(tag, sent);
  }

  /** The time of the first post accepted by the stand-in after `since` (epoch ms), polling until `timeoutMs`. */
  async firstPostAfter(since: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    const start = this.connector.posts.length;
    while (Date.now() < deadline) {
      if (this.connector.posts.length > start) return Date.now() - since;
      await sleep(20);
    }
    return undefined;
  }

  /** Stops everything; removes the bridge logs and Azurite's data unless `keepLogs` (a failed scenario). */
  async dispose(keepLogs = false): Promise<void> {
    await Promise.all([this.bridge.dispose(), ...this.extraBridges.map((b) => b.dispose())]);
    await Promise.all([this.graph.close(), this.connector.close(), this.issuer.close()]);
    await this.azurite.stop();
    if (keepLogs) {
      console.log(`      bridge logs kept in ${this.logDir}`);
      return;
    }
    await Promise.all([rm(this.logDir, { recursive: true, force: true }), rm(this.azurite.location, { recursive: true, force: true })]);
  }
}
