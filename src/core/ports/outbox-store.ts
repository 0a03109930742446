import type { FormattedText } from "../formatted-text";
import type { AadObjectId, BusinessNumberId, ConversationKey, TeamsMessageId, TeamsThreadRef, TemplateKey, WaMessageId } from "../ids";
import type { TemplateValues } from "../templates";
import type { JournalRef } from "./webhook-journal";

/**
 * A message's way to WhatsApp (docs/architecture.md, "Outbox"; invariant "outbound recorded before
 * send"): `queued` (accepted, waiting in a pacer) → `sending` (a Cloud API call is in flight) →
 * `recording` (Meta accepted it: `wamids`; its record — the journal entry and, for a message no staff post
 * shows, the thread post — is being written) → `sent` (recorded), or `failed` (Meta refused it, the
 * thread was told). `uncertain`: found in `sending` after a crash; the Cloud API has no idempotency key,
 * so it is never sent again automatically. A `sent` row goes back to `queued` when Meta later reports a
 * rate-limit failure and it is sent again. A `recording` row is never sent again: only its record is
 * finished, by whoever holds it, or by the outbox sweep when its holder stopped.
 */
export type OutboxState = "queued" | "sending" | "recording" | "sent" | "failed" | "uncertain";
/** The states of a message that still needs something (sending, recording, or a person's check). */
export type UnfinishedOutboxState = Exclude<OutboxState, "sent" | "failed">;

/**
 * What a row sends: a staff reply (the default, no `kind`), a template sent from the template card, or a
 * text the bridge sends by itself (the first-contact notice).
 */
export type OutboxKind = "reply" | "template" | "automatic";

/**
 * One message accepted for sending, keyed by the Teams message it comes from (thread + message id): the
 * staff reply, the template card (a second press of its button finds the row: one template is sent), or
 * for an automatic message a key made from what caused it (`automatic:<what>:<wamid>`).
 */
export interface OutboxEntry {
  readonly business: BusinessNumberId;
  readonly contact: ConversationKey;
  readonly thread: TeamsThreadRef;
  readonly teamsMessageId: TeamsMessageId;
  /** Absent for a staff reply (rows stored before kinds existed are replies too). */
  readonly kind?: Exclude<OutboxKind, "reply">;
  readonly author?: AadObjectId;
  /** The author's display name as Teams gave it when the message was accepted (for the journal). */
  readonly authorName?: string;
  /**
   * Everything needed to send it again: the text as the staff member wrote it; for a template, the text
   * the customer receives (its values filled in); for an automatic message, its text.
   */
  readonly body: FormattedText;
  /** The template and the values typed into the card (`kind: "template"`). */
  readonly template?: { readonly id: TemplateKey; readonly values: TemplateValues };
  /**
   * The record's label for a message no staff post shows, or a reply sent with the send prefix: see
   * `OutboundRecord.label` (`template:<name>|<language>`, `automatic:<what>`, `sent-anyway`).
   */
  readonly label?: string;
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
  /** The thread post that records a template or automatic message, once posted. */
  readonly recordPost?: TeamsMessageId;
  /** Where its outbound record was journaled, once it was. */
  readonly journalRef?: JournalRef;
  /** Opaque version (the Table ETag): every update is conditional on it. */
  readonly version: string;
}

export type NewOutboxEntry = Omit<OutboxEntry, "version">;

/** What an update may change; `wamids: []` and `detail: ""` clear them. */
export type OutboxPatch = Partial<
  Pick<OutboxEntry, "state" | "attempts" | "resends" | "updatedAt" | "owner" | "wamids" | "detail" | "recordPost" | "journalRef">
>;

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
   * Rows in any of `states` (`queued`, `sending`, `recording` or `uncertain`: the unfinished ones), oldest first (by
   * `createdAt`). Reads only unfinished rows, whatever the history.
   */
  list(states: readonly UnfinishedOutboxState[]): Promise<OutboxEntry[]>;
}
