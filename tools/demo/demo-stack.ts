import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { startBridge, type RunningBridge } from "../../src/compose";
import { loadConfig, type Config } from "../../src/config";
import { BusinessNumberId } from "../../src/core/ids";
import { createLogger } from "../../src/observability/logger";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../src/storage/azurite/embedded-azurite";
import { findFreePort } from "../../src/storage/azurite/free-port";
import { PLAYGROUND, startPlayground, type RunningPlayground } from "../playground";
import { startWhatsAppSimulator, type WhatsAppSimulator } from "../whatsapp-simulator";

/**
 * Everything the demo and the browser tests run, all on 127.0.0.1: embedded Azurite, the WhatsApp
 * simulator (which is the Meta Graph API stand-in), the bridge itself (`startBridge` with bot auth disabled,
 * `REPLY_MODE=mention`) and Microsoft's Agents Playground as Teams, with the Playground's WhatsApp
 * channel already linked to the simulator's business number.
 */
export interface DemoStack {
  readonly simulator: WhatsAppSimulator;
  readonly bridge: RunningBridge;
  readonly playground: RunningPlayground;
  readonly config: Config;
  /** Where the bridge's JSON log lines go. */
  readonly bridgeLog: string;
  /** Where the bridge keeps customers' files during this run (`MEDIA_LOCAL_DIR`); removed by `stop()`. */
  readonly mediaDir: string;
  /** Stops everything this stack started, in reverse order. Idempotent. */
  stop(): Promise<void>;
}

export interface DemoStackOptions {
  /** Folder for logs, the Playground's config and this run's media (created if missing), e.g. `.data/demo`. */
  readonly dataDir: string;
  /** The bridge's log level (its lines go to `dataDir/bridge.log`), default `info`. */
  readonly logLevel?: string;
  /** Passed to the simulator: ticks, automatic reading (tests). */
  readonly simulator?: { readonly tickDelaysMs?: { sent: number; delivered: number }; readonly autoReadMs?: number };
}

const HOST = "127.0.0.1";

/** Starts the stack; on failure, stops whatever had started and rethrows. */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  mkdirSync(options.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    // Reverse order of start; keep going if one fails, and report the first failure at the end.
    let first: unknown;
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  };

  try {
    // Demo-only secrets, new each run: they protect nothing but this machine's loopback.
    const appSecret = randomBytes(16).toString("hex");
    const accessToken = randomBytes(24).toString("base64url");
    const [azurite, simulator] = await Promise.all([
      // In memory: the Playground keeps its threads in its page, so stored threads would not outlive a run anyway.
      startEmbeddedAzurite({}),
      startWhatsAppSimulator({ appSecret, accessToken, ...(options.simulator ?? {}) }),
    ]);
    stops.push(
      () => azurite.stop(),
      () => simulator.close(),
    );

    // The bridge must know the Playground's connector host before the Playground starts (which itself
    // waits for the bridge), so its port is chosen first.
    const playgroundPort = await findFreePort(HOST);
    const bridgeLog = join(options.dataDir, "bridge.log");
    const logStream = createWriteStream(bridgeLog, { flags: "w" });
    stops.push(() => closeStream(logStream));
    // Storage is in memory, so files kept during a run belong to nothing afterwards: a folder of this run,
    // inside the demo's own, removed when the demo stops (never the production default, .data/media).
    const mediaDir = mkdtempSync(join(options.dataDir, "media-"));
    stops.push(async () => rmSync(mediaDir, { recursive: true, force: true }));
    const config = demoConfig({
      azurite,
      simulator,
      appSecret,
      accessToken,
      connectorHost: `${HOST}:${playgroundPort}`,
      logLevel: options.logLevel ?? "info",
      mediaDir,
    });
    const bridge = await startBridge(config, { logger: createLogger({ level: config.logLevel, destination: logStream }) });
    stops.push(() => bridge.stop());
    simulator.connect(`${bridge.url}/api/whatsapp/webhook`);

    const playground = await startPlayground({ botEndpoint: `${bridge.url}/api/messages`, port: playgroundPort, workDir: join(options.dataDir, "playground") });
    stops.push(() => playground.stop());
    await linkChannel(playground, bridge, simulator.business.phoneNumberId);

    let stopping: Promise<void> | undefined;
    return { simulator, bridge, playground, config, bridgeLog, mediaDir, stop: () => (stopping ??= stopAll()) };
  } catch (err) {
    await stopAll().catch((cleanup: unknown) =>
      console.error(`demo: stopping after a failed start failed too: ${cleanup instanceof Error ? cleanup.message : String(cleanup)}`),
    );
    throw err;
  }
}

function demoConfig(p: {
  azurite: EmbeddedAzurite;
  simulator: WhatsAppSimulator;
  appSecret: string;
  accessToken: string;
  connectorHost: string;
  logLevel: string;
  mediaDir: string;
}): Config {
  const loaded = loadConfig({
    WHATSAPP_APP_SECRET: p.appSecret,
    WHATSAPP_VERIFY_TOKEN: "demo-verify-token",
    WHATSAPP_ACCESS_TOKEN: p.accessToken,
    WHATSAPP_GRAPH_URL: p.simulator.metaGraphUrl,
    WHATSAPP_BUSINESS_ACCOUNT_ID: p.simulator.business.wabaId,
    WHATSAPP_MEDIA_HOSTS: p.simulator.mediaHost,
    AZURE_STORAGE_CONNECTION_STRING: p.azurite.connectionString,
    BOT_AUTH_DISABLED: "true",
    BRIDGE_ADMINS: PLAYGROUND.currentUser.aadObjectId,
    ALLOWED_TENANT_IDS: PLAYGROUND.tenantId,
    // The Playground, like Teams without the RSC permission, delivers only replies that @mention the bot.
    REPLY_MODE: "mention",
    TEAMS_SERVICE_URL_HOSTS: p.connectorHost,
    LOG_LEVEL: p.logLevel,
    MEDIA_LOCAL_DIR: p.mediaDir,
  });
  return { ...loaded, http: { host: HOST, port: 0 } };
}

/** An admin posts `@WhatsApp Bridge link <phone number id>` in the WhatsApp channel; waits until the link is stored. */
async function linkChannel(playground: RunningPlayground, bridge: RunningBridge, phoneNumberId: string): Promise<void> {
  await playground.postMessage(PLAYGROUND.channel.id, `link ${phoneNumberId}`, { mentionBot: true });
  const deadline = Date.now() + 15_000;
  while (!(await bridge.stores.links.get(BusinessNumberId(phoneNumberId)))) {
    if (Date.now() > deadline) throw new Error("the demo could not link the Playground's WhatsApp channel (see the bridge log)");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}
