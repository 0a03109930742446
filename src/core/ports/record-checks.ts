import type { BusinessNumberId, ConversationKey, WaMessageId } from "../ids";
import type { InternalReason, JournalRef } from "./webhook-journal";

/**
 * What the compliance posts read from the record itself (the journal), through the same code as the
 * operator commands: `npm run verify`'s chain walk and `npm run report`'s figures. Implemented outside
 * the core (src/record-checks.ts); every method does I/O, reads one blob at a time, and may throw a
 * `TransientError` or `PermanentError` like the journal.
 */

/** A customer message as the journal received it. */
export interface ReceivedMessage {
  readonly business: BusinessNumberId;
  readonly wamid: WaMessageId;
  /** Its inbox key (`eventKeyOf`). */
  readonly key: string;
  readonly conversation: ConversationKey;
  /** Epoch ms of the receipt. */
  readonly receivedAt: number;
  /** The journal line of the delivery that carried it. */
  readonly ref: JournalRef;
}

/** One journal entry of a period, as the completeness check counts it. */
export type PeriodEntry =
  /** A message event of a received delivery (a message Meta delivered twice comes twice). */
  | { readonly kind: "received"; readonly message: ReceivedMessage }
  /**
   * An outbound record: one staff reply or automatic message (`automatic`: the bridge sent it by itself),
   * in `wamids` WhatsApp messages.
   */
  | { readonly kind: "sent"; readonly at: number; readonly business: BusinessNumberId; readonly wamids: number; readonly automatic: boolean }
  /** A staff reply kept in Teams, never sent: by the staff's choice or refused by the send rules (`why`). */
  | { readonly kind: "kept"; readonly at: number; readonly conversation: ConversationKey; readonly why: InternalReason }
  /** An outbound message that took the `failed` delivery state (Meta's `errorCode` when it gave one). */
  | { readonly kind: "failed"; readonly at: number; readonly errorCode?: number };

/** A finding of the chain walk (`npm run verify`). */
export interface RecordBreak {
  readonly kind: "missing" | "altered" | "inserted" | "unreadable" | "signature" | "stray";
  /** The blob, or `<segment>#<line>`. */
  readonly what: string;
  readonly detail: string;
}

/** `npm run verify` over whole UTC days, in short. */
export interface JournalCheck {
  /** `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly segments: number;
  readonly manifests: number;
  readonly entries: number;
  /** Nothing missing, altered, inserted or unreadable (signatures are counted apart). */
  readonly intact: boolean;
  /** Every break but signature failures. */
  readonly breaks: readonly RecordBreak[];
  /** Received bodies that the current app secret does not verify (e.g. signed before a rotation). */
  readonly unsignedDeliveries: number;
  /** Writers with segments no manifest lists yet. */
  readonly unsealed: ReadonlyArray<{ readonly writer: string; readonly segments: number }>;
}

/** The activity report of `npm run report` (src/compliance/report-builder.ts says how each figure is computed). */
export interface ActivityReport {
  /** `YYYY-MM-DD` (UTC), inclusive. */
  readonly from: string;
  readonly to: string;
  /** ISO time the open turns and windows were judged at. */
  readonly asOf: string;
  readonly conversations: number;
  readonly byChannel: ReadonlyArray<readonly [string, number]>;
  /** Per staff member (display name): conversations they replied in, replies sent, replies kept in Teams. */
  readonly byStaff: ReadonlyArray<{ readonly name: string; readonly conversations: number; readonly replies: number; readonly internal: number }>;
  readonly customerMessages: number;
  readonly replies: number;
  readonly automatic: number;
  readonly firstResponseMedianSeconds?: number;
  readonly responseMedianSeconds?: number;
  readonly responses: ReadonlyArray<readonly [string, number]>;
  readonly unanswered: number;
  readonly windowsExpiredBeforeReply: number;
  readonly templates: ReadonlyArray<readonly [string, number]>;
  readonly policyBlocks: number;
  readonly optOuts: number;
  readonly failures: ReadonlyArray<readonly [string, number]>;
  readonly internal: ReadonlyArray<readonly [string, number]>;
  readonly perDay: ReadonlyArray<{ readonly day: string; readonly customerMessages: number; readonly replies: number }>;
}

export interface RecordChecks {
  /**
   * Every message received, outbound record, reply kept in Teams and failed delivery state from `from` to
   * `to` (epoch ms, `to` excluded), in journal order.
   */
  periodEntries(from: number, to: number): AsyncIterable<PeriodEntry>;
  /** Walks the journal's chains over the UTC days `from`..`to` (`YYYY-MM-DD`, inclusive), as `npm run verify` does. */
  checkJournal(from: string, to: string): Promise<JournalCheck>;
  /** The figures of `npm run report` for the UTC days `from`..`to`, open turns judged as of `now` (epoch ms). */
  activityReport(from: string, to: string, now: number): Promise<ActivityReport>;
}
