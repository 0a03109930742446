import type { Config } from "./config";
import { BridgeService } from "./core/bridge/bridge-service";
import { describeError } from "./core/errors";
import { AadObjectId, EntraGroupId } from "./core/ids";
import type { StaffList } from "./core/rules/staff-authority";
import type { Clock } from "./core/ports/clock";
import type { Logger } from "./core/ports/logger";
import type { Stores } from "./core/ports/stores";
import { WHATSAPP_SEND_RETRY } from "./core/retry-policy";
import { healthRoutes } from "./http/health-routes";
import { createMediaStore, graphTokenSource } from "./media";
import { startHttpServer } from "./http/restify-server";
import { createLogger } from "./observability/logger";
import { startTelemetry, type Telemetry } from "./observability/telemetry";
import { startEmbeddedAzurite } from "./storage/azurite/embedded-azurite";
import { BlobJournalReader, openBlobReliability, warnIfJournalMutable, type BlobStorageOptions } from "./storage/blob";
import type { Leadership } from "./core/ports/leadership";
import type { WebhookJournal } from "./core/ports/webhook-journal";
import { createTableStores, type TableStores } from "./storage/table/table-stores";
import { createTableComplianceStore } from "./storage/table/table-compliance-store";
import { JournalRecordChecks } from "./record-checks";
import { scheduleRetention } from "./compliance/retention";
import { connectTeams, type TeamsBotOptions } from "./teams/teams-app";
import { GraphThreadHistory } from "./teams/graph-thread-history";
import { GraphGroupMembership } from "./teams/graph-group-membership";
import { CloudApiWhatsAppGateway } from "./whatsapp/meta/cloud-api-gateway";
import { createWebhookRoutes } from "./whatsapp/meta/routes";

/** The running bridge, as the entry point and the end-to-end tests see it. */
export interface RunningBridge {
  readonly url: string;
  readonly port: number;
  readonly bridge: BridgeService;
  readonly stores: Stores;
  readonly journal: WebhookJournal;
  readonly leadership: Leadership;
  readonly logger: Logger;
  /**
   * Graceful shutdown: stops accepting requests (those in flight finish), waits a bounded time for the
   * work in hand (what is not finished stays pending in the inbox), releases the lease so a standby takes
   * over at once, stops embedded storage. Resolves within about 20 s.
   */
  stop(): Promise<void>;
}

/** Seams for tests: everything else comes from `Config`. */
export interface ComposeOverrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Outbound Bot Connector credentials (tests point them at a local token issuer). */
  readonly teamsCredentialsFactory?: TeamsBotOptions["credentialsFactory"];
  /** Table name prefix, so that tests sharing one Azurite do not see each other's data. */
  readonly tablePrefix?: string;
  /** The clock of the suspended-link probe (tests advance it by hand). */
  readonly linkProbeClock?: Clock;
  /** Microsoft Graph token source for the SharePoint media store and the thread check after a crash (tests). */
  readonly mediaCredential?: Parameters<typeof createMediaStore>[3];
  /** Telemetry already started (the entry point starts it before loading the bridge; `logger` then sends its lines); default: started from `config`. */
  readonly telemetry?: Telemetry;
  /** How often the leader looks for a compliance post that is due (default every 60 s; tests look more often). */
  readonly complianceEveryMs?: number;
}

/** BRIDGE_STAFF as the core's settings. */
function staffList(staff: NonNullable<Config["bridge"]["staff"]>): StaffList {
  return { people: new Set(staff.people.map(AadObjectId)), ...(staff.group ? { group: EntraGroupId(staff.group) } : {}) };
}

/** Shutdown budgets (the platform kills after 30 s; index.ts forces an exit after 25 s). */
const CLOSE_BUDGET_MS = 5_000;
const DRAIN_BUDGET_MS = 10_000;
const TELEMETRY_FLUSH_BUDGET_MS = 3_000;

