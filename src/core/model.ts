import type {
  AadObjectId,
  TeamsGroupId,
  TeamsTeamId,
  BusinessNumberId,
  ConversationKey,
  TeamsChannelId,
  TeamsMessageId,
  TeamsThreadRef,
  TenantId,
  GroupRequestId,
  WaGroupId,
  WaMessageId,
  WaPhone,
  WaUserId,
} from "./ids";
import type { WhatsAppEvent } from "./messages";
import type { OutboundState } from "./rules/delivery-state";

/** Where a channel lives, as the Teams side needs it to post there without an incoming turn. */
export interface ChannelAddress {
  readonly channelId: TeamsChannelId;
  readonly tenantId: TenantId;
  readonly serviceUrl: string;
  readonly teamId?: TeamsTeamId;
  readonly channelName?: string;
}

/** A business number linked to the standard channel that receives its conversations. */
export interface ChannelLink {
  readonly business: BusinessNumberId;
  readonly channel: ChannelAddress;
  readonly linkedBy: AadObjectId;
  /** Epoch milliseconds. */
  readonly linkedAt: number;
  readonly displayNumber?: string;
  /**
   * The team's group id, seen on the `link` activity: lets the bridge read the thread through Microsoft
   * Graph after a crash (is the post already there?). Links made without it cannot be checked.
   */
  readonly teamGroupId?: TeamsGroupId;
  /**
   * Set while Teams refuses the bot in this channel's team (the app was removed, the team or channel is
   * gone): the number's messages wait in the inbox (`held`), in order, and are posted once the app is back.
   */
  readonly suspended?: { readonly since: number; readonly reason: string };
}

/**
 * One customer's conversation: the contact and the thread it lives in. `creating` is held while the
 * thread is being made, so two racing first messages cannot make two threads.
 */
export interface Conversation {
  readonly contact: ConversationKey;
  readonly business: BusinessNumberId;
  readonly state: "creating" | "active";
  readonly channelId?: TeamsChannelId;
  readonly thread?: TeamsThreadRef;
  readonly rootMessageId?: TeamsMessageId;
  readonly userId?: WaUserId;
  readonly phone?: WaPhone;
  readonly profileName?: string;
  readonly username?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the customer's last message (the 24-hour window starts here). */
  readonly lastInboundAt?: number;
  /** Plain-text excerpt of the customer's first message (the root card shows it). */
  readonly firstMessage?: string;
  /** The customer opted out of business-initiated messages (STOP keyword or WhatsApp's setting). */
  readonly optedOut?: boolean;
  /** The last message the business sent, for the root card's live state. */
  readonly lastOutbound?: LastOutbound;
  /** When Teams said the conversation's earlier thread was gone (its root deleted) and this one replaced it. */
  readonly earlierThreadGoneAt?: number;
  /** Set when the conversation is a WhatsApp group's (its key is a `GroupKey`): who writes varies, replies go to the group. */
  readonly group?: GroupInfo;
}

/** The last message the business sent in a conversation. */
export interface LastOutbound {
  readonly wamid: WaMessageId;
  readonly state: OutboundState;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly excerpt: string;
  /** For a group send: how many participants it reached and how many read it (statuses come per participant). */
  readonly delivered?: number;
  readonly read?: number;
}

/** What the bridge knows of a WhatsApp group. */
export interface GroupInfo {
  /** Absent while a group asked for from Teams waits for WhatsApp to create it (`requestId`). */
  readonly id?: WaGroupId;
  /** The request of `group create` that made (or is making) the group. */
  readonly requestId?: GroupRequestId;
  readonly subject?: string;
  /** Participants other than the business, as last known (WhatsApp allows 8). */
  readonly participantCount?: number;
  /** WhatsApp suspended the group: nothing can be sent to it until it lifts the suspension. */
  readonly suspended?: boolean;
  readonly inviteLink?: string;
  /** WhatsApp deleted the group. */
  readonly deleted?: boolean;
}

/** One WhatsApp message and its copy in Teams. */
export interface MessageLink {
  readonly business: BusinessNumberId;
  readonly wamid: WaMessageId;
  readonly thread: TeamsThreadRef;
  readonly teamsMessageId: TeamsMessageId;
  readonly contact: ConversationKey;
  readonly direction: "inbound" | "outbound";
  /** Epoch milliseconds. */
  readonly at: number;
  /** For outbound messages: who in Teams wrote it. */
  readonly author?: AadObjectId;
  /** For outbound messages: delivery state, moved forward only by status webhooks. */
  readonly state?: OutboundState;
  /** For outbound messages: the start of the text, quoted in failure notices. */
  readonly excerpt?: string;
  /**
   * For an outbound message to a group: the participants (opaque ids) it was delivered to and read by.
   * Statuses come per participant; keeping who makes counting idempotent.
   */
  readonly receipts?: { readonly delivered: readonly string[]; readonly read: readonly string[] };
}

/**
 * `posting`: a post to Teams was started and its outcome is not recorded yet. Found on recovery, it means
 * the earlier attempt may have reached Teams: the message is posted again and flagged as a possible
 * duplicate (a crash between "posted" and "recorded" is detected, never silent). `unrouted`: its number
 * is not linked to a channel yet; `held`: its channel's link is suspended (Teams refuses the bot there).
 * Both are delivered, in order, once the link exists or resumes.
 */
export type InboxState = "pending" | "posting" | "done" | "unrouted" | "held" | "failed";

/** The states of an entry that is not finished: found through the index of unfinished entries. */
export type IndexedInboxState = Exclude<InboxState, "done">;

/** Facts about an inbox entry kept in typed fields (never in `detail`, which is prose for people). */
export interface InboxFlags {
  /** Its Teams post may exist twice: the second copy says so, and `npm run reconcile` lists it. */
  readonly duplicateSuspected?: boolean;
  /** Held while its post to Teams was in flight: on resume the thread is checked first, as after a crash. */
  readonly interruptedPost?: boolean;
}

/** A received WhatsApp event, recorded before the webhook is acknowledged. */
export interface InboxEntry extends InboxFlags {
  readonly business: BusinessNumberId;
  /** Dedupe key within the business number (see `eventKeyOf`). */
  readonly key: string;
  readonly event: WhatsAppEvent;
  readonly state: InboxState;
  /** Epoch milliseconds. */
  readonly receivedAt: number;
  readonly detail?: string;
  /** Where the raw webhook delivery that carried this event was journaled (`WebhookJournal`). */
  readonly journalRef?: string;
}

/** What waits or failed for one business number (its channel, when linked): nothing fails in silence. */
export interface NumberBacklog {
  readonly business: BusinessNumberId;
  readonly displayNumber?: string;
  readonly channelName?: string;
  /** Set while Teams refuses the bot in the channel's team. */
  readonly suspendedSince?: number;
  /** Events not yet in Teams: pending, being posted, held for a suspended link, or unrouted (no link). */
  readonly waiting: number;
  readonly failed: number;
  /** Epoch ms of the oldest waiting event's receipt. */
  readonly oldestWaitingAt?: number;
}
