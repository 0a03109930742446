import { BridgeError, PermanentError, TransientError } from "../../core/errors";

/*
 * The one place where failures of @azure/data-tables (and @azure/identity) become core errors, so the core
 * never sees an SDK error. The messages carry the operation, HTTP status and service error code only:
 * SDK errors hold the request URL, whose keys contain contact keys (phone numbers), so they are not kept
 * as `cause` and never reach a log.
 */

interface RestLikeError {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  details?: { errorCode?: unknown; odataError?: { code?: unknown } };
  response?: { headers?: { get?(name: string): string | undefined } };
}

/** HTTP status of a failed storage request, or undefined (network failure, not an SDK error). */
export function statusOf(err: unknown): number | undefined {
  const status = (err as RestLikeError | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The Table service's error code (`EntityAlreadyExists`, `ResourceNotFound`, `TableNotFound`…), if any. */
export function serviceCodeOf(err: unknown): string | undefined {
  const details = (err as RestLikeError | undefined)?.details;
  const code = details?.errorCode ?? details?.odataError?.code;
  return typeof code === "string" ? code : undefined;
}

/** True if `err` is a storage response with HTTP status `status`. */
export function hasStatus(err: unknown, status: number): boolean {
  return statusOf(err) === status;
}

/**
 * Converts any storage failure into a core error:
 * - no answer (connection refused/reset, DNS, timeout or abort), 408, 429 and 5xx (503 = throttled) →
 *   `TransientError("storage.unavailable")`, with `retryAfterMs` when the service sent Retry-After;
 * - identity failures → `PermanentError("storage.auth_failed")` (5xx from the token endpoint: transient);
 * - any other status → `PermanentError("storage.rejected")`;
 * - a `BridgeError` passes through unchanged; anything else → `PermanentError("storage.failed")`.
 */
export function toStorageError(err: unknown, operation: string): BridgeError {
  if (err instanceof BridgeError) return err;
  const e = (err ?? {}) as RestLikeError;
  const name = typeof e.name === "string" ? e.name : "";
  const status = statusOf(err);
  const serviceCode = serviceCodeOf(err);
  const what = [status === undefined ? undefined : `HTTP ${status}`, serviceCode ?? (typeof e.code === "string" ? e.code : undefined)]
    .filter(Boolean)
    .join(" ");

  if (name === "AbortError" || name === "TimeoutError") {
    return new TransientError("storage.unavailable", `${operation}: storage did not answer in time`);
  }
  if (name === "CredentialUnavailableError" || (name === "AuthenticationError" && !(status !== undefined && status >= 500))) {
    return new PermanentError("storage.auth_failed", `${operation}: could not get a token for storage (${name}${what ? `, ${what}` : ""})`);
  }
  if (status === undefined) {
    if (name === "RestError" || name === "AuthenticationError" || typeof e.code === "string") {
      return new TransientError("storage.unavailable", `${operation}: storage is unreachable${what ? ` (${what})` : ""}`);
    }
    return new PermanentError("storage.failed", `${operation}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = retryAfterOf(e);
    return new TransientError("storage.unavailable", `${operation}: storage is unavailable (${what})`, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  return new PermanentError("storage.rejected", `${operation}: storage refused the request (${what})`);
}

function retryAfterOf(e: RestLikeError): number | undefined {
  const header = e.response?.headers?.get?.("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
