import type { TenantId } from "../../../src/core/ids";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Activity } from "botbuilder";
import { AppCredentials } from "botframework-connector";
import type { StaffCardAction, StaffMessage, StaffMessageHandler, StaffReply } from "../../../src/core/staff-message";
import type { HttpResponse, HttpRoute } from "../../../src/http/http-route";
import { createTeamsBot, type TeamsBot } from "../../../src/teams/teams-app";
import { startBotConnectorStandin, type BotConnectorStandin } from "../../../tools/bot-connector-standin";
import { CaptureLogger } from "../../support/capture-logger";
import { sharedTokenIssuer, type TokenIssuer } from "../../support/token-issuer";
import { loadTeamsActivity } from "../../unit/teams/teams-fixtures";

export const APP_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
export const BOT_ID = `28:${APP_ID}`;
export const TENANT = "9f0e8d7c-6b5a-4321-9fed-cba987654321";
export const CHANNEL = "19:4a5b6c7d8e9f@thread.tacv2";

/**
 * Empties botframework-connector's process-wide outbound token cache (toolchain-notes), which its typings
 * mark private.
 */
export function clearConnectorTokenCache(): void {
  (AppCredentials as unknown as { cache: Map<string, unknown> }).cache.clear();
}

/** A StaffMessageHandler that records calls and answers what the test tells it to. */
export class RecordingHandler implements StaffMessageHandler {
  readonly calls: StaffMessage[] = [];
  readonly actions: StaffCardAction[] = [];
  answer: (message: StaffMessage) => Promise<StaffReply | undefined> = async () => undefined;
  answerAction: (action: StaffCardAction) => Promise<StaffReply | undefined> = async () => undefined;
  async onStaffMessage(message: StaffMessage): Promise<StaffReply | undefined> {
    this.calls.push(message);
    return this.answer(message);
  }
  async onCardAction(action: StaffCardAction): Promise<StaffReply | undefined> {
    this.actions.push(action);
    return this.answerAction(action);
  }
  readonly installs: Array<{ tenantId: string }> = [];
  async onAppInstalled(event: { tenantId: TenantId }): Promise<void> {
    this.installs.push(event);
  }
}

/**
 * One suite's world: the run's shared token issuer (inbound JWTs, and the managed-identity endpoint that
 * gives the bot its outbound tokens) and a Bot Connector stand-in, which by default only accepts tokens
 * the issuer minted for the connector.
 */
export class TeamsWorld {
  private constructor(
    readonly issuer: TokenIssuer,
    readonly standin: BotConnectorStandin,
  ) {}

  static async start(options: { requireToken: boolean } = { requireToken: true }): Promise<TeamsWorld> {
    const issuer = await sharedTokenIssuer();
    const standin = await startBotConnectorStandin(options.requireToken ? { authorize: (header) => issuer.isConnectorToken(header) } : {});
    return new TeamsWorld(issuer, standin);
  }

  /** Call in beforeEach: forgets the stand-in's records and botframework-connector's static token cache. */
  resetBetweenTests(): void {
    this.standin.reset();
    clearConnectorTokenCache();
  }

  createBot(options: { handler?: StaffMessageHandler; authDisabled?: boolean; allowedTenantIds?: ReadonlySet<string> | "any"; logger?: CaptureLogger } = {}): {
    bot: TeamsBot;
    logger: CaptureLogger;
  } {
    const logger = options.logger ?? new CaptureLogger();
    const bot = createTeamsBot({
      auth: options.authDisabled ? {} : this.issuer.authConfig({ appId: APP_ID, tenantId: TENANT }),
      authDisabled: options.authDisabled ?? false,
      allowedTenantIds: options.allowedTenantIds ?? new Set([TENANT]),
      serviceUrlHosts: [this.standin.host],
      handler: options.handler ?? new RecordingHandler(),
      logger,
    });
    return { bot, logger };
  }

  /** A fixture activity addressed to the stand-in and to the test bot. */
  activity(name: string, patch: (a: Activity) => void = () => undefined): Activity {
    const activity = loadTeamsActivity(name);
    activity.serviceUrl = this.standin.serviceUrl;
    activity.recipient = { id: BOT_ID, name: "WhatsApp Bridge" };
    patch(activity);
    return activity;
  }

  /** A valid inbound token for `activity`. */
  tokenFor(activity: Activity): Promise<string> {
    return this.issuer.mint({ aud: APP_ID, serviceUrl: activity.serviceUrl });
  }

  /** Closes the stand-in (the shared issuer is closed after all tests). */
  async close(): Promise<void> {
    clearConnectorTokenCache();
    await this.standin.close();
  }
}

/** Sends `activity` to the bot's `POST /api/messages` route as the HTTP layer would. */
export function postActivity(bot: TeamsBot, activity: unknown, authorization?: string): Promise<HttpResponse> {
  const route = bot.routes.find((r) => r.method === "POST" && r.path === "/api/messages");
  if (!route) throw new Error("no /api/messages route");
  const raw = typeof activity === "string" ? activity : JSON.stringify(activity);
  return route.handle({
    method: "POST",
    path: "/api/messages",
    headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
    query: {},
    rawBody: Buffer.from(raw, "utf8"),
  });
}

/** A minimal node:http server (127.0.0.1, ephemeral port) that serves routes as the HTTP layer would. */
export async function serveRoutes(routes: readonly HttpRoute[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const route = routes.find((r) => r.method === req.method && r.path === url.pathname);
      // No `writeHead(...).end()` chaining: restify, once loaded by any suite, patches
      // http.ServerResponse.prototype.writeHead to return undefined.
      if (!route) {
        res.writeHead(404);
        res.end();
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      route
        .handle({ method: req.method ?? "POST", path: url.pathname, headers, query: Object.fromEntries(url.searchParams), rawBody: Buffer.concat(chunks) })
        .then((response) => {
          const body = response.body === undefined ? "" : typeof response.body === "string" ? response.body : JSON.stringify(response.body);
          res.writeHead(response.status, { "content-type": typeof response.body === "object" ? "application/json" : "text/plain", ...response.headers });
          res.end(body);
        })
        .catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