/** Resolves when `work` settles or after `ms`, whichever is first; says which. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/** Tables, and where the blobs (journal, lease) live: the same account. */
async function openStorage(
  config: Config,
  logger: Logger,
  tablePrefix?: string,
): Promise<{ stores: TableStores; blob: BlobStorageOptions; stop: () => Promise<void> }> {
  const prefix = tablePrefix ? { tablePrefix } : {};
  switch (config.storage.kind) {
    case "connection-string": {
      const blob = { connectionString: config.storage.connectionString };
      return { stores: await createTableStores({ ...blob, ...prefix }), blob, stop: async () => {} };
    }
    case "account": {
      logger.info("storage.account", { account: config.storage.accountName });
      const blob = { accountName: config.storage.accountName };
      return { stores: await createTableStores({ ...blob, ...prefix }), blob, stop: async () => {} };
    }
    case "embedded": {
      // No AZURE_STORAGE_* variable in local mode: keep the data on this machine (the launcher logs it).
      const azurite = await startEmbeddedAzurite({ location: config.storage.location, logger });
      try {
        const blob = { connectionString: azurite.connectionString };
        return { stores: await createTableStores({ ...blob, ...prefix }), blob, stop: () => azurite.stop() };
      } catch (err) {
        await azurite.stop();
        throw err;
      }
    }
  }
}

/**
 * The composition root: the only place that picks implementations and wires them to the core.
 * Starts storage, the HTTP server (Meta webhook, Bot Framework endpoint, health) and resumes pending work.
 */
