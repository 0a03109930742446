import type { BusinessNumberId, TeamsChannelId, TeamsGroupId, TeamsMessageId, TeamsThreadRef, TenantId } from "../ids";
import type { ChannelAddress, InboxState } from "../model";
import type { LinkGap } from "./compliance-store";
import type { ActivityReport, JournalCheck } from "./record-checks";
import type { DayManifest, InternalReason, JournalRef } from "./webhook-journal";

/** A day's seal as posted: the seal, or nothing journaled that day. */
export interface DaySealPost {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  /** Undefined: no writer filed anything that day (no manifest exists). */
  readonly seal?: DayManifest;
  /** Days whose seals were not posted (the bridge was down longer than the catch-up reaches). */
  readonly missed?: { readonly from: string; readonly to: string };
}

/** Where a message is, or should be, in Teams: enough for the adapter to link to it. */
export interface TeamsPlace {
  readonly tenantId: TenantId;
  readonly channelId: TeamsChannelId;
  readonly channelName?: string;
  readonly teamGroupId?: TeamsGroupId;
  readonly thread: TeamsThreadRef;
  /** The message itself, when it exists. */
  readonly messageId?: TeamsMessageId;
}

/** A received message with no Teams copy in the message map. */
export interface UnreconciledMessage {
  readonly business: BusinessNumberId;
  /** The inbox key, masked (wamids encode phone numbers). */
  readonly key: string;
  readonly receivedAt: number;
  /** Its inbox state; `missing` when the inbox has no entry for it. */
  readonly state: InboxState | "missing";
  readonly detail?: string;
  readonly journalRef: JournalRef;
  /** The conversation's thread, when it has one. */
  readonly place?: TeamsPlace;
}

/** A message whose Teams post may exist twice (the inbox flag `duplicateSuspected`). */
export interface FlaggedDuplicate {
  readonly business: BusinessNumberId;
  readonly key: string;
  readonly receivedAt: number;
  readonly journalRef?: string;
  readonly place?: TeamsPlace;
}

/** One channel's share of a completeness check. */
export interface ChannelActivity {
  /** The channel's name (its id when unnamed); `(not linked)` for numbers linked to no channel. */
  readonly channel: string;
  readonly inbound: number;
  readonly outbound: number;
  /** Staff replies kept in Teams (by choice or refused): never sent to the customer. */
  readonly kept: number;
}

/** A suspended channel link (Teams refuses the bot in its team). */
export interface SuspendedLink {
  readonly business: BusinessNumberId;
  readonly displayNumber?: string;
  readonly channelName?: string;
  /** Epoch ms the suspension began. */
  readonly since: number;
}

/** The most unreconciled messages (and possible duplicates) an audit lists; the rest are counted. */
export const AUDIT_LIST_MAX = 200;

/** The completeness check of a period (`audit`): the journal against Teams and the tables. */
export interface AuditReport {
  /** Epoch ms, `to` excluded. */
  readonly from: number;
  readonly to: number;
  /** Customer messages received (each wamid once). */
  readonly inbound: number;
  /** Outbound records (staff replies and automatic messages), and the WhatsApp messages they took. */
  readonly outbound: number;
  readonly outboundMessages: number;
  /** Of `outbound`, the messages the bridge sent by itself (e.g. the first-contact notice). */
  readonly automatic: number;
  /** Per channel, by name, in order of messages in: in, out, and staff replies kept in Teams. */
  readonly byChannel: readonly ChannelActivity[];
  /** Staff replies kept in Teams by the staff's choice (a note, not addressed, …), by reason. */
  readonly keptInTeams: ReadonlyArray<readonly [InternalReason, number]>;
  /** Staff replies the send rules refused (policy block, window closed, opted out, author not allowed), by reason. */
  readonly refused: ReadonlyArray<readonly [InternalReason, number]>;
  /** Outbound messages that failed (their delivery state), by Meta error code (`unknown` without one). */
  readonly failures: ReadonlyArray<readonly [string, number]>;
  /** Channel links suspended at the time of the check: their numbers' Teams record has a gap. */
  readonly suspended: readonly SuspendedLink[];
  /** Received messages posted in Teams and in the message map. */
  readonly reconciled: number;
  /** How many received messages are not reconciled. */
  readonly unreconciledTotal: number;
  /** The first of them (at most `AUDIT_LIST_MAX`), in journal order. */
  readonly unreconciled: readonly UnreconciledMessage[];
  readonly duplicatesTotal: number;
  /** The first `AUDIT_LIST_MAX` possible duplicates of the period, oldest first. */
  readonly duplicates: readonly FlaggedDuplicate[];
  readonly journal: JournalCheck;
}

/** What goes into the compliance channel (or, for `audit`, the thread it was asked in). */
export type CompliancePost =
  | { readonly kind: "day-seal"; readonly seal: DaySealPost }
  | { readonly kind: "audit"; readonly audit: AuditReport }
  | { readonly kind: "weekly-review"; readonly report: ActivityReport }
  | { readonly kind: "link-gap"; readonly gap: LinkGap };

export interface CompliancePostOptions {
  /** This post may repeat one made before a restart cut it short: the post says so. */
  readonly mayRepeat?: boolean;
}

/**
 * Posts the compliance posts in Teams. Every post is plain text first (Purview search finds it, and the
 * retention copy holds it), then, for the reports, an Adaptive Card with the same figures as a reply.
 * Errors as `TeamsGateway`: `TeamsRefusal` (app removed, …), `TransientError`, `PermanentError`; once the
 * text is posted the call succeeds (a refused card is logged).
 */
export interface ComplianceGateway {
  /** Posts `post` as a new thread in `channel`. Does I/O. */
  startThread(
    channel: ChannelAddress,
    post: CompliancePost,
    options?: CompliancePostOptions,
  ): Promise<{ thread: TeamsThreadRef; rootMessageId: TeamsMessageId }>;
  /** Posts `post` as replies in `thread`; returns the text's message id. Does I/O. */
  postInThread(channel: ChannelAddress, thread: TeamsThreadRef, post: CompliancePost): Promise<TeamsMessageId>;
}
