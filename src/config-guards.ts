/**
 * The fail-closed rules of the configuration (docs/security.md): settings that would
 * open the bridge to callers it cannot authenticate are refused at start-up, each with one line naming
 * the variable and why. Pure functions over the variables as given; only config.ts calls them.
 */

/** `NODE_ENV` values that mean production, in any case: `production`, `Production`, `PROD`, `prod`... */
export function isProductionEnv(nodeEnv: string | undefined): boolean {
  return /^(production|prod)$/i.test((nodeEnv ?? "").trim());
}

/** Listen addresses that only this machine can reach. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

/** Variables holding a secret: checked against the placeholders below when the rules are strict. */
export const SECRET_VARIABLES = ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN", "MicrosoftAppPassword"] as const;

/**
 * The secret placeholders of `.env.example` (a unit test keeps this list and the file in step). Any value
 * starting `change-me` is refused as well.
 */
export const PLACEHOLDER_SECRETS: readonly string[] = ["change-me-app-secret", "change-me-verify-token", "change-me-access-token"];

/** The webhook secrets an attacker could otherwise guess (the app secret signs, the verify token answers Meta's handshake). */
const MIN_SECRET_LENGTH = 16;
const LENGTH_CHECKED = ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"] as const;

/** botbuilder's test override keys: each replaces a part of Microsoft's token validation or issuance. */
export const BOTBUILDER_OVERRIDE_KEYS = [
  "ToBotFromChannelOpenIdMetadataUrl",
  "ToBotFromChannelTokenIssuer",
  "ToBotFromEmulatorOpenIdMetadataUrl",
  "ToChannelFromBotLoginUrl",
  "ToChannelFromBotOAuthScope",
  "OAuthUrl",
  "CallerId",
  "ValidateAuthority",
] as const;

type Vars = Readonly<Record<string, string | undefined>>;

/**
 * `BOT_AUTH_DISABLED=true` accepts activities without a token: allowed only for a bridge that listens on
 * loopback and has no sign of a real deployment (production, a bot password, a managed identity, an
 * Azure host).
 */
export function authDisabledProblems(vars: Vars, production: boolean, host: string): string[] {
  const problems: string[] = [];
  const refused = (why: string) => problems.push(`BOT_AUTH_DISABLED=true is refused ${why}`);
  if (production) refused(`when NODE_ENV=${vars.NODE_ENV} (production)`);
  if (vars.MicrosoftAppPassword) refused("when MicrosoftAppPassword is set (a real bot identity must check its callers' tokens)");
  const identity =
    vars.MicrosoftAppType === "UserAssignedMsi"
      ? "MicrosoftAppType=UserAssignedMsi"
      : vars.IDENTITY_ENDPOINT
        ? "IDENTITY_ENDPOINT"
        : vars.MSI_ENDPOINT
          ? "MSI_ENDPOINT"
          : undefined;
  if (identity) refused(`when a managed identity is present (${identity} is set)`);
  const azure = vars.WEBSITE_SITE_NAME ? "WEBSITE_SITE_NAME" : vars.CONTAINER_APP_NAME ? "CONTAINER_APP_NAME" : undefined;
  if (azure) refused(`on an Azure host (${azure} is set)`);
  if (!LOOPBACK_HOSTS.has(host.toLowerCase())) refused(`unless the bridge listens on loopback only (HOST=${host}; use 127.0.0.1, ::1 or localhost)`);
  return problems;
}

/**
 * With bot authentication on (always in production): no placeholder secret, and webhook secrets long
 * enough not to be guessed. Never echoes a value.
 */
export function secretProblems(vars: Vars): string[] {
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = vars[name]?.trim();
    if (value && (value.toLowerCase().startsWith("change-me") || PLACEHOLDER_SECRETS.includes(value))) {
      problems.push(`${name} is still a placeholder from .env.example: set the real value`);
    }
  }
  for (const name of LENGTH_CHECKED) {
    const value = vars[name];
    if (value && value.length < MIN_SECRET_LENGTH) problems.push(`${name} must be at least ${MIN_SECRET_LENGTH} characters when bot authentication is on`);
  }
  return problems;
}

/** In production the Bot Framework's real endpoints only: an override key would trust another issuer. */
export function overrideKeyProblems(vars: Vars): string[] {
  const set = BOTBUILDER_OVERRIDE_KEYS.filter((key) => vars[key] !== undefined);
  return set.length === 0
    ? []
    : [`${set.join(", ")} ${set.length === 1 ? "is" : "are"} refused in production (botbuilder's test overrides replace Microsoft's token validation)`];
}
