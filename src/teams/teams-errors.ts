import { BridgeError, PermanentError, TeamsRefusal, TransientError } from "../core/errors";

/**
 * Turns a Bot Connector failure into a core error (docs/protocols.md B13): 429 (with Retry-After), 412, 500,
 * 502, 503, 504 and network failures may succeed later; other 4xx will not until something changes.
 */

interface ConnectorFailure {
  readonly status?: number;
  readonly code?: string;
  readonly message: string;
  readonly retryAfter?: string;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "REQUEST_SEND_ERROR",
]);
/** Credential failures (the token endpoint or managed identity is unreachable): worth retrying. */
const CREDENTIAL_ERRORS = new Set(["CredentialUnavailableError", "AuthenticationError", "AggregateAuthenticationError"]);

function describe(err: unknown): ConnectorFailure {
  if (typeof err !== "object" || err === null) return { message: String(err) };
  const e = err as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    name?: unknown;
    response?: { status?: unknown; headers?: { get?: (name: string) => string | undefined } };
  };
  const status = typeof e.statusCode === "number" ? e.statusCode : typeof e.response?.status === "number" ? e.response.status : undefined;
  const retryAfter = typeof e.response?.headers?.get === "function" ? e.response.headers.get("retry-after") : undefined;
  return {
    ...(status !== undefined ? { status } : {}),
    ...(typeof e.code === "string" ? { code: e.code } : {}),
    message: typeof e.message === "string" ? e.message : String(err),
    ...(retryAfter ? { retryAfter } : {}),
  };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function statusError(f: ConnectorFailure & { status: number }, operation: string, cause: unknown): BridgeError {
  const retryAfterMs = parseRetryAfter(f.retryAfter);
  const detail = `${operation}: Bot Connector answered ${f.status}${f.code ? ` ${f.code}` : ""}`;
  // 429 and 412 are refusals before anything was written; a 5xx may have been written anyway.
  const refused = f.status === 429 || f.status === 412;
  const transient = (code: string, userMessage: string) =>
    new TransientError(code, detail, { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), userMessage, cause, notApplied: refused });
  switch (f.status) {
    case 429:
      return transient("teams.throttled", "Teams is throttling the bot; the message will be retried.");
    case 412:
      return transient("teams.precondition_failed", "Teams reported a conflicting change; the message will be retried.");
    case 500:
      return transient("teams.server_error", "Teams had an internal error; the message will be retried.");
    case 502:
    case 503:
    case 504:
      return transient("teams.unavailable", "Teams is unavailable; the message will be retried.");
  }
  // What Teams said, for the log: its error code and message (never a token).
  const said = `${detail}${f.message ? `: ${f.message.slice(0, 200)}` : ""}`;
  // Any 403 (BotNotInConversationRoster, BotDisabledByAdmin, MessageWritesBlocked for an archived team, …)
  // means the bot cannot post in this team now: the link waits, nothing is given up (docs/protocols.md B3, B13).
  if (f.status === 403) {
    return new TeamsRefusal("app-removed", f.code === "BotNotInConversationRoster" ? "teams.not_installed" : "teams.forbidden", said, {
      userMessage: `Teams does not let the bot post in this team${f.code ? ` (${f.code})` : ""}: the app may have been removed.`,
      cause,
    });
  }
  // A 404 on a new thread means the channel (or the team) is gone; on a reply, the thread's root message.
  if (f.status === 404) {
    return operation === "startThread" || operation === "probe"
      ? new TeamsRefusal("app-removed", "teams.channel_gone", said, { userMessage: "The Teams channel no longer exists.", cause })
      : new TeamsRefusal("thread-gone", "teams.not_found", said, { userMessage: "The Teams thread no longer exists.", cause });
  }
  if (f.status === 400) return new TeamsRefusal("post-refused", "teams.bad_request", said, { userMessage: "Teams refused the message as malformed", cause });
  if (f.status === 413) return new TeamsRefusal("post-refused", "teams.too_large", said, { userMessage: "the message is too large for Teams", cause });
  const permanent = (code: string, what: string) => new PermanentError(code, `${detail}: ${what}`, { userMessage: what, cause, notApplied: f.status < 500 });
  if (f.status === 401) return permanent("teams.unauthorized", "Teams refused the bot's credentials (check MicrosoftAppId and its secret or identity)");
  if (f.status >= 500) return transient("teams.server_error", "Teams had an error; the message will be retried.");
  return permanent(`teams.http_${f.status}`, `Teams refused the request (HTTP ${f.status})`);
}

/**
 * Classifies any error thrown while calling the Bot Connector. A BridgeError passes through unchanged.
 * `operation` names the call for the message (e.g. "startThread").
 */
export function mapConnectorError(err: unknown, operation: string): BridgeError {
  if (err instanceof BridgeError) return err;
  const f = describe(err);
  if (f.status !== undefined && f.status >= 400) return statusError({ ...f, status: f.status }, operation, err);
  const name = typeof err === "object" && err !== null ? (err as { name?: unknown }).name : undefined;
  if ((f.code && NETWORK_CODES.has(f.code)) || name === "AbortError" || name === "TimeoutError") {
    return new TransientError("teams.network", `${operation}: could not reach the Bot Connector (${f.code ?? name})`, { cause: err });
  }
  if (typeof name === "string" && CREDENTIAL_ERRORS.has(name)) {
    // No token, so no request was made.
    return new TransientError("teams.credentials", `${operation}: could not get a token for the Bot Connector (${name})`, { cause: err, notApplied: true });
  }
  if (f.status !== undefined) {
    return new PermanentError("teams.unexpected_response", `${operation}: unexpected Bot Connector answer ${f.status}`, { cause: err });
  }
  return new PermanentError("teams.unexpected", `${operation}: ${f.message}`, { cause: err });
}
