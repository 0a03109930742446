/**
 * A stand-in for the Bot Connector service (Teams' `serviceUrl`) on 127.0.0.1, for tests and the local
 * demo. Dev-only: production code never imports tools/.
 */
export { startBotConnectorStandin } from "./standin-server";
export type {
  BotConnectorStandin,
  BotConnectorStandinOptions,
  InjectedFailure,
  RecordedConversation,
  RecordedPost,
  RecordedRequest,
  RecordedUpdate,
  StandinCounters,
  StandinState,
} from "./standin-types";
export { TEAMS_THREAD_WINDOWS, type TeamsLimitsOptions, type ThrottleWindow } from "./teams-throttle";
export { TRANSIENT_CONNECTOR_STATUSES, type ConnectorFaultOptions } from "./connector-faults";
export { TeamsRoster, type ChannelType, type StandinChannel, type StandinMember, type StandinTeam } from "./teams-roster";
export { GraphReplies, storedHtml, type GraphRepliesOptions, type RecordedGraphRequest } from "./graph-replies";
