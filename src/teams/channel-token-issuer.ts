import { AuthenticationConstants, GovernmentConstants } from "botframework-connector";

/**
 * Teams reaches the bot only through the Bot Framework channel service, whose tokens all carry its one
 * issuer. botbuilder also accepts Bot Framework Emulator tokens (Entra ID tokens issued to the bot's own
 * app id, checked against another OpenID configuration) and skill tokens from other bots; neither comes
 * from Teams, so the messages route refuses any token whose issuer is not the channel service's before
 * botbuilder sees it (docs/security.md, "Adversarial cases").
 */

/** The issuer of channel tokens for these botbuilder settings (its test override, the US Government cloud, or public). */
export function channelTokenIssuer(auth: Readonly<Record<string, string | undefined>>): string {
  const override = auth.ToBotFromChannelTokenIssuer?.trim();
  if (override) return override;
  return auth.ChannelService?.trim() === GovernmentConstants.ChannelService
    ? GovernmentConstants.ToBotFromChannelTokenIssuer
    : AuthenticationConstants.ToBotFromChannelTokenIssuer;
}

/**
 * The `iss` claim of a `Bearer <JWT>` header, read without verifying anything (botbuilder verifies the
 * token afterwards); undefined when the header holds no readable JWT.
 */
export function unverifiedIssuer(authorization: string): string | undefined {
  const payload = /^Bearer [^.\s]+\.([^.\s]+)\.[^.\s]*$/.exec(authorization)?.[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const iss = typeof claims === "object" && claims !== null ? (claims as { iss?: unknown }).iss : undefined;
    return typeof iss === "string" ? iss : undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // not JSON: botbuilder refuses it in any case
    throw err;
  }
}
