import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parseEnv } from "node:util";
import { parseRiskyExtensions, type RiskyFilePolicy } from "./core/risky-files";
import { botbuilderKeys, csv, schema } from "./config-schema";
import { authDisabledProblems, isProductionEnv, overrideKeyProblems, secretProblems } from "./config-guards";

export { isProductionEnv } from "./config-guards";
export { botbuilderKeys } from "./config-schema";

/**
 * The environment of docs/configuration.md, validated with zod. This is the ONLY module that reads `process.env`;
 * everything else receives its slice of `Config` from the composition root.
 */

export type StorageConfig =
  | { readonly kind: "connection-string"; readonly connectionString: string }
  | { readonly kind: "account"; readonly accountName: string }
  | { readonly kind: "embedded"; readonly location: string };

export type MediaConfig =
  | { readonly kind: "local"; readonly directory: string; readonly publicUrl?: string; readonly linkTtlMs: number; readonly downloadTimeoutMs: number }
  /** `driveId`: MEDIA_SHAREPOINT_DRIVE_ID, one library for every team; unset, each team's own (its group's drive). */
  | { readonly kind: "sharepoint"; readonly driveId?: string; readonly folder: string; readonly msGraphUrl: string; readonly downloadTimeoutMs: number };

export interface Config {
  readonly mode: "production" | "local";
  readonly http: { readonly port: number; readonly host: string };
  readonly bot: {
    readonly authDisabled: boolean;
    /** botbuilder's keys as given (override keys included); empty values removed. */
    readonly auth: Readonly<Record<string, string>>;
    readonly appId?: string;
  };
  readonly allowedTenantIds: ReadonlySet<string> | "any";
  readonly teamsServiceUrlHosts: readonly string[];
  /** Teams' per-app-per-tenant request limit the bot keeps under. */
  readonly teamsTenantRequestsPerSecond: number;
  readonly whatsapp: {
    readonly appSecret: string;
    readonly verifyToken: string;
    readonly accessToken: string;
    readonly metaGraphUrl: string;
    readonly businessAccountId?: string;
    readonly mediaHosts: readonly string[];
  };
  readonly storage: StorageConfig;
  /** Where customers' files are kept (see src/media). */
  readonly media: MediaConfig;
  /** Microsoft Graph base URL (MS_GRAPH_URL): the SharePoint media store, and the thread check after a crash. */
  readonly msGraphUrl: string;
  readonly bridge: {
    readonly admins: readonly string[];
    readonly replyMode: "all" | "mention";
    /** BRIDGE_STAFF: who may send to customers beyond being a member of the linked team; unset, every member. */
    readonly staff?: StaffConfig;
    readonly notePrefix: string;
    readonly sendPrefix: string;
    readonly tenantLinkHosts: readonly string[];
    readonly consentKeywords: { readonly stop: readonly string[]; readonly start: readonly string[] };
    readonly firstContactNotice?: string;
    readonly reorderHoldMs: number;
    /** Customers' files that can run code (MEDIA_RISKY_FILES, MEDIA_RISKY_EXTENSIONS; docs/security.md). */
    readonly riskyFiles: { readonly policy: RiskyFilePolicy; readonly extensions: readonly string[] };
  };
  readonly policy: {
    readonly cardNumbers: boolean;
    readonly ibans: boolean;
    readonly blockedWords: readonly string[];
    readonly blockedPatterns: readonly string[];
  };
  readonly pacing: { readonly perNumberPerSecond: number; readonly pairIntervalMs: number; readonly pairBurst: number };
  /** Staff replies kept before sending (README "Reliability"): when an abandoned one is taken over, how often a rate-limited one is re-sent. */
  readonly outbox: { readonly outboxRequeueAfterMs: number; readonly rateLimitResends: number; readonly instanceName: string };
  /** Journal, lease and inbox polling (README "Reliability"). */
  readonly reliability: {
    readonly journalContainer: string;
    readonly leaseContainer: string;
    readonly leaseDurationSeconds: number;
    readonly leaseRenewMs: number;
    readonly inboxPollMs: number;
    readonly inboxMaxInMemory: number;
    /** How often a suspended channel link (Teams refuses the bot there) is probed. */
    readonly linkProbeMs: number;
  };
  /** Finished inbox and outbox rows and the bridge's own media copies are purged after this many days. */
  readonly retentionDays: number;
  /** The compliance channel (docs/data-and-compliance.md): the completeness check is posted every this many hours. */
  readonly compliance: { readonly auditEveryHours: number };
  readonly logLevel: string;
  /** Traces and metrics to Application Insights (docs/admin-guide.md "Observability"); absent: none. */
  readonly telemetry?: { readonly connectionString: string; readonly serviceInstanceId: string };
}

