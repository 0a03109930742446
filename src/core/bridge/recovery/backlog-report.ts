import type { BusinessNumberId } from "../../ids";
import type { ChannelLink, InboxEntry } from "../../model";
import type { BridgeDeps } from "../context";

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

/** One line of `status` for a number: what waits, since when, what failed, and a suspension. */
export function backlogLine(b: NumberBacklog, now: number): string {
  const name = b.displayNumber ?? b.business;
  const where = b.channelName ? ` (channel “${b.channelName}”)` : "";
  const age = b.oldestWaitingAt === undefined ? "" : `, the oldest for ${formatAge(now - b.oldestWaitingAt)}`;
  const suspended = b.suspendedSince === undefined ? "" : ` SUSPENDED for ${formatAge(now - b.suspendedSince)}: Teams refuses the bot in that team (was the app removed?); messages wait and are posted, in order, once it is back.`;
  return `• ${name}${where}: ${b.waiting} waiting${age}; ${b.failed} failed.${suspended}`;
}

function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 6) / 10;
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}
