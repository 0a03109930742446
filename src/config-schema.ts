import { z } from "zod/v4";
import { BOTBUILDER_OVERRIDE_KEYS } from "./config-guards";

/*
 * The variables of docs/configuration.md as a zod schema: names, defaults, ranges and the one-line
 * message naming each variable. config.ts reads the environment through it.
 */

/** botbuilder's own configuration keys, passed through unchanged (docs/protocols.md B16). */
export const botbuilderKeys = ["MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId", ...BOTBUILDER_OVERRIDE_KEYS] as const;

/** Microsoft's Teams service hosts (public cloud, GCC, GCC High, DoD; docs/protocols.md B2). */
const defaultServiceUrlHosts = "smba.trafficmanager.net,smba.infra.gcc.teams.microsoft.com,smba.infra.gov.teams.microsoft.us,smba.infra.dod.teams.microsoft.us";
/** Meta's media hosts (docs/protocols.md A12); a leading dot allows subdomains. */
const defaultMediaHosts = "lookaside.fbsbx.com,.fbcdn.net,.whatsapp.net";

/** Blob container names: 3–63 lower-case letters, digits and single hyphens, starting with a letter or digit. */
const containerNamePattern = /^(?=.{3,63}$)[a-z0-9](?:-?[a-z0-9])*$/;
export const csv = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const optional = z.string().optional();
/** A true/false variable; unset means `otherwise`. */
const flag = (name: string, otherwise = false) =>
  z
    .enum(["true", "false", "1", "0"], { error: `${name} must be true or false` })
    .optional()
    .transform((v) => (v === undefined ? otherwise : v === "true" || v === "1"));

