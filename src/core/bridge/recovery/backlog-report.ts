import type { BusinessNumberId } from "../../ids";
import type { ChannelLink, InboxEntry } from "../../model";
import type { BridgeDeps } from "../context";
import type { NumberBacklog } from "../../model";

const WAITING = ["pending", "posting", "held", "unrouted"] as const;

/**
 * Counts waiting and failed events per business number, with its link. Reads every unfinished and failed
 * inbox entry: for `status` and a cached readiness report, not for every request. Does I/O.
 */
export async function backlogReport(ctx: Pick<BridgeDeps, "stores">): Promise<NumberBacklog[]> {
  const [links, waiting, failed] = await Promise.all([
    ctx.stores.links.list(),
    Promise.all(WAITING.map((state) => ctx.stores.inbox.list(state))).then((lists) => lists.flat()),
    ctx.stores.inbox.list("failed"),
  ]);
  const byNumber = new Map<string, { link?: ChannelLink; waiting: InboxEntry[]; failed: number }>();
  const row = (business: BusinessNumberId) => {
    let r = byNumber.get(business);
    if (!r) byNumber.set(business, (r = { waiting: [], failed: 0 }));
    return r;
  };
  for (const link of links) row(link.business).link = link;
  for (const entry of waiting) row(entry.business).waiting.push(entry);
  for (const entry of failed) row(entry.business).failed++;
  return [...byNumber.entries()].map(([business, r]) => ({
    business: business as BusinessNumberId,
    ...(r.link?.displayNumber ? { displayNumber: r.link.displayNumber } : {}),
    ...(r.link?.channel.channelName ? { channelName: r.link.channel.channelName } : {}),
    ...(r.link?.suspended ? { suspendedSince: r.link.suspended.since } : {}),
    waiting: r.waiting.length,
    failed: r.failed,
    ...(r.waiting.length ? { oldestWaitingAt: Math.min(...r.waiting.map((e) => e.receivedAt)) } : {}),
  }));
}
