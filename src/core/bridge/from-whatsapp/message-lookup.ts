import type { Block } from "../../formatted-text";
import type { BusinessNumberId, TeamsMessageId, WaMessageId } from "../../ids";
import { eventKeyOf } from "../../messages";
import type { Stores } from "../../ports/stores";
import { italic, nameOf, p, quote, quoted, summaryOf, t } from "../thread-view/thread-text";

/** An earlier message of a conversation, as far as the bridge knows it. */
export interface EarlierMessage {
  readonly direction: "inbound" | "outbound";
  readonly teamsMessageId: TeamsMessageId;
  /** Who wrote it, for sentences: the customer's name, or "the business". */
  readonly who: string;
  /** What it said, on one line (its text, caption or type). */
  readonly summary: string;
}

/**
 * Finds an earlier message by wamid: the message map says where it is in Teams; a customer message's
 * words come from the inbox record, a business message's from the excerpt kept when it was sent.
 * Undefined when the bridge has no copy of it (sent before the bridge, or not arrived yet). Does I/O.
 */
export async function findEarlier(stores: Stores, business: BusinessNumberId, wamid: WaMessageId): Promise<EarlierMessage | undefined> {
  const link = await stores.messages.byWamid(business, wamid);
  if (!link) return undefined;
  if (link.direction === "outbound") {
    return { direction: "outbound", teamsMessageId: link.teamsMessageId, who: "the business", summary: link.excerpt ?? "a message sent from Teams" };
  }
  const recorded = await stores.inbox.get(business, eventKeyOf({ type: "message", id: wamid } as Parameters<typeof eventKeyOf>[0]));
  const event = recorded?.event;
  if (event?.type !== "message") return { direction: "inbound", teamsMessageId: link.teamsMessageId, who: "the customer", summary: "an earlier message" };
  return { direction: "inbound", teamsMessageId: link.teamsMessageId, who: nameOf(event), summary: summaryOf(event.content) };
}

/** The quote shown above a message that replies to an earlier one (`context.id`). */
export function replyQuote(earlier: EarlierMessage | undefined): Block {
  if (!earlier) return quote(p(italic("↩ In reply to an earlier message that is not in this thread.")));
  const whose = earlier.direction === "outbound" ? "the business's message" : `${earlier.who}'s message`;
  return quote(p(italic(`↩ In reply to ${whose}:`)), p(t(quoted(earlier.summary, 300))));
}
