import { BridgeError, PermanentError, TransientError } from "../../core/errors";

/*
 * The one place where failures of @azure/storage-blob (and @azure/identity) become core errors, so the
 * core never sees an SDK error. Messages carry the operation, HTTP status and service error code only,
 * never the request URL or the SDK error itself (kept out of logs on purpose, like the Table adapter).
 */

interface RestLikeError {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  details?: { errorCode?: unknown };
}

/** HTTP status of a failed storage request, or undefined (network failure, not an SDK error). */
export function blobStatusOf(err: unknown): number | undefined {
  const status = (err as RestLikeError | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The Blob service's error code (`BlobAlreadyExists`, `LeaseAlreadyPresent`…), if any. */
export function blobCodeOf(err: unknown): string | undefined {
  const e = err as RestLikeError | undefined;
  const code = e?.details?.errorCode ?? e?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Converts any Blob storage failure into a core error: no answer (refused, reset, timeout, abort), 408,
 * 429 and 5xx → `TransientError("storage.unavailable")`; identity failures → `PermanentError("storage.auth_failed")`;
 * other statuses → `PermanentError("storage.rejected")`; a `BridgeError` passes through unchanged.
 */
export function toBlobStorageError(err: unknown, operation: string): BridgeError {
  if (err instanceof BridgeError) return err;
  const e = (err ?? {}) as RestLikeError;
  const name = typeof e.name === "string" ? e.name : "";
  const status = blobStatusOf(err);
  const code = blobCodeOf(err);
  const what = [status === undefined ? undefined : `HTTP ${status}`, code].filter(Boolean).join(" ");
  if (name === "AbortError" || name === "TimeoutError") {
    return new TransientError("storage.unavailable", `${operation}: blob storage did not answer in time`);
  }
  if (name === "CredentialUnavailableError" || (name === "AuthenticationError" && !(status !== undefined && status >= 500))) {
    return new PermanentError("storage.auth_failed", `${operation}: could not get a token for blob storage (${name})`);
  }
  if (status === undefined) {
    if (name === "RestError" || name === "AuthenticationError" || typeof e.code === "string") {
      return new TransientError("storage.unavailable", `${operation}: blob storage is unreachable${what ? ` (${what})` : ""}`);
    }
    return new PermanentError("storage.failed", `${operation}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new TransientError("storage.unavailable", `${operation}: blob storage is unavailable (${what})`);
  }
  return new PermanentError("storage.rejected", `${operation}: blob storage refused the request (${what})`);
}
