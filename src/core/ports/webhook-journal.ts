/**
 * The append-only journal of raw webhook deliveries (reliability.md §0.2, §3.5): the exact signed bytes
 * Meta sent and their `X-Hub-Signature-256` header, kept before the webhook is acknowledged, so that what
 * was received can always be proven and replayed. The deployment makes the journal immutable (WORM):
 * implementations never overwrite or delete.
 */

/** One webhook POST as it arrived. */
export interface RawDelivery {
  /** The request body, byte for byte (the signature covers these bytes). */
  readonly body: Uint8Array;
  /** The `X-Hub-Signature-256` header as received (`sha256=<hex>`). */
  readonly signature: string;
}

/** Where a delivery was journaled (e.g. a blob name); stored with each inbox entry it produced. */
export type JournalRef = string;

export interface WebhookJournal {
  /**
   * Appends `delivery` durably and returns its ref; resolves only once the bytes are stored. `receivedAt`
   * (epoch ms) is recorded with it and chooses the day it is filed under. Every call is a record of its
   * own: Meta's redelivery of identical bytes is journaled again under another ref (the second receipt is
   * a fact too); nothing is ever overwritten. Implementations may write concurrent appends together.
   * Does I/O. Throws `TransientError` when storage is unreachable (the webhook then answers 5xx and Meta
   * retries) and `PermanentError` when storage refuses.
   */
  append(delivery: RawDelivery, receivedAt: number): Promise<JournalRef>;
  /**
   * Reads a journaled delivery back (audits, reconciliation, replay); `undefined` if `ref` names nothing.
   * Does I/O; throws like `append`, and `PermanentError("storage.journal_corrupt")` if the stored bytes
   * no longer match the hash kept with them.
   */
  read(ref: JournalRef): Promise<JournaledDelivery | undefined>;
}

/** A delivery as the journal keeps it. */
export interface JournaledDelivery extends RawDelivery {
  readonly ref: JournalRef;
  /** Epoch milliseconds of this receipt. */
  readonly receivedAt: number;
}
