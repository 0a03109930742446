import type { TokenCredential } from "@azure/identity";
import { TransientError } from "../core/errors";

/** The app-only scope of Microsoft Graph: whatever the app was granted (application or RSC permissions). */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/**
 * An app token for Microsoft Graph from `credential` (managed identity or client secret; @azure/identity
 * caches and refreshes it). Shared by everything that calls Graph: the SharePoint media store and the
 * thread check after a crash (compose hands the latter this as a plain function, since src/teams may not
 * import @azure/identity). A failure is a `TransientError` with `code`; the token is never in a message.
 */
export async function graphToken(credential: TokenCredential, code = "graph.token_failed"): Promise<string> {
  try {
    const token = await credential.getToken(GRAPH_SCOPE);
    if (!token?.token) throw new Error("no token returned");
    return token.token;
  } catch (err) {
    throw new TransientError(code, `could not get a Microsoft Graph token: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
