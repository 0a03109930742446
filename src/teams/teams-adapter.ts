import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from "botbuilder";
import type { ServiceClientCredentialsFactory } from "botframework-connector";
import { connectorHttpClient } from "./connector-http-client";
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
 * would count as "set" for the all-or-nothing override keys, docs/protocols.md B16). With auth disabled the
 * identity keys are dropped too, so botbuilder's factory reports authentication disabled.
 */
export function botbuilderAuthConfig(
  auth: Readonly<Record<string, string | undefined>>,
  authDisabled: boolean,
): ConfigurationBotFrameworkAuthenticationOptions {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(auth)) {
    if (value === undefined || value.trim() === "") continue;
    if (authDisabled && IDENTITY_KEYS.includes(key)) continue;
    config[key] = value;
  }
  return config as ConfigurationBotFrameworkAuthenticationOptions;
}

/**
 * botbuilder's CloudAdapter, constructed with a guarded authentication (guarded-connector.ts) over
 * botbuilder's own ConfigurationBotFrameworkAuthentication, whose connector clients send through
 * connector-http-client.ts: only allowed serviceUrl hosts, one attempt per call, a timeout, the rate
 * limiter. Two of botbuilder's authentications share one credentials factory: one serves inbound turns
 * (their replies go ahead of queued posts), the other proactive calls. teams-ai's TeamsAdapter is not
 * used: its constructor always builds its own authentication, so there is no way to hand it this one.
 */
export function createBridgeAdapter(options: {
  config: ConfigurationBotFrameworkAuthenticationOptions;
  credentialsFactory?: ServiceClientCredentialsFactory;
  guard: ConnectorGuardOptions;
}): CloudAdapter {
  const { config, guard } = options;
  const credentialsFactory = options.credentialsFactory ?? new ConfigurationServiceClientCredentialFactory(config);
  const authentication = (inTurn: boolean) =>
    new ConfigurationBotFrameworkAuthentication(config, credentialsFactory, undefined, undefined, {
      httpClient: connectorHttpClient({
        serviceUrlHosts: guard.serviceUrlHosts,
        requestTimeoutMs: guard.requestTimeoutMs,
        ...(guard.limiter ? { limiter: guard.limiter } : {}),
        first: inTurn,
      }),
    });
  return new CloudAdapter(new GuardedBotFrameworkAuthentication(authentication(true), guard, authentication(false)));
}