export const schema = z.object({
  NODE_ENV: optional,
  PORT: z.coerce
    .number({ error: "PORT must be a number" })
    .int()
    .min(1, "PORT must be between 1 and 65535")
    .max(65535, "PORT must be between 1 and 65535")
    .default(3978),
  HOST: optional,
  BOT_AUTH_DISABLED: flag("BOT_AUTH_DISABLED"),
  MicrosoftAppId: optional,
  MicrosoftAppPassword: optional,
  MicrosoftAppType: z
    .enum(["SingleTenant", "UserAssignedMsi", "MultiTenant"], { error: "MicrosoftAppType must be SingleTenant, UserAssignedMsi or MultiTenant" })
    .optional(),
  MicrosoftAppTenantId: optional,
  WHATSAPP_APP_SECRET: z.string({ error: "WHATSAPP_APP_SECRET is required (the Meta app secret that signs webhooks)" }),
  WHATSAPP_VERIFY_TOKEN: z.string({ error: "WHATSAPP_VERIFY_TOKEN is required (the token of Meta's webhook verification)" }),
  WHATSAPP_ACCESS_TOKEN: z.string({ error: "WHATSAPP_ACCESS_TOKEN is required (the system-user token for the Graph API)" }),
  WHATSAPP_GRAPH_URL: z
    .url({ protocol: /^https?$/, error: "WHATSAPP_GRAPH_URL must be an http(s) URL such as https://graph.facebook.com/v25.0" })
    .default("https://graph.facebook.com/v25.0"),
  WHATSAPP_BUSINESS_ACCOUNT_ID: z.string().regex(/^\d+$/, "WHATSAPP_BUSINESS_ACCOUNT_ID must be the numeric WABA id").optional(),
  AZURE_STORAGE_CONNECTION_STRING: optional,
  AZURE_STORAGE_ACCOUNT_NAME: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, "AZURE_STORAGE_ACCOUNT_NAME must be 3-24 lower-case letters and digits")
    .optional(),
  BRIDGE_ADMINS: optional,
  BRIDGE_STAFF: optional,
  ALLOWED_TENANT_IDS: optional,
  REPLY_MODE: z.enum(["all", "mention"], { error: "REPLY_MODE must be all or mention" }).default("all"),
  NOTE_PREFIX: z.string().default("//"),
  SEND_PREFIX: z.string().default("!"),
  TENANT_LINK_HOSTS: optional,
  TEAMS_SERVICE_URL_HOSTS: z.string().default(defaultServiceUrlHosts),
  WHATSAPP_MEDIA_HOSTS: z.string().default(defaultMediaHosts),
  STOP_KEYWORDS: z.string().default("STOP,UNSUBSCRIBE,STOPP,ARRÊT,BAJA,PARAR"),
  START_KEYWORDS: z.string().default("START"),
  FIRST_CONTACT_NOTICE: optional,
  POLICY_CARD_NUMBERS: flag("POLICY_CARD_NUMBERS", true),
  POLICY_IBANS: flag("POLICY_IBANS", true),
  POLICY_BLOCKED_WORDS: optional,
  POLICY_BLOCKED_PATTERNS: optional,
  WHATSAPP_MESSAGES_PER_SECOND: z.coerce
    .number({ error: "WHATSAPP_MESSAGES_PER_SECOND must be a number" })
    .positive("WHATSAPP_MESSAGES_PER_SECOND must be positive")
    .max(10_000, "WHATSAPP_MESSAGES_PER_SECOND must be at most 10000")
    .default(80),
  WHATSAPP_PAIR_INTERVAL_MS: z.coerce
    .number({ error: "WHATSAPP_PAIR_INTERVAL_MS must be a number" })
    .int()
    .min(0, "WHATSAPP_PAIR_INTERVAL_MS must not be negative")
    .default(6000),
  WHATSAPP_PAIR_BURST: z.coerce
    .number({ error: "WHATSAPP_PAIR_BURST must be a number" })
    .int()
    .min(1, "WHATSAPP_PAIR_BURST must be at least 1")
    .max(45, "WHATSAPP_PAIR_BURST must be at most 45")
    .default(10),
  MEDIA_STORE: z.enum(["local", "sharepoint"], { error: "MEDIA_STORE must be local or sharepoint" }).optional(),
  MEDIA_LOCAL_DIR: z.string().default(".data/media"),
  MEDIA_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "MEDIA_PUBLIC_URL must be an http(s) URL such as https://bridge.example.com" }).optional(),
  MEDIA_SHAREPOINT_DRIVE_ID: optional,
  MEDIA_SHAREPOINT_FOLDER: z.string().default("WhatsApp media"),
  MS_GRAPH_URL: z
    .url({ protocol: /^https?$/, error: "MS_GRAPH_URL must be an http(s) URL such as https://graph.microsoft.com/v1.0" })
    .default("https://graph.microsoft.com/v1.0"),
  MEDIA_LINK_TTL_HOURS: z.coerce
    .number({ error: "MEDIA_LINK_TTL_HOURS must be a number" })
    .positive("MEDIA_LINK_TTL_HOURS must be positive")
    .max(8_760, "MEDIA_LINK_TTL_HOURS must be at most 8760 (a year)")
    .default(24),
  MEDIA_RISKY_FILES: z.enum(["quarantine", "flag", "block"], { error: "MEDIA_RISKY_FILES must be quarantine, flag or block" }).default("quarantine"),
  MEDIA_RISKY_EXTENSIONS: optional,
  MEDIA_DOWNLOAD_TIMEOUT_MS: z.coerce
    .number({ error: "MEDIA_DOWNLOAD_TIMEOUT_MS must be a number" })
    .int()
    .min(1_000, "MEDIA_DOWNLOAD_TIMEOUT_MS must be at least 1000")
    .max(600_000, "MEDIA_DOWNLOAD_TIMEOUT_MS must be at most 600000")
    .default(60_000),
  INBOUND_REORDER_MS: z.coerce
    .number({ error: "INBOUND_REORDER_MS must be a number" })
    .int()
    .min(0, "INBOUND_REORDER_MS must not be negative")
    .max(10_000, "INBOUND_REORDER_MS must be at most 10000")
    .default(500),
  TEAMS_TENANT_REQUESTS_PER_SECOND: z.coerce
    .number({ error: "TEAMS_TENANT_REQUESTS_PER_SECOND must be a number" })
    .positive("TEAMS_TENANT_REQUESTS_PER_SECOND must be positive")
    .max(1000, "TEAMS_TENANT_REQUESTS_PER_SECOND must be at most 1000")
    .default(50),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent" })
    .default("info"),
  JOURNAL_CONTAINER: z
    .string()
    .regex(containerNamePattern, "JOURNAL_CONTAINER must be a blob container name: 3-63 lower-case letters, digits and single hyphens")
    .default("webhook-journal"),
  LEASE_CONTAINER: z
    .string()
    .regex(containerNamePattern, "LEASE_CONTAINER must be a blob container name: 3-63 lower-case letters, digits and single hyphens")
    .default("bridge-leases"),
  LEASE_DURATION_SECONDS: z.coerce
    .number({ error: "LEASE_DURATION_SECONDS must be a number" })
    .int("LEASE_DURATION_SECONDS must be whole seconds")
    .min(15, "LEASE_DURATION_SECONDS must be between 15 and 60")
    .max(60, "LEASE_DURATION_SECONDS must be between 15 and 60")
    .default(30),
  LEASE_RENEW_SECONDS: z.coerce.number({ error: "LEASE_RENEW_SECONDS must be a number" }).positive("LEASE_RENEW_SECONDS must be positive").optional(),
  /** Set by Azure App Service / Container Apps: the instance (replica) this process runs on. */
  WEBSITE_INSTANCE_ID: optional,
  CONTAINER_APP_REPLICA_NAME: optional,
  /** Signs of a real deployment (set by Azure, read only to refuse BOT_AUTH_DISABLED): managed identity, App Service, Container Apps. */
  IDENTITY_ENDPOINT: optional,
  MSI_ENDPOINT: optional,
  WEBSITE_SITE_NAME: optional,
  CONTAINER_APP_NAME: optional,
  OUTBOX_REQUEUE_SECONDS: z.coerce
    .number({ error: "OUTBOX_REQUEUE_SECONDS must be a number" })
    .min(1, "OUTBOX_REQUEUE_SECONDS must be at least 1")
    .max(86_400, "OUTBOX_REQUEUE_SECONDS must be at most 86400")
    .default(300),
  WHATSAPP_RATE_LIMIT_RESENDS: z.coerce
    .number({ error: "WHATSAPP_RATE_LIMIT_RESENDS must be a number" })
    .int("WHATSAPP_RATE_LIMIT_RESENDS must be a whole number")
    .min(0, "WHATSAPP_RATE_LIMIT_RESENDS must not be negative")
    .max(10, "WHATSAPP_RATE_LIMIT_RESENDS must be at most 10")
    .default(3),
  INBOX_MAX_IN_MEMORY: z.coerce
    .number({ error: "INBOX_MAX_IN_MEMORY must be a number" })
    .int()
    .min(10, "INBOX_MAX_IN_MEMORY must be at least 10")
    .max(100_000, "INBOX_MAX_IN_MEMORY must be at most 100000")
    .default(2_000),
  LINK_PROBE_SECONDS: z.coerce
    .number({ error: "LINK_PROBE_SECONDS must be a number" })
    .min(5, "LINK_PROBE_SECONDS must be at least 5")
    .max(3600, "LINK_PROBE_SECONDS must be at most 3600")
    .default(60),
  INBOX_POLL_SECONDS: z.coerce
    .number({ error: "INBOX_POLL_SECONDS must be a number" })
    .min(0.1, "INBOX_POLL_SECONDS must be at least 0.1")
    .max(300, "INBOX_POLL_SECONDS must be at most 300")
    .default(5),
  // The Azure portal's connection string of an Application Insights resource: traces and metrics go there.
  APPLICATIONINSIGHTS_CONNECTION_STRING: z
    .string()
    .regex(
      /(^|;)InstrumentationKey=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(;|$)/i,
      "APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)",
    )
    .optional(),
  COMPLIANCE_AUDIT_HOURS: z.coerce
    .number({ error: "COMPLIANCE_AUDIT_HOURS must be a number of hours" })
    .int("COMPLIANCE_AUDIT_HOURS must be whole hours")
    .min(1, "COMPLIANCE_AUDIT_HOURS must be at least 1")
    .max(168, "COMPLIANCE_AUDIT_HOURS must be at most 168 (a week)")
    .default(24),
  // Meta retries a webhook for up to 7 days: an event purged sooner could be taken for a new one.
  RETENTION_DAYS: z.coerce
    .number({ error: "RETENTION_DAYS must be a number of days" })
    .int("RETENTION_DAYS must be whole days")
    .min(7, "RETENTION_DAYS must be at least 7 (Meta retries a webhook for up to 7 days)")
    .max(36_500, "RETENTION_DAYS must be at most 36500")
    .default(30),
});
