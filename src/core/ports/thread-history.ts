import type { ConversationKey, TeamsGroupId, TeamsMessageId, TeamsThreadRef, WaMessageId } from "../ids";
import type { ChannelAddress } from "../model";

/** Where to look: a thread of a channel, in the team known by its group id. */
export interface ThreadLocation {
  readonly channel: ChannelAddress;
  readonly teamGroupId: TeamsGroupId;
  readonly thread: TeamsThreadRef;
}

/** Where to look for a thread's root: a channel, in the team known by its group id. */
export type ChannelLocation = Omit<ThreadLocation, "thread">;

/** What the channel says about a customer's root card. */
export type RootLookup =
  /** The bot's root card for that customer is in the channel: its thread. */
  | { readonly kind: "found"; readonly thread: TeamsThreadRef; readonly rootMessageId: TeamsMessageId }
  /** The channel's messages since the given time were read and no such card is there. */
  | { readonly kind: "absent" }
  | { readonly kind: "unknown"; readonly why: string };

/** What the thread says about a customer post. */
export type PostLookup =
  /** The bot's post of that message is in the thread: its Teams id. */
  | { readonly kind: "found"; readonly id: TeamsMessageId }
  /** The whole thread was read and the post is not there. */
  | { readonly kind: "absent" }
  /** Could not tell (Graph unreachable or refused, thread too long to read): `why` is for the log. */
  | { readonly kind: "unknown"; readonly why: string };

/**
 * Reads back what a thread holds, to close the crash window between Teams accepting a post and the
 * bridge recording it (docs/reliability.md, "The crash window"): each customer post carries a marker derived from its
 * wamid (`ThreadPost.ref`), and this finds the post by that marker; each root card carries one derived
 * from the contact (`RootCardModel.ref`), found the same way among the channel's threads. Used only when
 * resuming a post or a thread start that was cut short, never on the normal path. Never throws: a
 * failure is `unknown`.
 */
export interface ThreadHistory {
  /** Looks in `where` for the bot's post of the customer message `wamid`. Does I/O. */
  findPost(where: ThreadLocation, wamid: WaMessageId): Promise<PostLookup>;
  /**
   * Looks in `where` for a root card the bot posted for `contact` (`RootCardModel.ref`) since `since`
   * (epoch ms): the thread a start cut short by a crash may have made. Does I/O.
   */
  findThreadRoot(where: ChannelLocation, contact: ConversationKey, since: number): Promise<RootLookup>;
}
