import type { IncomingMessage, ServerResponse } from "node:http";
import type { MediaDownloadFault } from "./media-faults";
import type { NewMedia, StoredMedia } from "./media-store";
import type { GroupRequest, GroupWebhookError, NewGroup, StandinGroup } from "./group-store";
import type { GraphErrorObject } from "./meta-responses";
import type { SendFaultCounters, SendFaultOptions } from "./send-faults";

/** One request to `POST /{phone_number_id}/messages`, as the stand-in received and answered it. */
export interface RecordedSend {
  readonly phoneNumberId: string;
  /** The request body parsed as JSON (undefined if it was not JSON). */
  readonly body: unknown;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Epoch milliseconds of arrival. */
  readonly at: number;
  /** HTTP status the stand-in answered (200 accepted; 4xx/5xx refused or scripted failure). */
  readonly status: number;
  /** The wamid given to an accepted message. */
  readonly wamid?: string;
  /** The body's `recipient_type`: `group` for a send to a group, else `individual` (Meta's default). */
  readonly recipientType: "individual" | "group";
  /** The body's `to`: a phone number, or the group id of a group send. */
  readonly to?: string;
  /** The body's `recipient` (a BSUID), if any. */
  readonly recipient?: string;
}

/** A Meta-shaped error to answer with: `{ httpStatus, error: { message, code, … } }`. */
export interface ScriptedGraphError {
  readonly httpStatus: number;
  readonly error: GraphErrorObject;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A non-Meta answer, e.g. a proxy's HTML 502 page. */
export interface ScriptedRawFailure {
  readonly httpStatus: number;
  readonly rawBody: string;
  readonly contentType?: string;
}

export type ScriptedFailure = ScriptedGraphError | ScriptedRawFailure;

/** One number of the WhatsApp Business Account, as `GET /{waba}/phone_numbers` lists it. */
export interface StandinPhoneNumber {
  readonly id: string;
  readonly display_phone_number: string;
  readonly verified_name?: string;
  readonly [field: string]: unknown;
}

export interface MetaGraphStandinOptions {
  /** Graph API version in the path, default `v25.0`. */
  readonly version?: string;
  /** When given, every request must carry `Authorization: Bearer <accessToken>` (else 401, code 190). */
  readonly accessToken?: string;
  /** Default 0: an ephemeral port. The stand-in always binds 127.0.0.1. */
  readonly port?: number;
  /** How long a media download URL stays valid; default 5 minutes, as at Meta. */
  readonly mediaUrlTtlMs?: number;
  /**
   * Extra HTTP routes served by the same server (the WhatsApp simulator's page and API). Asked first for
   * every path outside `/{version}/` and the media download path; resolves true once it has answered.
   */
  readonly extraRoutes?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;
  /** Random errors (130429, 131056, 500) and latency on sends (send-faults.ts). Default: off. */
  readonly sendFaults?: SendFaultOptions;
}

export interface MetaGraphStandin {
  /** Base URL including the version, e.g. `http://127.0.0.1:PORT/v25.0`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`: where media download URLs and any `extraRoutes` are served. */
  readonly origin: string;
  readonly version: string;
  /** Every send request received, in order (accepted or not). */
  readonly sent: RecordedSend[];
  /** The numbers `GET /{waba}/phone_numbers` lists (any WABA id), paged 25 at a time. */
  phoneNumbers: StandinPhoneNumber[];
  /** The templates `GET /{waba}/message_templates` lists (any WABA id), in Meta's wire shape. */
  templates: StandinTemplate[];
  /** How many times the template list was requested (to observe caching). */
  readonly templateListings: number;
  /** The next `times` sends (default 1) are answered with `failure` instead of being accepted. */
  failNext(failure: ScriptedFailure, times?: number): void;
  /** The next `times` sends (default 1) are answered only after `ms` milliseconds. */
  delayNext(ms: number, times?: number): void;
  /** Resolves with the recorded sends once at least `n` were received; rejects after `timeoutMs` (default 2 s). */
  waitForSends(n: number, timeoutMs?: number): Promise<RecordedSend[]>;
  /** Forgets recorded sends, scripted failures and delays (keeps phone numbers, media and the port). */
  reset(): void;
  /** Stores a file as Meta stores a customer's media; its id then answers `GET /{media-id}` (docs/protocols.md A12). */
  addMedia(media: NewMedia): StoredMedia;
  /** A stored file (added, or uploaded through `POST /{phone-number-id}/media`), if it still exists. */
  getMedia(id: string): StoredMedia | undefined;
  /** The next `times` (default 1) requests to a media download URL misbehave as scripted (media-faults.ts). */
  failMediaDownload(fault: MediaDownloadFault, times?: number): void;
  /** Requests to media download URLs so far. */
  readonly mediaDownloads: number;
  /** Replaces the random-fault settings of sends; undefined turns them off. Counters are kept. */
  setSendFaults(faults: SendFaultOptions | undefined): void;
  /** What the random faults injected so far. */
  readonly sendFaultCounters: Readonly<SendFaultCounters>;
  /** Adds a group as if the business had created it earlier (no webhook is sent for it). */
  addGroup(group: NewGroup): StandinGroup;
  /** A live group (not deleted); change its `participants` or `suspended` directly to script Meta's side. */
  getGroup(id: string): StandinGroup | undefined;
  /** The live groups of a business number. */
  listGroups(phoneNumberId: string): StandinGroup[];
  /** The next `times` (default 1) group creations get a request id, then fail: their request carries `error`. */
  failNextGroupCreate(error: GroupWebhookError, times?: number): void;
  /** Calls `listener` with every Groups API request applied (create, update, delete, removals…); returns the unsubscribe. */
  onGroupRequest(listener: (request: GroupRequest) => void): () => void;
  /** Calls `listener` with every send request once answered (accepted or not); returns the unsubscribe. */
  onSend(listener: (send: RecordedSend) => void): () => void;
  /** Stops the server, dropping open connections and pending delayed answers. */
  close(): Promise<void>;
}

/** A message template as Meta lists it (docs/protocols.md A13). */
export interface StandinTemplate {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly status: string;
  readonly category: string;
  readonly components: ReadonlyArray<{
    readonly type: string;
    readonly format?: string;
    readonly text?: string;
    readonly buttons?: ReadonlyArray<{ readonly type: string; readonly text: string }>;
  }>;
}
