import type { FormattedText } from "../formatted-text";
import type { ConversationKey, TeamsMessageId, TeamsThreadRef, WaMessageId } from "../ids";
import type { ChannelAddress } from "../model";
import type { StaffNotice } from "../notices";
import type { TemplateCardModel } from "../staff-message";

/** What the root post of a customer thread shows (the adapter renders it as an Adaptive Card). */
export interface RootCardModel {
  /** Display name from the WhatsApp profile (untrusted: the adapter neutralises it for display). */
  readonly customerName?: string;
  /** `+<digits>` when known. */
  readonly phone?: string;
  readonly username?: string;
  /** The business number the customer wrote to, as people know it. */
  readonly businessDisplay?: string;
  /** Plain-text excerpt of the first message. */
  readonly firstMessage: string;
  /** Epoch milliseconds of the first message. */
  readonly startedAt: number;
  /** Live state, shown once known (the card is updated in place, not re-posted). */
  readonly live?: ConversationLiveState;
  /** The conversation's earlier thread was deleted in Teams: this card starts its replacement and says so. */
  readonly earlierThreadGone?: boolean;
  /** Set for a WhatsApp group's thread: the card says so, with its subject and participant count. */
  readonly group?: {
    /** Group subject, chosen by its members (untrusted, display only). */
    readonly subject?: string;
    readonly participantCount?: number;
    readonly suspended?: boolean;
    readonly deleted?: boolean;
  };
  /**
   * The conversation's key: the adapter shows a short reference derived from it, by which
   * `ThreadHistory.findThreadRoot` finds a thread whose start a crash cut short.
   */
  readonly ref?: ConversationKey;
}

/** The conversation's live state on the root card. */
export interface ConversationLiveState {
  /** The 24-hour customer service window: open until `closesAt`, or closed. */
  readonly window: { readonly open: boolean; readonly closesAt?: number };
  /** The last message the business sent: its ticks (for a group, with how many participants), when, and the start of its text. */
  readonly lastOutbound?: { readonly ticks: string; readonly at: number; readonly excerpt: string };
  /** The customer opted out of business-initiated messages. */
  readonly optedOut: boolean;
}

/** Why a post may be a second copy: a restart cut the first attempt short, or Teams did not confirm it. */
export type PossibleDuplicate = "restart" | "unconfirmed";

/** A message the bridge posts into a thread. */
export type ThreadPost =
  | {
      readonly kind: "customer";
      /** Who wrote it, as shown: profile name (untrusted) … */
      readonly authorName?: string;
      /** … and the number or username, always shown beside it. */
      readonly authorHandle: string;
      /** Epoch milliseconds (WhatsApp's timestamp). */
      readonly sentAt: number;
      readonly body: FormattedText;
      /** Set when the message is a stand-in for content not rendered here (e.g. "image"). */
      readonly placeholder?: string;
      readonly forwarded?: "forwarded" | "frequently";
      /**
       * The message's wamid: the adapter shows a short reference derived from it, which lets
       * `ThreadHistory` find the post again after a crash and lets compliance match it to Meta's id.
       */
      readonly ref?: WaMessageId;
      /**
       * This post is a second attempt that may duplicate an earlier one (the bridge restarted mid-post,
       * or Teams did not confirm an attempt, and the thread could not be checked): the post itself says
       * so, so a duplicate never exists without its flag.
       */
      readonly possibleDuplicate?: PossibleDuplicate;
      /**
       * Teams refused the formatted post: this is the same message as plain text (text, sender, time, file
       * names with their SHA-256 and links), saying so.
       */
      readonly fallback?: boolean;
    }
  /** A note from the bridge (the adapter words it: src/teams/wording.ts). */
  | { readonly kind: "notice"; readonly notice: StaffNotice }
  /**
   * The record of something the business sent that no staff message shows (a template, an automatic
   * notice): `label` from thread-view/record-lines.ts, `text` exactly what the customer received.
   */
  | { readonly kind: "sent"; readonly label: string; readonly text: string }
  /** The template card, posted by the bridge itself (a reply WhatsApp refused because the 24-hour window had closed). */
  | { readonly kind: "template-card"; readonly card: TemplateCardModel }
  /** An image shown inline under the message it came with (its own post: Teams splits text + image). */
  | { readonly kind: "image"; readonly name: string; readonly mimeType: string; readonly bytes: Uint8Array };

/**
 * The Teams side, for posts the core starts (no incoming Teams turn needed). Implementations classify
 * failures: `TransientError` for 429/412/5xx (retry may help), `TeamsRefusal` for the refusals the bridge
 * acts on (app removed, thread gone, post refused), `PermanentError` otherwise.
 */
export interface TeamsGateway {
  /** Starts a new thread in `channel` whose root is the customer card. Does I/O. */
  startThread(channel: ChannelAddress, root: RootCardModel): Promise<{ thread: TeamsThreadRef; rootMessageId: TeamsMessageId }>;
  /** Posts `post` as a reply in `thread`; returns the new message's id. Does I/O. */
  postInThread(channel: ChannelAddress, thread: TeamsThreadRef, post: ThreadPost): Promise<TeamsMessageId>;
  /** Replaces the root card of `thread` (a message the bot posted) with `root`. Does I/O. */
  updateRootCard(channel: ChannelAddress, thread: TeamsThreadRef, rootMessageId: TeamsMessageId, root: RootCardModel): Promise<void>;
  /**
   * Asks Teams whether the bot may work in `channel` now, with a cheap read (no post). Resolves when it
   * may; throws a `TeamsRefusal` (`app-removed`) when it may not, another error when Teams cannot say.
   */
  probe(channel: ChannelAddress): Promise<void>;
}