export async function startBridge(config: Config, overrides: ComposeOverrides = {}): Promise<RunningBridge> {
  const stdoutLogger = overrides.logger ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  // Telemetry given (the entry point's) comes with its logger; started here, its logger is made here.
  const telemetry = overrides.telemetry ?? (await startTelemetry(config.telemetry, stdoutLogger));
  const logger = overrides.telemetry ? stdoutLogger : telemetry.withLogs(stdoutLogger, config.logLevel);
  const storage = await openStorage(config, logger, overrides.tablePrefix).catch(async (err: unknown) => {
    await within(telemetry.stop(), TELEMETRY_FLUSH_BUDGET_MS);
    throw err;
  });
  let releaseLease = async () => {};
  try {
    // Tests sharing one Azurite isolate their blobs like their tables: by the prefix.
    const containers = overrides.tablePrefix
      ? { journalContainer: `${overrides.tablePrefix.toLowerCase()}-journal`, leaseContainer: `${overrides.tablePrefix.toLowerCase()}-leases` }
      : { journalContainer: config.reliability.journalContainer, leaseContainer: config.reliability.leaseContainer };
    const { journal, leadership } = await openBlobReliability({
      ...storage.blob,
      ...containers,
      leaseDurationSeconds: config.reliability.leaseDurationSeconds,
      leaseRenewMs: config.reliability.leaseRenewMs,
      logger,
      instanceName: config.outbox.instanceName,
      // The journal tells when a day is over by the bridge's clock (the compliance posts seal days by it).
      now: () => clock.now(),
    });
    if (config.mode === "production") await warnIfJournalMutable(journal, logger);
    const whatsapp = telemetry.traced(
      "meta",
      new CloudApiWhatsAppGateway({
        metaGraphUrl: config.whatsapp.metaGraphUrl,
        accessToken: config.whatsapp.accessToken,
        ...(config.whatsapp.businessAccountId ? { businessAccountId: config.whatsapp.businessAccountId } : {}),
        mediaHosts: config.whatsapp.mediaHosts,
        mediaDownloadTimeoutMs: config.media.downloadTimeoutMs,
      }),
    );
    const graphIdentity = {
      appType: config.bot.auth.MicrosoftAppType,
      appId: config.bot.auth.MicrosoftAppId,
      tenantId: config.bot.auth.MicrosoftAppTenantId,
      password: config.bot.auth.MicrosoftAppPassword,
    };
    const media = createMediaStore(config.media, graphIdentity, logger, overrides.mediaCredential);
    // After a crash, a post cut short is looked up in its thread (Graph, RSC) before it is posted again.
    const graphTokens = graphTokenSource(graphIdentity, overrides.mediaCredential, config.media.kind === "sharepoint");
    const threadHistory = graphTokens ? new GraphThreadHistory({ msGraphUrl: config.msGraphUrl, token: graphTokens, logger }) : undefined;
    logger.info("teams.thread_check", { enabled: threadHistory !== undefined });
    if (config.mode === "production" && config.media.kind === "local") {
      logger.warn("media.local_in_production", {
        note: "MEDIA_STORE=local: customers' files are kept on this machine's disk and open to anyone holding a link until it expires (MEDIA_LINK_TTL_HOURS); set MEDIA_STORE=sharepoint to keep them in each team's SharePoint site",
      });
    }
    if (config.allowedTenantIds === "any") {
      // Only possible with BOT_AUTH_DISABLED on loopback (config.ts), but say it loudly: nothing checks who calls.
      logger.warn("teams.any_tenant_accepted", {
        note: "BOT_AUTH_DISABLED=true and ALLOWED_TENANT_IDS is empty: activities from ANY tenant are accepted without a token; local use only",
      });
    }
    // BRIDGE_STAFF's group is checked through Microsoft Graph: without a way to get a Graph token the
    // bridge would refuse every send, so it does not start.
    const staffGroup = config.bridge.staff?.group;
    if (staffGroup && !graphTokens)
      throw new Error(
        "BRIDGE_STAFF names a group, which is checked through Microsoft Graph: give the bot a Graph identity (MicrosoftAppType UserAssignedMsi, or SingleTenant with its secret)",
      );
    // The core needs the Teams gateway, and the Teams routes need the core: the gateway first, routes after.
    const teams = connectTeams({
      auth: config.bot.auth,
      authDisabled: config.bot.authDisabled,
      allowedTenantIds: config.allowedTenantIds,
      serviceUrlHosts: config.teamsServiceUrlHosts,
      tenantRequestsPerSecond: config.teamsTenantRequestsPerSecond,
      ...(staffGroup && graphTokens ? { staffGroups: new GraphGroupMembership({ msGraphUrl: config.msGraphUrl, token: graphTokens }) } : {}),
      logger,
      ...(overrides.teamsCredentialsFactory ? { credentialsFactory: overrides.teamsCredentialsFactory } : {}),
    });
    // The compliance channel: its table, the Teams side's posts, and the record read as the operator commands read it.
    const compliance = {
      store: await createTableComplianceStore({ ...storage.blob, ...(overrides.tablePrefix ? { tablePrefix: overrides.tablePrefix } : {}) }),
      gateway: teams.compliance,
      records: new JournalRecordChecks({
        reader: new BlobJournalReader({ ...storage.blob, container: containers.journalContainer }),
        tables: storage.stores,
        appSecret: config.whatsapp.appSecret,
        stopKeywords: config.bridge.consentKeywords.stop,
      }),
      auditEveryHours: config.compliance.auditEveryHours,
      instance: journal.writer,
    };
    const bridge = new BridgeService(
      {
        stores: storage.stores,
        teams: telemetry.traced("teams", teams.gateway),
        staff: teams.directory,
        whatsapp,
        metrics: telemetry.metrics,
        media: media.store,
        ...(threadHistory ? { threadHistory } : {}),
        journal,
        leadership,
        compliance,
        clock,
        logger,
        settings: {
          admins: new Set(config.bridge.admins.map(AadObjectId)),
          ...(config.bridge.staff ? { staff: staffList(config.bridge.staff) } : {}),
          replyMode: config.bridge.replyMode,
          notePrefix: config.bridge.notePrefix,
          sendPrefix: config.bridge.sendPrefix,
          tenantLinkHosts: config.bridge.tenantLinkHosts,
          consentKeywords: config.bridge.consentKeywords,
          ...(config.bridge.firstContactNotice ? { firstContactNotice: config.bridge.firstContactNotice } : {}),
          policy: config.policy,
          reorderHoldMs: config.bridge.reorderHoldMs,
          riskyFiles: { policy: config.bridge.riskyFiles.policy, extensions: new Set(config.bridge.riskyFiles.extensions) },
          pacing: { ...config.pacing, attempts: WHATSAPP_SEND_RETRY.attempts, ...config.outbox },
        },
      },
      {
        pollIntervalMs: config.reliability.inboxPollMs,
        maxInMemory: config.reliability.inboxMaxInMemory,
        linkProbe: { probeEveryMs: config.reliability.linkProbeMs, ...(overrides.linkProbeClock ? { clock: overrides.linkProbeClock } : {}) },
        compliance: { everyMs: overrides.complianceEveryMs ?? 60_000 },
      },
    );
    const teamsRoutes = teams.serve(bridge);
    const server = await startHttpServer({
      host: config.http.host,
      port: config.http.port,
      logger,
      routes: [
        ...telemetry.tracedRoutes(
          "whatsapp.webhook.delivery",
          createWebhookRoutes({
            appSecret: config.whatsapp.appSecret,
            verifyToken: config.whatsapp.verifyToken,
            ingest: async (events, delivery) => {
              await bridge.ingest(events, delivery);
            },
            onTemplatesChanged: () => bridge.templatesChanged(),
            logger,
          }),
        ),
        ...telemetry.tracedRoutes("teams.turn", teamsRoutes),
        ...healthRoutes({ ready: () => storage.stores.ping(), report: () => bridge.backlogReport() }),
        ...media.routes,
      ],
    });
    media.setServerUrl(server.url);
    telemetry.observeBacklog(
      () => bridge.backlogReport(),
      () => clock.now(),
    );
    logger.info("bridge.listening", { url: server.url, mode: config.mode, replyMode: config.bridge.replyMode, authDisabled: config.bot.authDisabled });
    if (config.bridge.admins.length === 0) logger.warn("bridge.no_admins", { note: "BRIDGE_ADMINS is empty: nobody can link a channel" });
    releaseLease = () => leadership.stop();
    // RETENTION_DAYS: finished inbox and outbox rows and local media copies go (first run an hour after start).
    const retention = scheduleRetention(
      { tables: storage.stores, ...(media.purgeOlderThan ? { media: { purgeOlderThan: media.purgeOlderThan } } : {}) },
      { retentionDays: config.retentionDays, everyMs: 6 * 3_600_000, firstAfterMs: 3_600_000 },
      logger,
    );
    // Any instance ingests; the one holding the lease processes (and polls for the others' ingests).
    await leadership.start();
    await bridge.start();
    return {
      url: server.url,
      port: server.port,
      bridge,
      stores: storage.stores,
      journal,
      leadership,
      logger,
      stop: async () => {
        retention.stop();
        if (!(await within(server.close(), CLOSE_BUDGET_MS))) logger.warn("bridge.stop.requests_cut", { budgetMs: CLOSE_BUDGET_MS });
        // What is not finished in time stays pending in the inbox: the next leader resumes it.
        if (!(await within(bridge.stop(), DRAIN_BUDGET_MS))) logger.warn("bridge.stop.work_handed_back", { budgetMs: DRAIN_BUDGET_MS });
        await leadership.stop();
        // Seals this process's part of each day it wrote in (a manifest per day, docs/data-and-compliance.md).
        await journal.close().catch((err: unknown) => logger.warn("journal.seal_failed", { error: describeError(err) }));
        await storage.stop();
        logger.info("bridge.stopped");
        // Last: what the shutdown itself recorded is sent too.
        await within(telemetry.stop(), TELEMETRY_FLUSH_BUDGET_MS);
      },
    };
  } catch (err) {
    await releaseLease();
    await storage.stop();
    await within(telemetry.stop(), TELEMETRY_FLUSH_BUDGET_MS);
    throw err;
  }
}
