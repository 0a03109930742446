/**
 * The Teams adapter: the only folder that knows botbuilder, teams-ai and the Bot Framework (design.md §2).
 * The composition root needs `createTeamsBot`; the rest is exported for tests and tools.
 */
export { createTeamsBot, type TeamsBot, type TeamsBotOptions } from "./teams-app";
export { BotBuilderTeamsGateway, type BotBuilderTeamsGatewayOptions } from "./teams-gateway";
export { GraphThreadHistory, type GraphThreadHistoryOptions } from "./graph-thread-history";
export { postMarker, hasPostMarker } from "./post-marker";
export { AUTH_DISABLED_BOT_APP_ID } from "./teams-adapter";
export { MESSAGES_PATH } from "./messages-route";
export { mapStaffMessage, tenantOf, isFromBot, isChannelActivity } from "./activity-mapper";
export { renderFormattedText, renderThreadPost, renderStaffReply, renderNotice, escapeHtml } from "./teams-html";
export { buildRootCard, rootCardSummary, escapeCardMarkdown, ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from "./cards/root-card";
export { buildTemplateCard, TEMPLATE_ACTIONS } from "./cards/template-card";
export { mapCardAction } from "./card-action-mapper";
export { mapConnectorError, parseRetryAfter } from "./teams-errors";
export { allowedServiceUrlHost } from "./service-url";
