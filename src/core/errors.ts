import type { TeamsThreadRef } from "./ids";

/**
 * Errors that carry the decision: adapters convert foreign failures into these, so the core never sees an
 * SDK error. `retryable` says whether trying again can help; `userMessage` is what a person in the thread
 * reads; `code` is a stable dotted name for logs and metrics.
 */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: {
      readonly retryable?: boolean;
      readonly retryAfterMs?: number;
      readonly userMessage?: string;
      readonly cause?: unknown;
      /** The request certainly had no effect (refused before acting): retrying cannot duplicate it. */
      readonly notApplied?: boolean;
    } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
  get retryable(): boolean {
    return this.options.retryable ?? false;
  }
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
  get userMessage(): string {
    return this.options.userMessage ?? this.message;
  }
  get notApplied(): boolean {
    return this.options.notApplied ?? false;
  }
}

/** Worth trying again later (throttling, 5xx, timeouts). */
export class TransientError extends BridgeError {
  constructor(code: string, message: string, options: { retryAfterMs?: number; userMessage?: string; cause?: unknown; notApplied?: boolean } = {}) {
    super(code, message, { ...options, retryable: true });
  }
}

/** Trying again will not help until something changes (bad request, permission, policy). */
export class PermanentError extends BridgeError {
  constructor(code: string, message: string, options: { userMessage?: string; cause?: unknown; notApplied?: boolean } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/**
 * Why Teams refused a post, in the bridge's own terms (the Teams adapter maps status codes to these):
 * - `app-removed`: the app is not in the team any more, or the team or channel is gone: the channel's
 *   link is suspended and its messages wait, in order, until the app is back;
 * - `thread-gone`: the thread's root message was deleted: the conversation gets a new thread;
 * - `post-refused`: this post was refused as malformed or too large: it is posted again as plain text.
 */
export type TeamsRefusalKind = "app-removed" | "thread-gone" | "post-refused";

/** Teams certainly did not take the request, for a reason the bridge acts on (see `TeamsRefusalKind`). */
export class TeamsRefusal extends PermanentError {
  /** The thread the refused call addressed (set for `thread-gone`: which conversation needs a new one). */
  readonly thread?: TeamsThreadRef;

  constructor(
    readonly refusal: TeamsRefusalKind,
    code: string,
    message: string,
    options: { userMessage?: string; cause?: unknown; thread?: TeamsThreadRef } = {},
  ) {
    super(code, message, { ...(options.userMessage ? { userMessage: options.userMessage } : {}), cause: options.cause, notApplied: true });
    if (options.thread) this.thread = options.thread;
  }

  /** The same refusal, knowing the thread it was about. */
  about(thread: TeamsThreadRef): TeamsRefusal {
    return new TeamsRefusal(this.refusal, this.code, this.message, { userMessage: this.userMessage, cause: this.options.cause, thread });
  }
}

/**
 * Why a WhatsApp call failed, in the bridge's own terms (the WhatsApp adapter maps Meta's error codes to
 * these, so the core decides on kinds and never on Meta's numbers):
 * - `throughput`: the business number sent more messages per second than WhatsApp allows;
 * - `pair-rate`: too many messages to this one customer in a short time;
 * - `capacity-upgrade`: the number's throughput is being upgraded (wait about a minute);
 * - `api-rate`: the app or business account made too many API calls;
 * - `window-closed`: the customer service window is closed, so only a template may be sent;
 * - `opted-out`: the customer stopped marketing messages from this business;
 * - `recipient`: this recipient cannot receive it (not on WhatsApp, the business itself, a country or
 *   marketing limit, a username-only customer, …);
 * - `content`: the message itself was refused (invalid, unsupported, a template, media or Flow problem);
 * - `account`: the token, permissions, number or account need an administrator;
 * - `transient`: WhatsApp, or the way to it, failed for now (outage, 5xx, timeout, network);
 * - `unknown`: an error or answer the adapter does not know.
 */
export type WhatsAppFailureKind =
  "throughput" | "pair-rate" | "capacity-upgrade" | "api-rate" | "window-closed" | "opted-out" | "recipient" | "content" | "account" | "transient" | "unknown";

/**
 * A WhatsApp call that failed, classified by the adapter (`failure`). Meta's numeric code, when Meta gave
 * one, is kept for logs and for notices that quote it: it is data, never a reason to decide anything.
 */
export class WhatsAppSendError extends BridgeError {
  readonly metaCode?: number;

  constructor(
    readonly failure: WhatsAppFailureKind,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; userMessage: string; cause?: unknown; notApplied?: boolean; metaCode?: number },
  ) {
    const { metaCode, ...rest } = options;
    super(`whatsapp.send_failed${metaCode === undefined ? "" : `.${metaCode}`}`, message, rest);
    if (metaCode !== undefined) this.metaCode = metaCode;
  }
}

export function describeError(err: unknown): string {
  if (err instanceof BridgeError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
