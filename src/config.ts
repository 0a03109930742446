import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { z } from "zod/v4";

/**
 * The environment of design.md §6, validated with zod. This is the ONLY module that reads `process.env`;
 * everything else receives its slice of `Config` from the composition root.
 */

/** botbuilder's own configuration keys, passed through unchanged (protocols.md B16). */
export const botbuilderKeys = [
  "MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId",
  "ToBotFromChannelOpenIdMetadataUrl", "ToBotFromChannelTokenIssuer", "ToBotFromEmulatorOpenIdMetadataUrl",
  "ToChannelFromBotLoginUrl", "ToChannelFromBotOAuthScope", "OAuthUrl", "CallerId", "ValidateAuthority",
] as const;

/** Microsoft's Teams service hosts (public cloud, GCC, GCC High, DoD; protocols.md B2). */
const defaultServiceUrlHosts = "smba.trafficmanager.net,smba.infra.gcc.teams.microsoft.com,smba.infra.gov.teams.microsoft.us,smba.infra.dod.teams.microsoft.us";
/** Meta's media hosts (protocols.md A12); a leading dot allows subdomains. */
const defaultMediaHosts = "lookaside.fbsbx.com,.fbcdn.net,.whatsapp.net";

const csv = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const optional = z.string().optional();
const flag = (name: string) => z.enum(["true", "false", "1", "0"], { error: `${name} must be true or false` }).optional().transform((v) => v === "true" || v === "1");

const schema = z.object({
  NODE_ENV: optional,
  PORT: z.coerce.number({ error: "PORT must be a number" }).int().min(1, "PORT must be between 1 and 65535").max(65535, "PORT must be between 1 and 65535").default(3978),
  HOST: optional,
  BOT_AUTH_DISABLED: flag("BOT_AUTH_DISABLED"),
  MicrosoftAppId: optional,
  MicrosoftAppPassword: optional,
  MicrosoftAppType: z.enum(["SingleTenant", "UserAssignedMsi", "MultiTenant"], { error: "MicrosoftAppType must be SingleTenant, UserAssignedMsi or MultiTenant" }).optional(),
  MicrosoftAppTenantId: optional,
  WHATSAPP_APP_SECRET: z.string({ error: "WHATSAPP_APP_SECRET is required (the Meta app secret that signs webhooks)" }),
  WHATSAPP_VERIFY_TOKEN: z.string({ error: "WHATSAPP_VERIFY_TOKEN is required (the token of Meta's webhook verification)" }),
  WHATSAPP_ACCESS_TOKEN: z.string({ error: "WHATSAPP_ACCESS_TOKEN is required (the system-user token for the Graph API)" }),
  WHATSAPP_GRAPH_URL: z.url({ protocol: /^https?$/, error: "WHATSAPP_GRAPH_URL must be an http(s) URL such as https://graph.facebook.com/v25.0" }).default("https://graph.facebook.com/v25.0"),
  WHATSAPP_BUSINESS_ACCOUNT_ID: z.string().regex(/^\d+$/, "WHATSAPP_BUSINESS_ACCOUNT_ID must be the numeric WABA id").optional(),
  AZURE_STORAGE_CONNECTION_STRING: optional,
  AZURE_STORAGE_ACCOUNT_NAME: z.string().regex(/^[a-z0-9]{3,24}$/, "AZURE_STORAGE_ACCOUNT_NAME must be 3-24 lower-case letters and digits").optional(),
  BRIDGE_ADMINS: optional,
  ALLOWED_TENANT_IDS: optional,
  REPLY_MODE: z.enum(["all", "mention"], { error: "REPLY_MODE must be all or mention" }).default("all"),
  NOTE_PREFIX: z.string().default("//"),
  TEAMS_SERVICE_URL_HOSTS: z.string().default(defaultServiceUrlHosts),
  WHATSAPP_MEDIA_HOSTS: z.string().default(defaultMediaHosts),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent" }).default("info"),
});

export type StorageConfig =
  | { readonly kind: "connection-string"; readonly connectionString: string }
  | { readonly kind: "account"; readonly accountName: string }
  | { readonly kind: "embedded"; readonly location: string };

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
  readonly whatsapp: {
    readonly appSecret: string;
    readonly verifyToken: string;
    readonly accessToken: string;
    readonly graphUrl: string;
    readonly businessAccountId?: string;
    readonly mediaHosts: readonly string[];
  };
  readonly storage: StorageConfig;
  readonly bridge: { readonly admins: readonly string[]; readonly replyMode: "all" | "mention"; readonly notePrefix: string };
  readonly logLevel: string;
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
  const production = e.NODE_ENV === "production";

  const auth: Record<string, string> = {};
  for (const key of botbuilderKeys) if (clean[key] !== undefined) auth[key] = clean[key]!;
  if (e.BOT_AUTH_DISABLED) {
    if (production) problems.push("BOT_AUTH_DISABLED=true is refused when NODE_ENV=production");
  } else {
    if (!e.MicrosoftAppId) problems.push("MicrosoftAppId is required (or BOT_AUTH_DISABLED=true for local tests)");
    const type = e.MicrosoftAppType ?? "MultiTenant";
    if ((type === "SingleTenant" || type === "UserAssignedMsi") && !e.MicrosoftAppTenantId) problems.push(`MicrosoftAppTenantId is required when MicrosoftAppType=${type}`);
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
  else if (production) { problems.push("AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME is required when NODE_ENV=production"); storage = { kind: "embedded", location: "" }; }
  else storage = { kind: "embedded", location: ".data/azurite" };

  if (!e.NOTE_PREFIX.trim()) problems.push("NOTE_PREFIX must not be blank");
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);

  return Object.freeze({
    mode: production ? "production" : "local",
    http: { port: e.PORT, host: e.HOST ?? (production ? "0.0.0.0" : "127.0.0.1") },
    bot: { authDisabled: e.BOT_AUTH_DISABLED, auth, ...(e.MicrosoftAppId ? { appId: e.MicrosoftAppId } : {}) },
    allowedTenantIds,
    teamsServiceUrlHosts: csv(e.TEAMS_SERVICE_URL_HOSTS),
    whatsapp: {
      appSecret: e.WHATSAPP_APP_SECRET,
      verifyToken: e.WHATSAPP_VERIFY_TOKEN,
      accessToken: e.WHATSAPP_ACCESS_TOKEN,
      graphUrl: e.WHATSAPP_GRAPH_URL.replace(/\/+$/, ""),
      ...(e.WHATSAPP_BUSINESS_ACCOUNT_ID ? { businessAccountId: e.WHATSAPP_BUSINESS_ACCOUNT_ID } : {}),
      mediaHosts: csv(e.WHATSAPP_MEDIA_HOSTS),
    },
    storage,
    bridge: { admins: csv(e.BRIDGE_ADMINS), replyMode: e.REPLY_MODE, notePrefix: e.NOTE_PREFIX },
    logLevel: e.LOG_LEVEL,
  });
}

/**
 * The process environment, with a `.env` file in the working directory filled in underneath it
 * (a variable set in the real environment wins). Only the entry point calls this.
 */
export function readEnvironment(dotEnvPath = ".env"): Record<string, string | undefined> {
  const fromFile = existsSync(dotEnvPath) ? parseEnv(readFileSync(dotEnvPath, "utf8")) : {};
  return { ...fromFile, ...process.env };
}
