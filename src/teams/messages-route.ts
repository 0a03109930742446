import type { Request as BotRequest, Response as BotResponse, TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import type { HttpRequest, HttpResponse, HttpRoute } from "../http/http-route";
import { unverifiedIssuer } from "./channel-token-issuer";
import { runInBotRequestScope } from "./request-scope";

/** The Bot Framework messaging endpoint (docs/configuration.md). */
export const MESSAGES_PATH = "/api/messages";
const MAX_BODY_BYTES = 1024 * 1024;

/** What the bot logic reports back to the route about one request. */
export interface TurnOutcome {
  /** Set when botbuilder accepted the request and called the logic (authentication passed). */
  started: boolean;
  /** Set when the logic refused the activity (e.g. tenant not allowed): answered 403. */
  refused?: string;
  /** Set when the logic failed unexpectedly (already logged): answered 500. */
  failed: boolean;
}

/** Runs one turn; `outcome` is the request's own record. */
export type TurnLogic = (ctx: TurnContext, outcome: TurnOutcome) => Promise<void>;

/** The part of botbuilder's adapter this route needs. */
export interface ActivityProcessor {
  process(req: BotRequest, res: BotResponse, logic: (context: TurnContext) => Promise<void>): Promise<void>;
}

/** Collects what botbuilder writes to its `Response` (status, body), for our framework-neutral answer. */
class CapturedResponse implements BotResponse {
  socket: unknown = null;
  statusCode = 200;
  body: unknown;
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  header(): this {
    return this;
  }
  send(body?: unknown): this {
    this.body = body;
    return this;
  }
  end(): this {
    return this;
  }
}

const text = (status: number, body: string): HttpResponse => ({ status, body });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `POST /api/messages`: adapts our request to botbuilder's `process` and its answer back. Authentication
 * is botbuilder's (a request without an Authorization header is refused first, by the headers alone); its
 * failures all become 401 (botbuilder answers some with 500: bad signature,
 * not-yet-valid, HS256, toolchain-notes), logged as `teams.auth.rejected`. With `channelIssuer`, a
 * token from any other issuer (the Emulator's, another bot's) is refused before botbuilder sees it
 * (channel-token-issuer.ts). Bodies never carry botbuilder's error text or a stack trace.
 */
export function createMessagesRoute(deps: {
  adapter: ActivityProcessor;
  logic: TurnLogic;
  logger: Logger;
  requireAuthorization: boolean;
  channelIssuer?: string;
}): HttpRoute {
  const { adapter, logic, logger } = deps;
  // Every Bot Framework request carries a bearer token: without one it is refused before its body is read.
  const missingAuthorization = (request: Omit<HttpRequest, "rawBody">): HttpResponse | undefined => {
    if (!deps.requireAuthorization || request.headers.authorization) return undefined;
    logger.warn("teams.auth.rejected", { reason: "no Authorization header", hadAuthorization: false });
    return text(401, "unauthorized");
  };
  return {
    method: "POST",
    path: MESSAGES_PATH,
    maxBodyBytes: MAX_BODY_BYTES,
    refuseEarly: missingAuthorization,
    async handle(request: HttpRequest): Promise<HttpResponse> {
      const refusal = missingAuthorization(request);
      if (refusal) return refusal;
      const authorization = request.headers.authorization;
      if (deps.channelIssuer !== undefined && authorization && unverifiedIssuer(authorization) !== deps.channelIssuer) {
        logger.warn("teams.auth.rejected", { reason: "token not issued by the Bot Framework channel service", hadAuthorization: true });
        return text(401, "unauthorized");
      }
      let body: unknown;
      try {
        body = JSON.parse(request.rawBody.toString("utf8"));
      } catch (err) {
        logger.debug("teams.request.bad_json", { error: describeError(err) });
        return text(400, "the body must be a JSON activity");
      }
      if (!isPlainObject(body) || typeof body.type !== "string") return text(400, "the body must be a JSON activity");

      const outcome: TurnOutcome = { started: false, failed: false };
      const captured = new CapturedResponse();
      const botRequest: BotRequest = { body, headers: { ...request.headers }, method: request.method };
      const scope = await runInBotRequestScope(logger, async (scope) => {
        try {
          await adapter.process(botRequest, captured, async (ctx) => {
            outcome.started = true;
            await logic(ctx, outcome);
          });
        } catch (err) {
          logger.error("teams.request.failed", { error: describeError(err) });
          captured.status(500);
        }
        return scope;
      });

      if (scope.refusedServiceUrlHost !== undefined) {
        logger.warn("teams.service_url.refused", { host: scope.refusedServiceUrlHost, activityType: body.type });
        return text(403, "serviceUrl not allowed");
      }
      if (outcome.refused) return text(403, "forbidden");
      if (!outcome.started && (captured.statusCode === 401 || captured.statusCode >= 500)) {
        logger.warn("teams.auth.rejected", {
          reason: typeof captured.body === "string" ? captured.body.slice(0, 200) : `status ${captured.statusCode}`,
          hadAuthorization: !!request.headers.authorization,
          activityType: body.type,
        });
        return text(401, "unauthorized");
      }
      if (outcome.failed) return text(500, "internal error");
      if (captured.statusCode >= 400) return text(captured.statusCode, "request refused");
      return captured.body === undefined || captured.body === null
        ? { status: captured.statusCode }
        : { status: captured.statusCode, body: captured.body as string | object };
    },
  };
}