/** BRIDGE_STAFF: Entra object ids of people, and at most one Entra group (written `group:<id>`). */
export interface StaffConfig {
  readonly people: readonly string[];
  readonly group?: string;
}

/** An Entra object id: a GUID. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * BRIDGE_STAFF: comma-separated Entra object ids; an entry `group:<object id>` names a group instead (a
 * person's and a group's ids look alike, so the prefix tells them apart). At most one group.
 */
function parseStaff(value: string | undefined, problems: string[]): StaffConfig | undefined {
  const entries = csv(value);
  if (entries.length === 0) return undefined;
  const people: string[] = [];
  const groups: string[] = [];
  for (const entry of entries) {
    const group = /^group:(.*)$/i.exec(entry);
    const id = (group ? group[1]! : entry).trim();
    if (!GUID.test(id)) {
      problems.push(`BRIDGE_STAFF entries must be Entra object ids (or group:<object id>); “${entry.slice(0, 60)}” is not`);
      continue;
    }
    (group ? groups : people).push(id.toLowerCase());
  }
  if (groups.length > 1) problems.push("BRIDGE_STAFF may name one group (group:<object id>), not several");
  return { people, ...(groups[0] ? { group: groups[0] } : {}) };
}

/** A configuration problem: its message is one line naming the variable(s), meant for the operator. */
export class ConfigError extends Error {}

