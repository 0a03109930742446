import type { TeamsGroupId, TeamsMessageId, TeamsThreadRef, WaMessageId } from "../ids";
import type { ChannelAddress } from "../model";

/** Where to look: a thread of a channel, in the team known by its group id. */
export interface ThreadLocation {
  readonly channel: ChannelAddress;
  readonly teamGroupId: TeamsGroupId;
  readonly thread: TeamsThreadRef;
}

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
 * bridge recording it (reliability.md §3.5 step 6): each customer post carries a marker derived from its
 * wamid (`ThreadPost.ref`), and this finds the post by that marker. Used only when resuming a post that
 * was cut short, never on the normal path. Never throws: a failure is `unknown`.
 */
export interface ThreadHistory {
  /** Looks in `where` for the bot's post of the customer message `wamid`. Does I/O. */
  findPost(where: ThreadLocation, wamid: WaMessageId): Promise<PostLookup>;
}
