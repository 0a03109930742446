import type { TeamsState } from "./teams-state";
import type { TeamsRoster } from "./teams-roster";
/** Records and options of the Bot Connector stand-in. */
import type { ConnectorFaultCounters, ConnectorFaultOptions } from "./connector-faults";
import type { GraphReplies, GraphRepliesOptions } from "./graph-replies";
import type { TeamsLimitsOptions, ThrottleCounters } from "./teams-throttle";

/** One request, as received (every request is recorded, including refused and failed ones). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly body: unknown;
  /** The status the stand-in answered. */
  readonly status: number;
}

/** `POST /v3/conversations`: a new conversation (in Teams: a new channel thread). */
export interface RecordedConversation {
  /** The created conversation id `<channelId>;messageid=<activityId>`. */
  readonly conversationId: string;
  readonly activityId: string;
  /** The ConversationParameters as sent. */
  readonly parameters: Record<string, unknown>;
  readonly authorization?: string;
  /** Epoch ms when the stand-in received it (what Graph shows as createdDateTime). */
  readonly at?: number;
}

/** `POST /v3/conversations/:id/activities[/:replyToId]`: a message posted in a conversation. */
export interface RecordedPost {
  readonly conversationId: string;
  /** Present when the post was a reply to an activity (`…/activities/:activityId`). */
  readonly replyToId?: string;
  readonly id: string;
  readonly activity: Record<string, unknown>;
  readonly authorization?: string;
}

/** `PUT /v3/conversations/:id/activities/:activityId`: an update of a message. */
export interface RecordedUpdate {
  readonly conversationId: string;
  readonly activityId: string;
  readonly activity: Record<string, unknown>;
  readonly authorization?: string;
  /** Epoch ms when the stand-in received it (what Graph shows as lastModifiedDateTime). */
  readonly at?: number;
}

/** A scripted failure for the next request. */
export interface InjectedFailure {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StandinState {
  readonly requests: readonly RecordedRequest[];
  readonly created: readonly RecordedConversation[];
  readonly posts: readonly RecordedPost[];
  readonly updates: readonly RecordedUpdate[];
}

export interface BotConnectorStandinOptions {
  /**
   * Decides whether a request's Authorization header is acceptable; a refused request gets 401
   * (`{"error":{"code":"Unauthorized"}}`) and is recorded but not acted on. Default: everything passes.
   */
  readonly authorize?: (authorization: string | undefined) => boolean | Promise<boolean>;
  /** First message id handed out (Teams ids are millisecond timestamps); default 1760000000000. */
  readonly firstMessageId?: number;
  /** Enforce Teams' rate limits (teams-throttle.ts): 429 with Retry-After when exceeded. Default: off. */
  readonly limits?: TeamsLimitsOptions;
  /** Inject transient errors and latency at random (connector-faults.ts). Default: off. */
  readonly faults?: ConnectorFaultOptions;
  /** The Graph replies endpoint (graph-replies.ts): its token check. */
  readonly graph?: GraphRepliesOptions;
}

/** What the chaos features did so far. */
export interface StandinCounters {
  readonly throttle: Readonly<ThrottleCounters>;
  readonly faults: Readonly<ConnectorFaultCounters>;
  /** Injected error answers in all (not counting 429s). */
  readonly injectedErrors: number;
}

export interface BotConnectorStandin extends StandinState {
  /** Base URL to use as `serviceUrl`, e.g. `http://127.0.0.1:41234/`. */
  readonly serviceUrl: string;
  /** `host:port`, for the bot's allowed serviceUrl hosts. */
  readonly host: string;
  /** Microsoft Graph base URL (MS_GRAPH_URL) for reading the threads back: `http://host:port/v1.0`. */
  readonly msGraphUrl: string;
  /** The Graph side: register teams (`addTeam`), simulate an outage (`setFailure`), see `requests`. */
  readonly msGraph: GraphReplies;
  /** Serves `bytes` as a pasted image (`GET /v3/attachments/<id>/views/original`, token required); returns its contentUrl. */
  addAttachment(bytes: Buffer, contentType: string): string;
  /** Authorised requests for attachments, in order. */
  readonly attachmentFetches: ReadonlyArray<{ readonly id: string; readonly authorization?: string }>;
  /** Answers the next request (whatever it is) with this failure; several calls queue up. */
  failNext(status: number, body?: unknown, headers?: Readonly<Record<string, string>>): void;
  /** Resolves when `predicate` holds (checked after each request); rejects after `timeoutMs`. */
  waitFor(predicate: (state: StandinState) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets every record and pending failure. */
  reset(): void;
  /** Turns Teams' rate limits on (with these settings, counters zeroed) or off (undefined). */
  setLimits(limits: TeamsLimitsOptions | undefined): void;
  /** Replaces the random-fault settings; undefined turns them off. Counters are kept. */
  setFaults(faults: ConnectorFaultOptions | undefined): void;
  /** Throttled requests and injected faults so far. */
  readonly counters: StandinCounters;
  /** What Teams refuses: the app removed from a team, deleted threads, posts it will not take. */
  readonly teams: TeamsState;
  /** The teams, channels and members the stand-in knows (roster reads, team details, channel lists). */
  readonly roster: TeamsRoster;
  close(): Promise<void>;
}
