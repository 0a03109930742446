import { Application, TurnState } from "@microsoft/teams-ai";
import { ActivityTypes, type TurnContext } from "botbuilder";
import type { ServiceClientCredentialsFactory } from "botframework-connector";
import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import type { TeamsGateway } from "../core/ports/teams-gateway";
import type { StaffMessageHandler } from "../core/staff-message";
import type { HttpRoute } from "../http/http-route";
import { tenantOf } from "./activity-mapper";
import { handleCardInvoke } from "./card-action-turn";
import { channelTokenIssuer } from "./channel-token-issuer";
import { createMessagesRoute, type TurnOutcome } from "./messages-route";
import { handleCardSubmitActivity, handleMessageActivity } from "./staff-turn";
import { handleAppInstalled, isAppInstalled } from "./install-events";
import { handleMessageChangeActivity, handleReactionActivity } from "./staff-events-turn";
import { AUTH_DISABLED_BOT_APP_ID, botbuilderAuthConfig, createBridgeAdapter } from "./teams-adapter";
import { TeamsRateLimiter, tenantWindows, THREAD_WINDOWS } from "./rate-limiter";
import { BotBuilderTeamsGateway } from "./teams-gateway";
import { BotBuilderComplianceGateway } from "./compliance-gateway";
import type { ComplianceGateway } from "../core/ports/compliance-gateway";
import { TeamsStaffDirectory, type GroupMembership } from "./teams-staff-directory";
import type { StaffDirectory } from "../core/ports/staff-directory";

export interface TeamsBotOptions {
  /**
   * botbuilder's own configuration keys, passed through unchanged: MicrosoftAppId, MicrosoftAppPassword,
   * MicrosoftAppType, MicrosoftAppTenantId and the override keys ToBotFromChannelOpenIdMetadataUrl,
   * ToBotFromChannelTokenIssuer, ToBotFromEmulatorOpenIdMetadataUrl, ToChannelFromBotLoginUrl,
   * ToChannelFromBotOAuthScope, OAuthUrl, CallerId, ValidateAuthority (all or none, docs/protocols.md B16).
   */
  readonly auth: Readonly<Record<string, string | undefined>>;
  /** Accept activities without a token (local demo and tests only). */
  readonly authDisabled: boolean;
  /** Tenants whose activities are processed; others get 403. */
  readonly allowedTenantIds: ReadonlySet<string> | "any";
  /** Hosts (may include a port, e.g. `127.0.0.1:1234`) a serviceUrl may name; the bot calls no other. */
  readonly serviceUrlHosts: readonly string[];
  readonly handler: StaffMessageHandler;
  readonly logger: Logger;
  /** Test seam: replaces botbuilder's credentials factory (ignored when auth is disabled). */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
  /** Timeout of each call to the Bot Connector; default 30 s. */
  readonly connectorTimeoutMs?: number;
  /** Requests per second per tenant the bot keeps under (Teams: about 50 per app per tenant, docs/protocols.md B13). */
  readonly tenantRequestsPerSecond?: number;
  /** Checks `BRIDGE_STAFF`'s Entra group (graph-group-membership.ts); none: a group cannot be checked. */
  readonly staffGroups?: GroupMembership;
}

/**
 * teams-ai 1.7.4 stores the `startTypingTimer` option but never reads it: `Application.run` always starts
 * the timer, which sends a `typing` activity every second while a turn runs (and keeps the timer in one
 * field shared by concurrent turns). Typing activities spend the per-thread rate budget (docs/protocols.md
 * docs/protocols.md B7, B13), so this bot never sends them: `startTypingTimer` is the Application's public method for
 * starting that timer, and does nothing here.
 */
class NoTypingApplication extends Application<TurnState> {
  override startTypingTimer(): void {
    // Deliberately nothing: see the class comment.
  }
}

/** Any verb (Action.Execute) or `bridgeAction` (Action.Submit): the core decides what the action means. */
const ANY_ACTION = /^/;

/**
 * The data field teams-ai's `actionSubmit` routes on: every button of the bridge's cards carries one
 * (cards/template-card.ts).
 */
const CARD_SUBMIT_FILTER = "bridgeAction";

export interface TeamsBot {
  /** `POST /api/messages`. */
  readonly routes: HttpRoute[];
  /** Posts the core starts (new threads, replies in threads). */
  readonly gateway: TeamsGateway;
  readonly directory: StaffDirectory;
}

/**
 * The Teams side in two steps, so that the core can be built between them: the gateway (which the core
 * needs) first, then the routes that hand staff activity to the core (which needs the gateway).
 */
export interface TeamsConnection {
  readonly gateway: TeamsGateway;
  /** The compliance posts (compliance-gateway.ts). */
  readonly compliance: ComplianceGateway;
  /** Team rosters, channel types and groups: who may act for the firm (teams-staff-directory.ts). */
  readonly directory: StaffDirectory;
  /** `POST /api/messages`, handing what staff do to `handler`. Call once. */
  serve(handler: StaffMessageHandler): HttpRoute[];
}

/** The Teams bot with its handler known at once (see `connectTeams`). */
export function createTeamsBot(options: TeamsBotOptions): TeamsBot {
  const connection = connectTeams(options);
  return { gateway: connection.gateway, directory: connection.directory, routes: connection.serve(options.handler) };
}

/**
 * Builds the Teams bot: botbuilder's CloudAdapter (teams-adapter.ts) and teams-ai's Application as the
 * router of its turns, with typing indicators off (they spend the per-thread rate budget, docs/protocols.md
 * docs/protocols.md B7/B13) and mention removal left to our mapper (botbuilder's removes only the first mention and
 * ignores the HTML, docs/protocols.md B7). Throws if auth is enabled without an app id (fail closed).
 */