/**
 * Validates `env` and returns the typed configuration. Empty values count as unset.
 * Throws `ConfigError` with one line that names every offending variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== "")) as Record<string, string>;
  const parsed = schema.safeParse(clean);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const e = parsed.data;
  const problems: string[] = [];
  const production = isProductionEnv(e.NODE_ENV);
  const host = e.HOST ?? (production ? "0.0.0.0" : "127.0.0.1");

  const auth: Record<string, string> = {};
  for (const key of botbuilderKeys) if (clean[key] !== undefined) auth[key] = clean[key]!;
  if (e.BOT_AUTH_DISABLED) problems.push(...authDisabledProblems(clean, production, host));
  // Fail closed: whoever can reach an authenticated bridge must not be able to guess its webhook secrets.
  if (!e.BOT_AUTH_DISABLED || production) problems.push(...secretProblems(clean));
  if (production) problems.push(...overrideKeyProblems(clean));
  if (!e.BOT_AUTH_DISABLED) {
    if (!e.MicrosoftAppId) problems.push("MicrosoftAppId is required (or BOT_AUTH_DISABLED=true for local tests)");
    const type = e.MicrosoftAppType ?? "MultiTenant";
    if ((type === "SingleTenant" || type === "UserAssignedMsi") && !e.MicrosoftAppTenantId)
      problems.push(`MicrosoftAppTenantId is required when MicrosoftAppType=${type}`);
    if (type !== "UserAssignedMsi" && !e.MicrosoftAppPassword) problems.push(`MicrosoftAppPassword is required when MicrosoftAppType=${type}`);
    if (type === "UserAssignedMsi" && e.MicrosoftAppPassword) problems.push("MicrosoftAppPassword must be empty when MicrosoftAppType=UserAssignedMsi");
  }

  const tenants = csv(e.ALLOWED_TENANT_IDS ?? e.MicrosoftAppTenantId);
  let allowedTenantIds: ReadonlySet<string> | "any" = new Set(tenants);
  if (tenants.length === 0) {
    if (e.BOT_AUTH_DISABLED) allowedTenantIds = "any";
    else problems.push("ALLOWED_TENANT_IDS is required (or set MicrosoftAppTenantId)");
  }

  let storage: StorageConfig;
  if (e.AZURE_STORAGE_CONNECTION_STRING) storage = { kind: "connection-string", connectionString: e.AZURE_STORAGE_CONNECTION_STRING };
  else if (e.AZURE_STORAGE_ACCOUNT_NAME) storage = { kind: "account", accountName: e.AZURE_STORAGE_ACCOUNT_NAME };
  else if (production) {
    problems.push("AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME is required when NODE_ENV=production");
    storage = { kind: "embedded", location: "" };
  } else storage = { kind: "embedded", location: ".data/azurite" };

  if (!e.NOTE_PREFIX.trim()) problems.push("NOTE_PREFIX must not be blank");
  if (!e.SEND_PREFIX.trim()) problems.push("SEND_PREFIX must not be blank");
  if (e.SEND_PREFIX.trim() === e.NOTE_PREFIX.trim()) problems.push("SEND_PREFIX must differ from NOTE_PREFIX");
  const mediaKind = e.MEDIA_STORE ?? (e.MEDIA_SHAREPOINT_DRIVE_ID ? "sharepoint" : "local");
  // Local files are served without sign-in (by signed, expiring links): in production only when chosen.
  if (production && mediaKind === "local" && !e.MEDIA_STORE)
    problems.push(
      `MEDIA_STORE is required when NODE_ENV=${e.NODE_ENV}: sharepoint (each linked team's files in its own SharePoint site) or local (customers' files served from this machine by signed links that expire)`,
    );
  // SharePoint without a drive id: each linked team's files go to that team's own site (its group's drive).
  const media: MediaConfig =
    mediaKind === "sharepoint"
      ? {
          kind: "sharepoint",
          ...(e.MEDIA_SHAREPOINT_DRIVE_ID ? { driveId: e.MEDIA_SHAREPOINT_DRIVE_ID } : {}),
          folder: e.MEDIA_SHAREPOINT_FOLDER,
          msGraphUrl: e.MS_GRAPH_URL.replace(/\/+$/, ""),
          downloadTimeoutMs: e.MEDIA_DOWNLOAD_TIMEOUT_MS,
        }
      : {
          kind: "local",
          directory: e.MEDIA_LOCAL_DIR,
          ...(e.MEDIA_PUBLIC_URL ? { publicUrl: e.MEDIA_PUBLIC_URL.replace(/\/+$/, "") } : {}),
          linkTtlMs: Math.round(e.MEDIA_LINK_TTL_HOURS * 3_600_000),
          downloadTimeoutMs: e.MEDIA_DOWNLOAD_TIMEOUT_MS,
        };
  const blockedPatterns = parsePatterns(e.POLICY_BLOCKED_PATTERNS, problems);
  const riskyExtensions = parseRiskyExtensions(e.MEDIA_RISKY_EXTENSIONS);
  if ("problem" in riskyExtensions) problems.push(riskyExtensions.problem);
  const leaseRenewSeconds = e.LEASE_RENEW_SECONDS ?? e.LEASE_DURATION_SECONDS / 3;
  const staff = parseStaff(e.BRIDGE_STAFF, problems);
  if (leaseRenewSeconds > e.LEASE_DURATION_SECONDS / 2)
    problems.push(`LEASE_RENEW_SECONDS must be at most half of LEASE_DURATION_SECONDS (${e.LEASE_DURATION_SECONDS / 2})`);
  if (e.JOURNAL_CONTAINER === e.LEASE_CONTAINER) problems.push("LEASE_CONTAINER must differ from JOURNAL_CONTAINER (the journal's container is immutable)");
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  // Stable across restarts of this machine or replica: its earlier process's outbox rows are its own.
  const instanceName = e.WEBSITE_INSTANCE_ID ?? e.CONTAINER_APP_REPLICA_NAME ?? hostname();

  return Object.freeze({
    mode: production ? "production" : "local",
    http: { port: e.PORT, host },
    bot: { authDisabled: e.BOT_AUTH_DISABLED, auth, ...(e.MicrosoftAppId ? { appId: e.MicrosoftAppId } : {}) },
    allowedTenantIds,
    teamsServiceUrlHosts: csv(e.TEAMS_SERVICE_URL_HOSTS),
    teamsTenantRequestsPerSecond: e.TEAMS_TENANT_REQUESTS_PER_SECOND,
    whatsapp: {
      appSecret: e.WHATSAPP_APP_SECRET,
      verifyToken: e.WHATSAPP_VERIFY_TOKEN,
      accessToken: e.WHATSAPP_ACCESS_TOKEN,
      metaGraphUrl: e.WHATSAPP_GRAPH_URL.replace(/\/+$/, ""),
      ...(e.WHATSAPP_BUSINESS_ACCOUNT_ID ? { businessAccountId: e.WHATSAPP_BUSINESS_ACCOUNT_ID } : {}),
      mediaHosts: csv(e.WHATSAPP_MEDIA_HOSTS),
    },
    storage,
    media,
    msGraphUrl: e.MS_GRAPH_URL.replace(/\/+$/, ""),
    bridge: {
      admins: csv(e.BRIDGE_ADMINS),
      replyMode: e.REPLY_MODE,
      ...(staff ? { staff } : {}),
      notePrefix: e.NOTE_PREFIX,
      sendPrefix: e.SEND_PREFIX.trim(),
      tenantLinkHosts: csv(e.TENANT_LINK_HOSTS),
      consentKeywords: { stop: csv(e.STOP_KEYWORDS), start: csv(e.START_KEYWORDS) },
      ...(e.FIRST_CONTACT_NOTICE ? { firstContactNotice: e.FIRST_CONTACT_NOTICE } : {}),
      reorderHoldMs: e.INBOUND_REORDER_MS,
      riskyFiles: { policy: e.MEDIA_RISKY_FILES, extensions: "extensions" in riskyExtensions ? [...riskyExtensions.extensions].sort() : [] },
    },
    policy: { cardNumbers: e.POLICY_CARD_NUMBERS, ibans: e.POLICY_IBANS, blockedWords: csv(e.POLICY_BLOCKED_WORDS), blockedPatterns },
    pacing: { perNumberPerSecond: e.WHATSAPP_MESSAGES_PER_SECOND, pairIntervalMs: e.WHATSAPP_PAIR_INTERVAL_MS, pairBurst: e.WHATSAPP_PAIR_BURST },
    outbox: {
      outboxRequeueAfterMs: Math.round(e.OUTBOX_REQUEUE_SECONDS * 1000),
      rateLimitResends: e.WHATSAPP_RATE_LIMIT_RESENDS,
      instanceName,
    },
    reliability: {
      journalContainer: e.JOURNAL_CONTAINER,
      leaseContainer: e.LEASE_CONTAINER,
      leaseDurationSeconds: e.LEASE_DURATION_SECONDS,
      leaseRenewMs: Math.round(leaseRenewSeconds * 1000),
      inboxPollMs: Math.round(e.INBOX_POLL_SECONDS * 1000),
      inboxMaxInMemory: e.INBOX_MAX_IN_MEMORY,
      linkProbeMs: Math.round(e.LINK_PROBE_SECONDS * 1000),
    },
    retentionDays: e.RETENTION_DAYS,
    compliance: { auditEveryHours: e.COMPLIANCE_AUDIT_HOURS },
    logLevel: e.LOG_LEVEL,
    ...(e.APPLICATIONINSIGHTS_CONNECTION_STRING
      ? { telemetry: { connectionString: e.APPLICATIONINSIGHTS_CONNECTION_STRING, serviceInstanceId: instanceName } }
      : {}),
  });
}

/** POLICY_BLOCKED_PATTERNS: a JSON array of regular expressions; each must compile. */
function parsePatterns(value: string | undefined, problems: string[]): string[] {
  if (!value) return [];
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    problems.push('POLICY_BLOCKED_PATTERNS must be a JSON array of regular expressions, e.g. ["guaranteed\\s+returns"]');
    return [];
  }
  if (!Array.isArray(list) || !list.every((p) => typeof p === "string")) {
    problems.push("POLICY_BLOCKED_PATTERNS must be a JSON array of strings");
    return [];
  }
  for (const pattern of list as string[]) {
    try {
      new RegExp(pattern, "iu");
    } catch {
      problems.push(`POLICY_BLOCKED_PATTERNS has an invalid regular expression: ${pattern.slice(0, 40)}`);
    }
  }
  return list as string[];
}

/**
 * The process environment, with a `.env` file in the working directory filled in underneath it
 * (a variable set in the real environment wins). In production (NODE_ENV in the real environment) the
 * file is not read: a forgotten development `.env` must not lend a production bridge its settings.
 * Only the entry points call this; `real` is for tests.
 */
export function readEnvironment(dotEnvPath = ".env", real: Readonly<Record<string, string | undefined>> = process.env): Record<string, string | undefined> {
  if (isProductionEnv(real.NODE_ENV)) return { ...real };
  const fromFile = existsSync(dotEnvPath) ? parseEnv(readFileSync(dotEnvPath, "utf8")) : {};
  return { ...fromFile, ...real };
}
