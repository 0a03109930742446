import { businessOfContact, type BusinessNumberId } from "../../ids";
import type { ChannelLink, InboxEntry } from "../../model";
import type { ComplianceChannel } from "../../ports/compliance-store";
import {
  AUDIT_LIST_MAX,
  type AuditReport,
  type ChannelActivity,
  type FlaggedDuplicate,
  type SuspendedLink,
  type TeamsPlace,
  type UnreconciledMessage,
} from "../../ports/compliance-gateway";
import type { ReceivedMessage } from "../../ports/record-checks";
import type { InternalReason } from "../../ports/webhook-journal";
import { maskKey } from "../recovery/reconcile";
import type { BridgeDeps, ComplianceDeps } from "../context";
import { dayOf, lastAuditPeriod, periodKey } from "./periods";
import { updateProgress } from "../scheduling/job-progress";
import { cursorPeriod, postOnce } from "./post-once";

/** Messages looked up in the tables at a time. */
const LOOKUP_BATCH = 16;

/**
 * Replies kept in Teams because a send rule refused them, the staff gate included (the others stayed by
 * the staff's choice).
 */
const SEND_RULE_REFUSALS: ReadonlySet<InternalReason> = new Set<InternalReason>(["policy-block", "window-closed", "opted-out", "not-allowed"]);

