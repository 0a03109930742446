import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAllTests } from "./root-hooks";
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from "jose";

/**
 * A local OpenID issuer standing in for the Bot Framework's token service (docs/protocols.md B16), on
 * 127.0.0.1 with an ephemeral port:
 * - `GET /.well-known/openidconfiguration` → `{ issuer, jwks_uri, id_token_signing_alg_values_supported }`
 * - `GET /keys` → the JWKS, each key endorsed for `msteams` (as the real Bot Framework keys are)
 * - `GET /msi/token` → an Azure App Service managed-identity endpoint (what @azure/identity calls when
 *   `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` are set), handing out tokens for the bot's outbound calls.
 * Tokens it mints are real RS256 JWTs, so botbuilder's own validation runs unchanged.
 */

export interface MintOptions {
  /** The audience: the bot's app id for inbound tokens. */
  readonly aud: string;
  /** Default: the issuer's own `issuer`. */
  readonly iss?: string;
  /** The `serviceurl` claim; botbuilder requires it to equal the activity's serviceUrl. */
  readonly serviceUrl?: string;
  /** Seconds until expiry (negative: already expired). Default 3600. */
  readonly expiresIn?: number;
  /** Seconds from now before which the token is not valid (positive: in the future). */
  readonly notBefore?: number;
  /** Header `kid`; default the published key's id. An unknown kid is not in the JWKS. */
  readonly kid?: string;
  /** Default RS256. HS256 is signed with a random secret (a token botbuilder must refuse). */
  readonly alg?: "RS256" | "RS384" | "RS512" | "HS256";
  /** "published" (default) signs with the key in the JWKS; "unpublished" with another RSA key under the same kid (a bad signature). */
  readonly signWith?: "published" | "unpublished";
  /** Extra claims. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface TokenIssuer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The `iss` of minted tokens (and botbuilder's ToBotFromChannelTokenIssuer). */
  readonly issuer: string;
  readonly metadataUrl: string;
  /** The audience botbuilder asks managed identity for (ToChannelFromBotOAuthScope). */
  readonly connectorScope: string;
  /** The kid of the published key. */
  readonly kid: string;
  /** Managed-identity token requests served so far. */
  readonly msiRequests: ReadonlyArray<{ readonly resource: string | undefined; readonly clientId: string | undefined }>;
  mint(options: MintOptions): Promise<string>;
  /**
   * botbuilder configuration for `createTeamsBot({ auth })`: every override key points here (setting
   * one makes botbuilder use only the given ones, toolchain-notes). `UserAssignedMsi` makes outbound calls
   * fetch tokens from `/msi/token` once `managedIdentityEnv()` is in `process.env`.
   */
  authConfig(identity: { appId: string; tenantId: string }): Record<string, string>;
  /** The environment variables @azure/identity reads to reach this managed-identity endpoint. */
  managedIdentityEnv(): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** Checks that an Authorization header carries a token this issuer minted for the connector scope. */
  isConnectorToken(authorization: string | undefined): Promise<boolean>;
  close(): Promise<void>;
}

interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function newRsaKey(alg: "RS256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(payload)) });
  res.end(payload);
}

/**
 * Starts an issuer. For outbound managed-identity tokens use `sharedTokenIssuer()` instead (see there);
 * a private issuer is fine for inbound tokens only.
 */
