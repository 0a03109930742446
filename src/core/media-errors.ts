import { BridgeError } from "./errors";

/** Why a media download failed, as the core acts on it. */
export type MediaFailure =
  /** Larger than WhatsApp's limit for its type: never read, and trying again will not help. */
  | "too_large"
  /** WhatsApp no longer has it (media id expired or unknown): trying again will not help. */
  | "unavailable"
  /** The download was refused by the bridge's own rules (host not allowed, redirect): an alert, not a retry. */
  | "refused"
  /** Network, timeout, throttling or a server error: worth trying again. */
  | "failed";

/**
 * A media download that did not produce a file. Adapters raise it; `reason` decides what the thread
 * says and whether the download is tried again. `userMessage` is one plain sentence for the thread.
 */
export class MediaFetchError extends BridgeError {
  constructor(
    readonly reason: MediaFailure,
    message: string,
    options: { userMessage: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(`whatsapp.media.${reason}`, message, { ...options, retryable: reason === "failed" });
  }
}
