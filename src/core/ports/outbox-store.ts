import type { FormattedText } from "../formatted-text";
import type { AadObjectId, BusinessNumberId, ConversationKey, TeamsMessageId, TeamsThreadRef, WaMessageId } from "../ids";

/**
 * A staff reply's way to WhatsApp (reliability.md §3.5 step 4, invariant I7 "outbound recorded before
 * send"): `queued` (accepted, waiting in a pacer) → `sending` (a Cloud API call is in flight) → `sent`
 * (Meta accepted it: `wamids`) or `failed` (Meta refused it, the thread was told). `uncertain`: found in
 * `sending` after a crash; the Cloud API has no idempotency key, so it is never sent again automatically.
 * A `sent` row goes back to `queued` when Meta later reports a rate-limit failure and it is sent again.
 */
export type OutboxState = "queued" | "sending" | "sent" | "failed" | "uncertain";
/** The states of a reply that still needs something (sending, or a person's check). */
export type UnfinishedOutboxState = Exclude<OutboxState, "sent" | "failed">;

/** One staff reply accepted for sending, keyed by its Teams message (thread + message id). */
export interface OutboxEntry {
  readonly business: BusinessNumberId;
  readonly contact: ConversationKey;
  readonly thread: TeamsThreadRef;
  readonly teamsMessageId: TeamsMessageId;
  readonly author?: AadObjectId;
  /** Everything needed to send it again: the text as the staff member wrote it. */
  readonly body: FormattedText;
  /** The customer message it answers (a Teams "reply with quote"), resolved when it was accepted. */
  readonly replyTo?: WaMessageId;
  readonly state: OutboxState;
  /** Cloud API calls started for it (each claim of `sending` counts one). */
  readonly attempts: number;
  /** Times it was queued again after Meta reported a rate-limit failure for an accepted send. */
  readonly resends: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the last change: a row left unchanged too long has lost its owner. */
  readonly updatedAt: number;
  /** The pacer (one per running bridge) that holds it; another instance takes it over only when stale. */
  readonly owner: string;
  /** What Meta accepted for it (several when a long text went as several messages). */
  readonly wamids?: readonly WaMessageId[];
  /** Why it failed or is uncertain, for the thread and reconciliation. */
  readonly detail?: string;
  /** Opaque version (the Table ETag): every update is conditional on it. */
  readonly version: string;
}

export type NewOutboxEntry = Omit<OutboxEntry, "version">;

/** What an update may change; `wamids: []` and `detail: ""` clear them. */
export type OutboxPatch = Partial<Pick<OutboxEntry, "state" | "attempts" | "resends" | "updatedAt" | "owner" | "wamids" | "detail">>;

/**
 * The outbox. Every method does I/O and may throw a `TransientError` or a `PermanentError`; a body too
 * large to store is refused with `PermanentError("storage.value_too_large")` (the Table limits).
 */
export interface OutboxStore {
  /**
   * Atomic create keyed by `(thread, teamsMessageId)` (Teams redelivers activities): `created: false`
   * with the stored row if one exists. Never check-then-set.
   */
  create(entry: NewOutboxEntry): Promise<{ created: true; entry: OutboxEntry } | { created: false; existing: OutboxEntry }>;
  get(thread: TeamsThreadRef, teamsMessageId: TeamsMessageId): Promise<OutboxEntry | undefined>;
  /**
   * Applies `patch` only if the row still has `entry.version` (optimistic concurrency: two instances can
   * never both claim one row). Resolves to the updated row, or `undefined` if it changed meanwhile or is gone.
   */
  update(entry: OutboxEntry, patch: OutboxPatch): Promise<OutboxEntry | undefined>;
  /**
   * Rows in any of `states` (`queued`, `sending` or `uncertain`: the unfinished ones), oldest first (by
   * `createdAt`). Reads only unfinished rows, whatever the history.
   */
  list(states: readonly UnfinishedOutboxState[]): Promise<OutboxEntry[]>;
}
