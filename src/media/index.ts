/**
 * Where customers' files are kept (docs/architecture.md, "Layout" `media/`): SharePoint through Microsoft Graph in
 * production, a local folder served by the bridge in local modes. The composition root calls
 * `createMediaStore`; the rest is exported for tests and tools.
 */
import { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import type { Logger } from "../core/ports/logger";
import type { MediaStore } from "../core/ports/media-store";
import type { HttpRoute } from "../http/http-route";
import { GraphMediaStore } from "./graph-media-store";
import { graphToken } from "./graph-token";
import { LocalMediaStore } from "./local-media-store";
import { createMediaRoutes } from "./media-routes";

export { GraphMediaStore, type GraphMediaStoreOptions } from "./graph-media-store";
export { LocalMediaStore, MEDIA_ROUTE_PREFIX, type LinkProof, type LocalMediaStoreOptions } from "./local-media-store";
export { createMediaRoutes } from "./media-routes";
export { safeFileName } from "./safe-name";
export { graphToken, GRAPH_SCOPE } from "./graph-token";

export type MediaStoreSettings =
  | { readonly kind: "local"; readonly directory: string; readonly publicUrl?: string; readonly linkTtlMs: number }
  /** `driveId`: one library for every team (an override); unset, each team's own site. */
  | { readonly kind: "sharepoint"; readonly driveId?: string; readonly folder: string; readonly msGraphUrl: string };

/** The bot's Entra identity (botbuilder's keys), reused for Microsoft Graph. */
export interface GraphIdentity {
  readonly appType?: string;
  readonly appId?: string;
  readonly tenantId?: string;
  readonly password?: string;
}

export interface MediaSetup {
  readonly store: MediaStore;
  /** Routes serving kept files (local store only). */
  readonly routes: HttpRoute[];
  /** Tells a local store the bridge's address once the server listens (unless a public URL is configured). */
  setServerUrl(url: string): void;
  /**
   * Retention of the bridge's own copies (local store only): removes the files kept before `olderThan`
   * (epoch ms), returns how many. SharePoint files are the tenant's, under its retention policies.
   */
  readonly purgeOlderThan?: (olderThan: number) => Promise<number>;
}

/**
 * The app token source for Graph: the bot's user-assigned managed identity, or its client secret, else
 * whatever `DefaultAzureCredential` finds (environment, workload identity, managed identity).
 */
export function graphCredential(identity: GraphIdentity): TokenCredential {
  if (identity.appType === "UserAssignedMsi" && identity.appId) return new ManagedIdentityCredential({ clientId: identity.appId });
  if (identity.appType === "SingleTenant" && identity.appId && identity.tenantId && identity.password) {
    return new ClientSecretCredential(identity.tenantId, identity.appId, identity.password);
  }
  return new DefaultAzureCredential();
}

/** True when the bot's identity names how to get a Graph token (not left to `DefaultAzureCredential`'s search). */
export function hasGraphIdentity(identity: GraphIdentity): boolean {
  if (identity.appType === "UserAssignedMsi") return !!identity.appId;
  return identity.appType === "SingleTenant" && !!identity.appId && !!identity.tenantId && !!identity.password;
}

/**
 * A Graph app-token function for users outside this folder (the Teams thread check after a crash), so
 * they need not know @azure/identity. Undefined when there is nothing to get a token with: no `credential`
 * (tests), no configured identity, and no `fallback` (true when Graph is set up anyway, e.g. the
 * SharePoint media store, so `DefaultAzureCredential` is expected to work).
 */
export function graphTokenSource(identity: GraphIdentity, credential?: TokenCredential, fallback = false): (() => Promise<string>) | undefined {
  if (!credential && !fallback && !hasGraphIdentity(identity)) return undefined;
  const source = credential ?? graphCredential(identity);
  return () => graphToken(source);
}

/** Builds the configured media store. `credential` replaces the Graph token source (tests). */
export function createMediaStore(settings: MediaStoreSettings, identity: GraphIdentity, logger: Logger, credential?: TokenCredential): MediaSetup {
  if (settings.kind === "sharepoint") {
    logger.info("media.store", { kind: "sharepoint", folder: settings.folder, library: settings.driveId ? "configured" : "each team's own" });
    return {
      store: new GraphMediaStore({
        msGraphUrl: settings.msGraphUrl,
        credential: credential ?? graphCredential(identity),
        ...(settings.driveId ? { driveId: settings.driveId } : {}),
        folder: settings.folder,
      }),
      routes: [],
      setServerUrl: () => {},
    };
  }
  let base = settings.publicUrl;
  const store = new LocalMediaStore({ directory: settings.directory, publicBaseUrl: () => base ?? "http://127.0.0.1", linkTtlMs: settings.linkTtlMs });
  logger.info("media.store", { kind: "local", directory: settings.directory, linkTtlHours: settings.linkTtlMs / 3_600_000 });
  return {
    store,
    routes: createMediaRoutes({ store, logger }),
    setServerUrl: (url) => {
      base ??= url;
    },
    purgeOlderThan: (olderThan) => store.purgeOlderThan(olderThan),
  };
}
