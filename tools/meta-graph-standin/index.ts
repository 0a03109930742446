/**
 * A stand-in for Meta's Graph API (WhatsApp Cloud API) on 127.0.0.1, for tests and the local demo.
 * Dev-only: production code never imports tools/.
 */
export { startMetaGraphStandin } from "./meta-graph-standin";
export { errorEnvelope, newWamid, type GraphErrorObject } from "./meta-responses";
export { MEDIA_DOWNLOAD_PATH, type NewMedia, type StoredMedia } from "./media-store";
export type {
  MetaGraphStandin,
  MetaGraphStandinOptions,
  RecordedSend,
  ScriptedFailure,
  ScriptedGraphError,
  ScriptedRawFailure,
  StandinPhoneNumber,
} from "./standin-types";
export type { InjectedSendError, SendFaultCounters, SendFaultOptions } from "./send-faults";
export { groupInfo, GROUP_UNKNOWN } from "./group-routes";
export {
  newGroupId,
  newRequestId,
  type GroupRequest,
  type GroupWebhookError,
  type NewGroup,
  type StandinGroup,
  type StandinGroupParticipant,
} from "./group-store";
