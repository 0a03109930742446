import type { BusinessNumberId, WaMessageId } from "../ids";
import type { InboundMessage } from "../messages";

/** A customer's file that could not be kept at first: tried again, with backoff, until kept or given up. */
export interface MediaRetry {
  readonly business: BusinessNumberId;
  /** The media message whose file is wanted. */
  readonly message: InboundMessage;
  /** Attempts made so far, the first one (at receipt) included. */
  readonly attempts: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/**
 * The queue of media retries: it holds only unfinished retries (a finished one is removed; its outcome is
 * in the thread), so reading it never reads history. Every method does I/O and may throw a
 * `TransientError` or a `PermanentError`; "not found" is `undefined`.
 */
export interface MediaRetryStore {
  /** Queues a retry of `retry.message`'s file; a retry already queued for that message is kept as it is. */
  add(retry: MediaRetry): Promise<void>;
  get(business: BusinessNumberId, wamid: WaMessageId): Promise<MediaRetry | undefined>;
  /** Every queued retry, oldest first. */
  list(): Promise<MediaRetry[]>;
  /** Records that another attempt was made. */
  setAttempts(business: BusinessNumberId, wamid: WaMessageId, attempts: number): Promise<void>;
  /** Removes a finished retry (idempotent). */
  remove(business: BusinessNumberId, wamid: WaMessageId): Promise<void>;
}
