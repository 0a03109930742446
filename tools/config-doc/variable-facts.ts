/**
 * What docs/configuration.md says about each variable besides its meaning (which is its comment in
 * .env.example): the default when unset and whether a production deployment needs it. Every variable of
 * .env.example must have an entry here and nothing else may (the generator refuses otherwise), and each
 * literal default is checked against src/config.ts by tests/unit/docs: setting a variable to its
 * documented default must change nothing.
 */

export type DefaultFact =
  /** A value the tests set to prove it is the default. */
  | { readonly value: string }
  /** A default that depends on something else, in words. */
  | { readonly text: string }
  | "none";

export interface VariableFacts {
  readonly default: DefaultFact;
  /** Whether production needs it, in a few words ("no" when it does not). */
  readonly production: string;
}

const no = "no";
const required = "**required**";
const botbuilderOverride: VariableFacts = { default: { text: "the public cloud's, botbuilder's own" }, production: "no: refused in production" };

export const VARIABLE_FACTS: Readonly<Record<string, VariableFacts>> = {
  NODE_ENV: { default: { text: "unset: local mode" }, production: `${required}: \`production\` (or \`prod\`, in any case)` },
  PORT: { default: { value: "3978" }, production: no },
  HOST: { default: { text: "`0.0.0.0` in production, `127.0.0.1` in local mode" }, production: no },
  LOG_LEVEL: { default: { value: "info" }, production: no },
  APPLICATIONINSIGHTS_CONNECTION_STRING: { default: { text: "unset: no telemetry" }, production: "recommended (the deployment template sets it)" },

  MicrosoftAppId: { default: "none", production: required },
  MicrosoftAppPassword: { default: "none", production: `${required} with \`SingleTenant\` (no placeholder); empty with \`UserAssignedMsi\`` },
  MicrosoftAppType: {
    default: { text: "botbuilder's `MultiTenant`, which can no longer be registered" },
    production: `${required}: \`SingleTenant\` or \`UserAssignedMsi\``,
  },
  MicrosoftAppTenantId: { default: "none", production: required },
  ToBotFromChannelOpenIdMetadataUrl: botbuilderOverride,
  ToBotFromChannelTokenIssuer: botbuilderOverride,
  ToBotFromEmulatorOpenIdMetadataUrl: botbuilderOverride,
  ToChannelFromBotLoginUrl: botbuilderOverride,
  ToChannelFromBotOAuthScope: botbuilderOverride,
  OAuthUrl: botbuilderOverride,
  CallerId: botbuilderOverride,
  ValidateAuthority: botbuilderOverride,
  BOT_AUTH_DISABLED: { default: { value: "false" }, production: "must stay unset or `false` (refused)" },
  IDENTITY_ENDPOINT: { default: "none", production: "set by Azure when the app has a managed identity" },
  MSI_ENDPOINT: { default: "none", production: "set by Azure when the app has a managed identity (older hosts)" },
  WEBSITE_SITE_NAME: { default: "none", production: "set by App Service" },
  CONTAINER_APP_NAME: { default: "none", production: "set by Container Apps" },

  WHATSAPP_APP_SECRET: { default: "none", production: `${required} (in every mode); with bot auth on, 16 characters or more and no placeholder` },
  WHATSAPP_VERIFY_TOKEN: { default: "none", production: `${required} (in every mode); with bot auth on, 16 characters or more and no placeholder` },
  WHATSAPP_ACCESS_TOKEN: { default: "none", production: `${required} (in every mode); with bot auth on, no placeholder` },
  WHATSAPP_GRAPH_URL: { default: { value: "https://graph.facebook.com/v25.0" }, production: no },
  WHATSAPP_BUSINESS_ACCOUNT_ID: { default: "none", production: "recommended: templates, and `link` by the number as customers dial it" },
  WHATSAPP_MEDIA_HOSTS: { default: { value: "lookaside.fbsbx.com,.fbcdn.net,.whatsapp.net" }, production: no },
  MEDIA_DOWNLOAD_TIMEOUT_MS: { default: { value: "60000" }, production: no },
  MEDIA_RISKY_FILES: { default: { value: "quarantine" }, production: "no (decide with your security team)" },
  MEDIA_RISKY_EXTENSIONS: { default: { text: "the list in docs/security.md (programs, scripts, macro documents, disk images, web pages)" }, production: no },

  MEDIA_STORE: {
    default: { text: "`sharepoint` when `MEDIA_SHAREPOINT_DRIVE_ID` is set, else `local`" },
    production: `${required}: \`sharepoint\` (each team's files in its own site), or \`local\` set here explicitly`,
  },
  MEDIA_LOCAL_DIR: { default: { value: ".data/media" }, production: "with the local store: a folder that survives restarts" },
  MEDIA_PUBLIC_URL: { default: { text: "the address the bridge listens on" }, production: "with the local store: the bridge's public https address" },
  MEDIA_LINK_TTL_HOURS: { default: { value: "24" }, production: no },
  MEDIA_SHAREPOINT_DRIVE_ID: { default: { text: "each linked team's own library" }, production: "no: only to put every team's files in one library" },
  MEDIA_SHAREPOINT_FOLDER: { default: { value: "WhatsApp media" }, production: no },
  MS_GRAPH_URL: { default: { value: "https://graph.microsoft.com/v1.0" }, production: no },

  AZURE_STORAGE_CONNECTION_STRING: { default: { text: "unset: local mode starts an embedded Azurite" }, production: `one of the two ${required}` },
  AZURE_STORAGE_ACCOUNT_NAME: {
    default: { text: "unset: local mode starts an embedded Azurite" },
    production: `one of the two ${required} (the account name: managed identity, no key)`,
  },

  JOURNAL_CONTAINER: { default: { value: "webhook-journal" }, production: "no (give the container a WORM policy)" },
  LEASE_CONTAINER: { default: { value: "bridge-leases" }, production: no },
  LEASE_DURATION_SECONDS: { default: { value: "30" }, production: no },
  LEASE_RENEW_SECONDS: { default: { text: "a third of `LEASE_DURATION_SECONDS` (10)" }, production: no },
  INBOX_POLL_SECONDS: { default: { value: "5" }, production: no },
  LINK_PROBE_SECONDS: { default: { value: "60" }, production: no },
  RETENTION_DAYS: { default: { value: "30" }, production: "as the firm's policy says (at least 7)" },
  COMPLIANCE_AUDIT_HOURS: { default: { value: "24" }, production: no },
  INBOX_MAX_IN_MEMORY: { default: { value: "2000" }, production: no },
  OUTBOX_REQUEUE_SECONDS: { default: { value: "300" }, production: no },
  WEBSITE_INSTANCE_ID: { default: { text: "the host name" }, production: "set by App Service" },
  CONTAINER_APP_REPLICA_NAME: { default: { text: "the host name" }, production: "set by Container Apps" },

  BRIDGE_ADMINS: { default: { text: "nobody" }, production: `${required} in practice: nobody else can link a channel` },
  BRIDGE_STAFF: {
    default: { text: "every member of the linked team (not guests, not other tenants)" },
    production: "when only some members may write to customers",
  },
  ALLOWED_TENANT_IDS: { default: { text: "`MicrosoftAppTenantId`" }, production: `${required} unless \`MicrosoftAppTenantId\` is set` },
  TEAMS_SERVICE_URL_HOSTS: {
    default: { value: "smba.trafficmanager.net,smba.infra.gcc.teams.microsoft.com,smba.infra.gov.teams.microsoft.us,smba.infra.dod.teams.microsoft.us" },
    production: no,
  },

  INBOUND_REORDER_MS: { default: { value: "500" }, production: "with several instances: above `INBOX_POLL_SECONDS`" },
  TEAMS_TENANT_REQUESTS_PER_SECOND: { default: { value: "50" }, production: no },

  REPLY_MODE: { default: { value: "all" }, production: "no (`all` needs the app's resource-specific consent)" },
  NOTE_PREFIX: { default: { value: "//" }, production: no },
  SEND_PREFIX: { default: { value: "!" }, production: no },
  TENANT_LINK_HOSTS: { default: "none", production: "when SharePoint or OneDrive has your own domain" },

  STOP_KEYWORDS: { default: { value: "STOP,UNSUBSCRIBE,STOPP,ARRÊT,BAJA,PARAR" }, production: no },
  START_KEYWORDS: { default: { value: "START" }, production: no },
  FIRST_CONTACT_NOTICE: { default: { text: "off" }, production: "when your rules require telling customers they are recorded" },
  POLICY_CARD_NUMBERS: { default: { value: "true" }, production: no },
  POLICY_IBANS: { default: { value: "true" }, production: no },
  POLICY_BLOCKED_WORDS: { default: "none", production: "your compliance rules" },
  POLICY_BLOCKED_PATTERNS: { default: "none", production: "your compliance rules" },
  WHATSAPP_MESSAGES_PER_SECOND: { default: { value: "80" }, production: no },
  WHATSAPP_PAIR_INTERVAL_MS: { default: { value: "6000" }, production: no },
  WHATSAPP_PAIR_BURST: { default: { value: "10" }, production: no },
  WHATSAPP_RATE_LIMIT_RESENDS: { default: { value: "3" }, production: no },
};
