import type { AadObjectId, BusinessNumberId, ConversationKey, TeamsMessageId, WaMessageId } from "../ids";
import type { OutboundState } from "../rules/delivery-state";
import type { Recipient } from "./whatsapp-gateway";

/**
 * The append-only journal of the record (docs/data-and-compliance.md): the raw webhook deliveries Meta
 * sent (the exact signed bytes and their `X-Hub-Signature-256` header, kept before the webhook is
 * acknowledged, so that what was received can always be proven and replayed), and the bridge's own
 * records of what left the tenant or stayed in it (outbound messages, delivery statuses, replies kept in
 * Teams). The deployment makes the journal immutable (WORM): implementations never overwrite or delete,
 * and they chain what they write so that a removed, altered or inserted piece is detected
 * (`npm run verify`).
 */

/** One webhook POST as it arrived. */
export interface RawDelivery {
  /** The request body, byte for byte (the signature covers these bytes). */
  readonly body: Uint8Array;
  /** The `X-Hub-Signature-256` header as received (`sha256=<hex>`). */
  readonly signature: string;
}

/** Where a delivery or record was journaled (e.g. a blob name and line); stored with each inbox entry it produced. */
export type JournalRef = string;

/** Who in Teams wrote a reply. `name` is the display name as Teams gave it at the time. */
export interface JournalAuthor {
  readonly aadObjectId: AadObjectId;
  readonly name: string;
}

/**
 * A message the business sent to WhatsApp, recorded once Meta accepted it (one record per staff reply or
 * automatic message, however many WhatsApp messages it took).
 */
export interface OutboundRecord {
  readonly kind: "outbound";
  /** Epoch milliseconds when Meta accepted it. */
  readonly at: number;
  readonly business: BusinessNumberId;
  readonly conversation: ConversationKey;
  /** The phone and/or BSUID it went to, or the group. */
  readonly recipient: Recipient;
  /** What Meta accepted, in order (a long text goes as several messages). */
  readonly wamids: readonly WaMessageId[];
  /**
   * The Teams message it came from: the staff reply, or the template card it was sent from. Absent for a
   * message the bridge sent by itself (its thread post is written after this record).
   */
  readonly teamsMessageId?: TeamsMessageId;
  /** Absent for messages the bridge sends by itself (the first-contact notice). */
  readonly author?: JournalAuthor;
  /** The text exactly as the customer received it: WhatsApp markup, templates with their values filled in. */
  readonly text: string;
  /**
   * What kind of send it was, when not a plain staff reply: `template:<name>|<language>` for a template,
   * `automatic:<what>` for a message the bridge sent itself, `sent-anyway` for a reply sent with the
   * send prefix. Reports count templates by the `template:` prefix.
   */
  readonly label?: string;
}

/** A delivery state the bridge took for an outbound message (from a status webhook, or a refused send). */
export interface StatusRecord {
  readonly kind: "status";
  /** Epoch milliseconds. */
  readonly at: number;
  readonly wamid: WaMessageId;
  readonly state: OutboundState;
  /** Meta's error code when `state` is `failed`. */
  readonly errorCode?: number;
}

/**
 * Why a staff reply in a customer thread stayed in Teams: the reply-routing outcomes (`note`,
 * `not-addressed`, `internal-mention`, `tenant-link`) and the refusals of the send rules
 * (`policy-block`: the outbound policy matched; `window-closed`: the 24-hour window had expired;
 * `opted-out`: the customer opted out; `not-allowed`: its author may not write to customers, the staff
 * gate's reason in `detail`).
 */
export type InternalReason = "note" | "not-addressed" | "internal-mention" | "tenant-link" | "policy-block" | "window-closed" | "opted-out" | "not-allowed";

/** A staff reply kept in Teams: never sent to the customer, recorded so the record shows it was not. */
export interface InternalReplyRecord {
  readonly kind: "internal";
  /** Epoch milliseconds. */
  readonly at: number;
  readonly conversation: ConversationKey;
  readonly teamsMessageId: TeamsMessageId;
  readonly author: JournalAuthor;
  readonly why: InternalReason;
  /** More about `why` (the policy rule that matched, the mentions), never the customer's data. */
  readonly detail?: string;
  /** The reply's plain text, when kept (Teams keeps it in any case). */
  readonly text?: string;
}

export type JournalRecord = OutboundRecord | StatusRecord | InternalReplyRecord;

/** A record as the journal keeps it. */
export interface JournaledRecord {
  readonly ref: JournalRef;
  readonly record: JournalRecord;
}

/** One writer's sealed list of what it journaled on one UTC day (its manifest). */
export interface WriterManifest {
  /** Where the manifest is kept (e.g. its blob name). */
  readonly name: string;
  /** Instance name and boot id of the process that wrote it. */
  readonly writer: string;
  /** SHA-256 of the manifest as stored, lower-case hex. */
  readonly sha256: string;
  readonly segments: number;
  readonly entries: number;
}

/**
 * The day's seal: every writer's manifest of one UTC day, and one SHA-256 over them all. Posted where the
 * firm keeps its record (a Teams channel), it pins the day: a later change to any manifest no longer
 * matches the posted hash.
 */
export interface DayManifest {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  /** SHA-256 (hex) of the lines `<manifest name> <manifest sha256>\n`, manifests sorted by name. */
  readonly sha256: string;
  readonly manifests: readonly WriterManifest[];
  /** Writers whose part of the day is not sealed (still running, or ended without sealing), and how many pieces. */
  readonly unsealed: readonly { readonly writer: string; readonly segments: number }[];
}

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
   * Reads a journaled delivery back (audits, reconciliation, replay); `undefined` if `ref` names nothing
   * or names a record. Does I/O; throws like `append`, and `PermanentError("storage.journal_corrupt")` if
   * the stored bytes no longer match the hash kept with them.
   */
  read(ref: JournalRef): Promise<JournaledDelivery | undefined>;
  /**
   * Appends a record of the bridge's own (an outbound message, a status, a reply kept in Teams) to the
   * same journal, in the same chain, written together with the deliveries that arrive at the same time;
   * `entry.at` chooses the day it is filed under. Resolves once it is stored; call it before telling
   * anyone the outcome. Does I/O; throws like `append`.
   */
  record(entry: JournalRecord): Promise<JournalRef>;
  /** Reads a record back; `undefined` if `ref` names nothing or names a delivery. Throws like `read`. */
  readRecord(ref: JournalRef): Promise<JournaledRecord | undefined>;
  /**
   * The seal of the UTC day containing `day` (epoch ms): once that day is over, this writer's own part of
   * it is sealed first (its manifest written, if it was not yet), then every writer's manifest of the day
   * is hashed together. `undefined` when no writer has sealed anything that day (nothing journaled, or
   * the day is not over). Meant for a daily post of the day's hash; does I/O; throws like `append`.
   */
  dayManifest(day: number): Promise<DayManifest | undefined>;
}

/** A delivery as the journal keeps it. */
export interface JournaledDelivery extends RawDelivery {
  readonly ref: JournalRef;
  /** Epoch milliseconds of this receipt. */
  readonly receivedAt: number;
}