export async function startTokenIssuer(): Promise<TokenIssuer> {
  const [published, unpublished] = await Promise.all([newRsaKey("RS256"), newRsaKey("RS256")]);
  const kid = `test-key-${randomUUID().slice(0, 8)}`;
  const identityHeader = randomBytes(16).toString("hex");
  const msiRequests: Array<{ resource: string | undefined; clientId: string | undefined }> = [];
  let base = "";

  const state = {
    get issuer() {
      return `${base}/issuer`;
    },
    get connectorScope() {
      return `${base}/connector`;
    },
  };

  const mint = async (o: MintOptions): Promise<string> => {
    const alg = o.alg ?? "RS256";
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ ...(o.serviceUrl !== undefined ? { serviceurl: o.serviceUrl } : {}), ...o.claims })
      .setProtectedHeader({ alg, kid: o.kid ?? kid, typ: "JWT" })
      .setIssuer(o.iss ?? state.issuer)
      .setAudience(o.aud)
      .setIssuedAt(now - 10)
      .setExpirationTime(now + (o.expiresIn ?? 3600));
    if (o.notBefore !== undefined) jwt.setNotBefore(now + o.notBefore);
    if (alg === "HS256") return jwt.sign(randomBytes(32));
    return jwt.sign((o.signWith === "unpublished" ? unpublished : published).privateKey);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", base);
    if (url.pathname === "/.well-known/openidconfiguration") {
      sendJson(res, 200, {
        issuer: state.issuer,
        jwks_uri: `${base}/keys`,
        id_token_signing_alg_values_supported: ["RS256"],
        token_endpoint_auth_methods_supported: ["private_key_jwt"],
      });
    } else if (url.pathname === "/keys") {
      sendJson(res, 200, { keys: [{ ...published.publicJwk, kid, use: "sig", alg: "RS256", endorsements: ["msteams"] }] });
    } else if (url.pathname === "/msi/token") {
      if (req.headers["x-identity-header"] !== identityHeader) {
        sendJson(res, 401, { error: "invalid identity header" });
        return;
      }
      const resource = url.searchParams.get("resource") ?? undefined;
      const clientId = url.searchParams.get("client_id") ?? undefined;
      msiRequests.push({ resource, clientId });
      const expiresOn = Math.floor(Date.now() / 1000) + 3600;
      const token = await mint({ aud: resource ?? state.connectorScope, claims: clientId ? { appid: clientId } : {} });
      sendJson(res, 200, { access_token: token, expires_on: String(expiresOn), resource, token_type: "Bearer", client_id: clientId });
    } else {
      sendJson(res, 404, { error: "not found" });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendJson(res, 500, { error: String(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    issuer: state.issuer,
    metadataUrl: `${base}/.well-known/openidconfiguration`,
    connectorScope: state.connectorScope,
    kid,
    msiRequests,
    mint,
    authConfig: ({ appId, tenantId }) => ({
      MicrosoftAppId: appId,
      MicrosoftAppType: "UserAssignedMsi",
      MicrosoftAppTenantId: tenantId,
      ToBotFromChannelOpenIdMetadataUrl: `${base}/.well-known/openidconfiguration`,
      ToBotFromChannelTokenIssuer: state.issuer,
      ToBotFromEmulatorOpenIdMetadataUrl: `${base}/.well-known/openidconfiguration`,
      ToChannelFromBotLoginUrl: `${base}/login`,
      ToChannelFromBotOAuthScope: state.connectorScope,
      OAuthUrl: `${base}/oauth`,
      CallerId: "urn:botframework:test",
      ValidateAuthority: "false",
    }),
    managedIdentityEnv: () => ({ IDENTITY_ENDPOINT: `${base}/msi/token`, IDENTITY_HEADER: identityHeader }),
    async isConnectorToken(authorization) {
      const match = /^Bearer (.+)$/.exec(authorization ?? "");
      if (!match) return false;
      const keys = createLocalJWKSet({ keys: [{ ...published.publicJwk, kid, alg: "RS256" }] });
      try {
        await jwtVerify(match[1]!, keys, { issuer: state.issuer, audience: state.connectorScope });
        return true;
      } catch (err) {
        if (err instanceof Error && "code" in err) return false; // a jose verification error: not our token
        throw err;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

let shared: Promise<TokenIssuer> | undefined;

/**
 * The issuer shared by every suite of a test run, with `managedIdentityEnv()` applied to `process.env`.
 * One per process because MSAL keeps the managed-identity endpoint it first found in a static
 * (`ManagedIdentityClient.identitySource`): a second issuer on another port would never be asked.
 * Stopped, and the environment restored, after all tests (root-hooks.ts).
 */
export function sharedTokenIssuer(): Promise<TokenIssuer> {
  shared ??= startTokenIssuer().then((issuer) => {
    const saved: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(issuer.managedIdentityEnv())) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    afterAllTests(async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      shared = undefined;
      await issuer.close();
    });
    return issuer;
  });
  return shared;
}