export function connectTeams(options: Omit<TeamsBotOptions, "handler">): TeamsConnection {
  const { logger, authDisabled } = options;
  const configuredAppId = options.auth.MicrosoftAppId?.trim();
  if (!authDisabled && !configuredAppId) throw new Error("MicrosoftAppId is required unless bot authentication is disabled");
  const botAppId = authDisabled ? AUTH_DISABLED_BOT_APP_ID : configuredAppId!;

  // One limiter for every Bot Connector request of this process (proactive posts and turn replies alike),
  // applied in the connector clients' HTTP client, where each request's answer is seen (rate-limiter.ts).
  const limiter = new TeamsRateLimiter({ thread: THREAD_WINDOWS, tenant: tenantWindows(options.tenantRequestsPerSecond ?? 50) });
  const adapter = createBridgeAdapter({
    config: botbuilderAuthConfig(options.auth, authDisabled),
    ...(options.credentialsFactory && !authDisabled ? { credentialsFactory: options.credentialsFactory } : {}),
    guard: { serviceUrlHosts: options.serviceUrlHosts, requestTimeoutMs: options.connectorTimeoutMs ?? 30_000, limiter },
  });
  // The Application only routes, so it gets no adapter: the messages route runs each turn through the
  // CloudAdapter, and nothing here uses the Application's proactive or sign-in helpers (its `adapter`
  // option is typed as teams-ai's TeamsAdapter, which cannot take our authentication). Routes are
  // tried in the order they are added.
  const app = new NoTypingApplication({
    botAppId,
    startTypingTimer: false,
    removeRecipientMention: false,
    longRunningMessages: false,
    adaptiveCards: { actionSubmitFilter: CARD_SUBMIT_FILTER },
  });
  if (authDisabled) logger.warn("teams.auth.disabled", { detail: "activities are accepted without a token: local use only" });
  const serve = (handler: StaffMessageHandler): HttpRoute[] => {
    // Card buttons: Action.Submit arrives as a message with `value` and no text; Action.Execute as an
    // `adaptiveCard/action` invoke (docs/protocols.md B11). Both go to the core's onCardAction.
    app.adaptiveCards.actionSubmit(ANY_ACTION, async (ctx: TurnContext) => handleCardSubmitActivity(ctx, handler, logger));
    app.adaptiveCards.actionExecute(ANY_ACTION, async (ctx: TurnContext) => handleCardInvoke(ctx, handler, logger));
    app.activity(ActivityTypes.Message, async (ctx: TurnContext) => handleMessageActivity(ctx, handler, logger, { serviceUrlHosts: options.serviceUrlHosts }));
    // Staff reactions go to WhatsApp; edits and deletions of sent replies get a short note (docs/protocols.md B12).
    // One activity may both add and remove: the first route that matches maps both lists.
    app.messageReactions("reactionsAdded", async (ctx: TurnContext) => handleReactionActivity(ctx, handler, logger));
    app.messageReactions("reactionsRemoved", async (ctx: TurnContext) => handleReactionActivity(ctx, handler, logger));
    app.messageEventUpdate("editMessage", async (ctx: TurnContext) => handleMessageChangeActivity(ctx, handler, logger));
    app.messageEventUpdate("softDeleteMessage", async (ctx: TurnContext) => handleMessageChangeActivity(ctx, handler, logger));
    // The app added (back) to a team: links suspended there resume at once (install-events.ts).
    app.activity(
      async (ctx: TurnContext) => isAppInstalled(ctx.activity),
      async (ctx: TurnContext) => handleAppInstalled(ctx, handler, logger),
    );

    const logic = async (ctx: TurnContext, outcome: TurnOutcome): Promise<void> => {
      const activity = ctx.activity;
      const tenant = tenantOf(activity);
      if (options.allowedTenantIds !== "any" && (!tenant || !options.allowedTenantIds.has(tenant))) {
        outcome.refused = "tenant";
        logger.warn("teams.tenant.refused", { tenantId: tenant ?? "-", activityType: activity.type });
        return;
      }
      // teams-ai 1.7.4's actionSubmit route reads a property of `value` whenever it is an object and the
      // message has no text, so a JSON null would throw; null and absent mean the same in an activity.
      if (activity.value === null) delete activity.value;
      try {
        const handled = await app.run(ctx);
        if (!handled) logger.debug("teams.activity.ignored", { activityType: activity.type, name: activity.name ?? "-" });
      } catch (err) {
        outcome.failed = true;
        logger.error("teams.turn.failed", { activityType: activity.type, error: describeError(err) });
      }
    };
    return [
      createMessagesRoute({
        adapter,
        logic,
        logger,
        requireAuthorization: !authDisabled,
        ...(authDisabled ? {} : { channelIssuer: channelTokenIssuer(options.auth) }),
      }),
    ];
  };
  return {
    gateway: new BotBuilderTeamsGateway({ adapter, botAppId, serviceUrlHosts: options.serviceUrlHosts, logger }),
    compliance: new BotBuilderComplianceGateway({ adapter, botAppId, serviceUrlHosts: options.serviceUrlHosts, logger }),
    directory: new TeamsStaffDirectory({
      adapter,
      botAppId,
      serviceUrlHosts: options.serviceUrlHosts,
      logger,
      ...(options.staffGroups ? { groups: options.staffGroups } : {}),
    }),
    serve,
  };
}
