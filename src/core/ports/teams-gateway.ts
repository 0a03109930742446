import type { FormattedText } from "../formatted-text";
import type { TeamsMessageId, TeamsThreadRef } from "../ids";
import type { ChannelAddress } from "../model";

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
}

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
    }
  | { readonly kind: "notice"; readonly tone: "info" | "warning" | "error"; readonly text: string };

/**
 * The Teams side, for posts the core starts (no incoming Teams turn needed). Implementations classify
 * failures: `TransientError` for 429/412/5xx (retry may help), `PermanentError` otherwise.
 */
export interface TeamsGateway {
  /** Starts a new thread in `channel` whose root is the customer card. Does I/O. */
  startThread(channel: ChannelAddress, root: RootCardModel): Promise<{ thread: TeamsThreadRef; rootMessageId: TeamsMessageId }>;
  /** Posts `post` as a reply in `thread`; returns the new message's id. Does I/O. */
  postInThread(channel: ChannelAddress, thread: TeamsThreadRef, post: ThreadPost): Promise<TeamsMessageId>;
}
