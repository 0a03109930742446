import { TeamsAdapter } from "@microsoft/teams-ai";
import type { ConfigurationBotFrameworkAuthenticationOptions } from "botbuilder";
import type { BotFrameworkAuthentication, ServiceClientCredentialsFactory } from "botframework-connector";
import { GuardedBotFrameworkAuthentication, type ConnectorGuardOptions } from "./guarded-connector";

/**
 * The app id used when authentication is disabled (local demo, tests). botbuilder needs a non-empty id in
 * some proactive paths; with auth disabled its credentials factory ignores the id and sends no token.
 */
export const AUTH_DISABLED_BOT_APP_ID = "00000000-0000-0000-0000-00000000b07d";

/** botbuilder configuration keys that describe the bot's identity, removed when auth is disabled. */
const IDENTITY_KEYS = ["MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId", "CertificateThumbprint", "CertificatePrivateKey"];

/**
 * botbuilder's own configuration from our options: unset and empty values are dropped (an empty string
 * would count as "set" for the all-or-nothing override keys, protocols.md B16). With auth disabled the
 * identity keys are dropped too, so botbuilder's factory reports authentication disabled.
 */
export function botbuilderAuthConfig(auth: Readonly<Record<string, string | undefined>>, authDisabled: boolean): ConfigurationBotFrameworkAuthenticationOptions {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(auth)) {
    if (value === undefined || value.trim() === "") continue;
    if (authDisabled && IDENTITY_KEYS.includes(key)) continue;
    config[key] = value;
  }
  return config as ConfigurationBotFrameworkAuthenticationOptions;
}

/**
 * teams-ai's TeamsAdapter (botbuilder's CloudAdapter) whose outbound connectors are guarded: only
 * allowed serviceUrl hosts, one attempt per call, a timeout (see guarded-connector.ts).
 */
export class BridgeTeamsAdapter extends TeamsAdapter {
  constructor(options: {
    config: ConfigurationBotFrameworkAuthenticationOptions;
    credentialsFactory?: ServiceClientCredentialsFactory;
    guard: ConnectorGuardOptions;
  }) {
    super(options.config, options.credentialsFactory);
    const self = this as unknown as { botFrameworkAuthentication: BotFrameworkAuthentication };
    self.botFrameworkAuthentication = new GuardedBotFrameworkAuthentication(self.botFrameworkAuthentication, options.guard);
  }
}