/** Counts by name, as pairs sorted by count (then name). */
class Tally<K extends string> {
  private readonly counts = new Map<K, number>();
  add(key: K): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  pairs(): Array<readonly [K, number]> {
    return [...this.counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  }
}

/** In, out and kept per business number, named by the channel each is linked to at the end. */
class ChannelTally {
  private readonly byNumber = new Map<BusinessNumberId, { inbound: number; outbound: number; kept: number }>();
  add(business: BusinessNumberId, what: "inbound" | "outbound" | "kept"): void {
    const counts = this.byNumber.get(business) ?? { inbound: 0, outbound: 0, kept: 0 };
    counts[what]++;
    this.byNumber.set(business, counts);
  }
  async result(linkOf: (b: BusinessNumberId) => Promise<ChannelLink | undefined>): Promise<ChannelActivity[]> {
    const byChannel = new Map<string, { inbound: number; outbound: number; kept: number }>();
    for (const [business, counts] of this.byNumber) {
      const link = await linkOf(business);
      const channel = link ? (link.channel.channelName ?? link.channel.channelId) : "(not linked)";
      const sum = byChannel.get(channel) ?? { inbound: 0, outbound: 0, kept: 0 };
      byChannel.set(channel, { inbound: sum.inbound + counts.inbound, outbound: sum.outbound + counts.outbound, kept: sum.kept + counts.kept });
    }
    return [...byChannel].map(([channel, c]) => ({ channel, ...c })).sort((a, b) => b.inbound - a.inbound || (a.channel < b.channel ? -1 : 1));
  }
}

/**
 * The completeness check of [from, to) (epoch ms): every customer message the journal received in the
 * period (each wamid once) is looked up in the message map: there, it is in Teams (reconciled); not
 * there, it is listed (the first `AUDIT_LIST_MAX`) with its inbox state and where its thread is (the
 * facts `npm run reconcile` gives). Outbound records, replies kept in Teams (by choice, or refused by
 * the send rules) and failed deliveries are counted, per channel where they have one; the inbox's
 * possible duplicates of the period are listed, the links suspended now named, and the journal's
 * chains walked over the days of the period (`npm run verify`). Reads the journal once, a
 * segment at a time, and the tables by key only. Does I/O; throws what the stores and records throw.
 */
export async function runAudit(ctx: BridgeDeps, deps: ComplianceDeps, from: number, to: number): Promise<AuditReport> {
  const { stores } = ctx;
  const links = new Map<BusinessNumberId, Promise<ChannelLink | undefined>>();
  const linkOf = (business: BusinessNumberId) => {
    let link = links.get(business);
    if (!link) links.set(business, (link = stores.links.get(business)));
    return link;
  };
  const seen = new Set<string>();
  const unreconciled: UnreconciledMessage[] = [];
  let unreconciledTotal = 0;
  let inbound = 0;
  let reconciled = 0;
  let outbound = 0;
  let outboundMessages = 0;
  let automatic = 0;
  const channels = new ChannelTally();
  const kept = new Tally<InternalReason>();
  const refused = new Tally<InternalReason>();
  const failures = new Tally<string>();
  let batch: ReceivedMessage[] = [];
  const lookUp = async () => {
    const found = await Promise.all(batch.map(async (message) => ({ message, mapped: await stores.messages.byWamid(message.business, message.wamid) })));
    batch = [];
    for (const { message, mapped } of found) {
      if (mapped) reconciled++;
      else if (++unreconciledTotal <= AUDIT_LIST_MAX) unreconciled.push(await unreconciledOf(ctx, message, linkOf));
    }
  };
  for await (const entry of deps.records.periodEntries(from, to)) {
    if (entry.kind === "sent") {
      outbound++;
      outboundMessages += entry.wamids;
      if (entry.automatic) automatic++;
      channels.add(entry.business, "outbound");
      continue;
    }
    if (entry.kind === "kept") {
      (SEND_RULE_REFUSALS.has(entry.why) ? refused : kept).add(entry.why);
      channels.add(businessOfContact(entry.conversation), "kept");
      continue;
    }
    if (entry.kind === "failed") {
      failures.add(entry.errorCode === undefined ? "unknown" : String(entry.errorCode));
      continue;
    }
    const id = `${entry.message.business}|${entry.message.wamid}`;
    if (seen.has(id)) continue;
    seen.add(id);
    inbound++;
    channels.add(entry.message.business, "inbound");
    batch.push(entry.message);
    if (batch.length >= LOOKUP_BATCH) await lookUp();
  }
  await lookUp();
  const flagged = (await stores.inbox.listFlagged()).filter((e) => e.receivedAt >= from && e.receivedAt < to);
  const duplicates = await Promise.all(flagged.slice(0, AUDIT_LIST_MAX).map((entry) => duplicateOf(ctx, entry, linkOf)));
  const journal = await deps.records.checkJournal(dayOf(from), dayOf(Math.max(from, to - 1)));
  const suspended = (await stores.links.list()).flatMap((link): SuspendedLink[] =>
    link.suspended
      ? [
          {
            business: link.business,
            since: link.suspended.since,
            ...(link.displayNumber ? { displayNumber: link.displayNumber } : {}),
            ...(link.channel.channelName ? { channelName: link.channel.channelName } : {}),
          },
        ]
      : [],
  );
  return {
    from,
    to,
    inbound,
    outbound,
    outboundMessages,
    automatic,
    reconciled,
    byChannel: await channels.result(linkOf),
    keptInTeams: kept.pairs(),
    refused: refused.pairs(),
    failures: failures.pairs(),
    suspended,
    unreconciledTotal,
    unreconciled,
    duplicatesTotal: flagged.length,
    duplicates,
    journal,
  };
}

function placeOf(link: ChannelLink | undefined, thread: TeamsPlace["thread"] | undefined, messageId?: TeamsPlace["messageId"]): TeamsPlace | undefined {
  if (!link || !thread) return undefined;
  return {
    tenantId: link.channel.tenantId,
    channelId: link.channel.channelId,
    thread,
    ...(link.channel.channelName ? { channelName: link.channel.channelName } : {}),
    ...(link.teamGroupId ? { teamGroupId: link.teamGroupId } : {}),
    ...(messageId ? { messageId } : {}),
  };
}

async function unreconciledOf(
  ctx: BridgeDeps,
  message: ReceivedMessage,
  linkOf: (b: BusinessNumberId) => Promise<ChannelLink | undefined>,
): Promise<UnreconciledMessage> {
  const [entry, conversation, link] = await Promise.all([
    ctx.stores.inbox.get(message.business, message.key),
    ctx.stores.conversations.get(message.conversation),
    linkOf(message.business),
  ]);
  const place = placeOf(link, conversation?.thread);
  return {
    business: message.business,
    key: maskKey(message.key),
    receivedAt: message.receivedAt,
    state: entry?.state ?? "missing",
    ...(entry?.detail ? { detail: entry.detail } : {}),
    journalRef: message.ref,
    ...(place ? { place } : {}),
  };
}

async function duplicateOf(ctx: BridgeDeps, entry: InboxEntry, linkOf: (b: BusinessNumberId) => Promise<ChannelLink | undefined>): Promise<FlaggedDuplicate> {
  const mapped = entry.event.type === "message" ? await ctx.stores.messages.byWamid(entry.business, entry.event.id) : undefined;
  const place = placeOf(await linkOf(entry.business), mapped?.thread, mapped?.teamsMessageId);
  return {
    business: entry.business,
    key: maskKey(entry.key),
    receivedAt: entry.receivedAt,
    ...(entry.journalRef ? { journalRef: entry.journalRef } : {}),
    ...(place ? { place } : {}),
  };
}

/**
 * Posts the completeness check of the last period of `auditEveryHours` hours that is over (periods are
 * aligned on midnight UTC), once, as a new thread of the compliance channel. Missed periods are not
 * caught up: the latest one covers the question. The first time, it only notes the current period: the
 * first check is posted when the next one ends. Returns whether it posted.
 */
export async function postDueAudit(ctx: BridgeDeps, deps: ComplianceDeps, channel: ComplianceChannel): Promise<boolean> {
  const now = ctx.clock.now();
  const { from, to } = lastAuditPeriod(now, deps.auditEveryHours);
  const period = periodKey(from);
  const done = (await deps.store.getProgress("audit"))?.progress.done;
  if (done === undefined) {
    await updateProgress(deps.store, "audit", (p) => (p.done === undefined ? { ...p, done: period } : undefined));
    return false;
  }
  if (done >= period) return false;
  const outcome = await postOnce(
    deps,
    cursorPeriod("audit", period),
    now,
    () => runAudit(ctx, deps, from, to),
    (audit, mayRepeat) => deps.gateway.startThread(channel.channel, { kind: "audit", audit }, { mayRepeat }),
  );
  if (outcome === "posted") ctx.logger.info("compliance.audit_posted", { period });
  return outcome === "posted";
}
