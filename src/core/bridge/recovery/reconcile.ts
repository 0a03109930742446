import { maskId, type BusinessNumberId } from "../../ids";
import type { InboxEntry, InboxState } from "../../model";
import type { OutboxState } from "../../ports/outbox-store";
import type { Stores } from "../../ports/stores";
import type { OutboundState } from "../../rules/delivery-state";

/** Outbound states after which nothing more is expected from Meta. */

/** A received event that has no Teams message (yet). */
export interface UnfinishedEvent {
  readonly business: BusinessNumberId;
  /** The inbox key, masked (wamids encode phone numbers). */
  readonly key: string;
  readonly type: InboxEntry["event"]["type"];
  readonly state: InboxState;
  readonly receivedAt: number;
  readonly ageMs: number;
  readonly detail?: string;
  readonly journalRef?: string;
}

/** An outbound message whose delivery Meta has not confirmed (nor refused). */
export interface UnsettledOutbound {
  readonly business: BusinessNumberId;
  readonly wamid: string;
  readonly state: OutboundState;
  readonly sentAt: number;
  readonly ageMs: number;
  readonly thread: string;
  readonly teamsMessageId: string;
}

/** An event whose Teams post may exist twice (flagged in its thread). */
export interface DuplicateFlag {
  readonly business: BusinessNumberId;
  readonly key: string;
  readonly state: InboxState;
  readonly receivedAt: number;
  readonly journalRef?: string;
}

/** A staff reply that may not have reached WhatsApp: `uncertain` (cut short mid-send), or still waiting. */
export interface StrandedReply {
  readonly business: BusinessNumberId;
  readonly state: OutboxState;
  readonly thread: string;
  readonly teamsMessageId: string;
  readonly acceptedAt: number;
  /** Since the row last changed. */
  readonly ageMs: number;
  readonly attempts: number;
  readonly detail?: string;
}

export interface ReconcileReport {
  readonly generatedAt: number;
  readonly outboundOlderThanMs: number;
  /** Events without a Teams message that should have one by now: pending, posting, failed, and unrouted although linked. */
  readonly unfinished: readonly UnfinishedEvent[];
  /** Events kept because their number is not linked to a channel: expected, shown per number. */
  readonly awaitingLink: ReadonlyArray<{ readonly business: BusinessNumberId; readonly count: number; readonly oldestAgeMs: number }>;
  readonly unsettledOutbound: readonly UnsettledOutbound[];
  readonly duplicateFlags: readonly DuplicateFlag[];
  /** Staff replies found mid-send after a crash (any age), and replies queued or sending for longer than `outboundOlderThanMs`. */
  readonly strandedReplies: readonly StrandedReply[];
}

/**
 * Reconciliation (docs/reliability.md, "Reconciliation": nothing stranded): reads the stores and
 * lists every received event without a Teams message, every outbound message without a final status
 * sent more than `outboundOlderThanMs` ago, every event flagged as a possible duplicate, and every staff
 * reply that may not have reached WhatsApp (outbox rows `uncertain`, or waiting too long). Read-only;
 * scans whole tables, so it is an operator's command, not something the bridge runs per request.
 */
export async function reconcile(stores: Stores, options: { now: number; outboundOlderThanMs: number }): Promise<ReconcileReport> {
  const { now } = options;
  const [pending, posting, failed, unrouted, outbound, flagged, outbox] = await Promise.all([
    stores.inbox.list("pending"),
    stores.inbox.list("posting"),
    stores.inbox.list("failed"),
    stores.inbox.list("unrouted"),
    stores.messages.listAwaitingStatus(now - options.outboundOlderThanMs),
    stores.inbox.listFlagged(),
    stores.outbox.list(["uncertain", "queued", "sending"]),
  ]);
  const linked = new Map<BusinessNumberId, boolean>();
  for (const business of new Set(unrouted.map((e) => e.business))) linked.set(business, (await stores.links.get(business)) !== undefined);

  const awaiting = new Map<BusinessNumberId, { count: number; oldestAgeMs: number }>();
  const strayUnrouted: InboxEntry[] = [];
  for (const entry of unrouted) {
    if (linked.get(entry.business)) {
      strayUnrouted.push(entry);
      continue;
    }
    const slot = awaiting.get(entry.business) ?? { count: 0, oldestAgeMs: 0 };
    awaiting.set(entry.business, { count: slot.count + 1, oldestAgeMs: Math.max(slot.oldestAgeMs, now - entry.receivedAt) });
  }

  const unfinished = [...pending, ...posting, ...failed, ...strayUnrouted]
    .map((e): UnfinishedEvent => ({
      business: e.business,
      key: maskKey(e.key),
      type: e.event.type,
      state: e.state,
      receivedAt: e.receivedAt,
      ageMs: now - e.receivedAt,
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.journalRef ? { journalRef: e.journalRef } : {}),
    }))
    .sort((a, b) => b.ageMs - a.ageMs);

  return {
    generatedAt: now,
    outboundOlderThanMs: options.outboundOlderThanMs,
    unfinished,
    awaitingLink: [...awaiting].map(([business, v]) => ({ business, ...v })).sort((a, b) => b.oldestAgeMs - a.oldestAgeMs),
    unsettledOutbound: outbound.map((l) => ({
      business: l.business,
      wamid: maskKey(l.wamid),
      state: l.state ?? "accepted",
      sentAt: l.at,
      ageMs: now - l.at,
      thread: l.thread,
      teamsMessageId: l.teamsMessageId,
    })),
    duplicateFlags: flagged.map((e) => ({
      business: e.business,
      key: maskKey(e.key),
      state: e.state,
      receivedAt: e.receivedAt,
      ...(e.journalRef ? { journalRef: e.journalRef } : {}),
    })),
    strandedReplies: outbox
      .filter((r) => r.state === "uncertain" || now - r.updatedAt > options.outboundOlderThanMs)
      .map((r) => ({
        business: r.business,
        state: r.state,
        thread: r.thread,
        teamsMessageId: r.teamsMessageId,
        acceptedAt: r.createdAt,
        ageMs: now - r.updatedAt,
        attempts: r.attempts,
        ...(r.detail ? { detail: r.detail } : {}),
      }))
      .sort((a, b) => b.ageMs - a.ageMs),
  };
}

/** `15m`, `2h`, `90s`, `1d` or plain milliseconds → milliseconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? "ms") as "ms" | "s" | "m" | "h" | "d"];
  return Math.round(Number(match[1]) * unit);
}

/** `3d 4h`, `12m 5s`, `800ms`: an age as people read it. */
export function formatAge(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const parts: string[] = [];
  let rest = Math.floor(ms / 1_000);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}

/** The report as plain-text tables, one section each, with a summary line first. */
export function renderReport(report: ReconcileReport): string {
  const out: string[] = [];
  const at = new Date(report.generatedAt).toISOString();
  const total = report.unfinished.length + report.unsettledOutbound.length + report.duplicateFlags.length + report.strandedReplies.length;
  out.push(`Reconciliation at ${at}: ${total === 0 ? "nothing to report" : `${total} item(s) to look at`}`);
  out.push(
    "",
    section(
      `Received events without a Teams message (${report.unfinished.length})`,
      ["age", "state", "type", "business", "event", "journal", "detail"],
      report.unfinished.map((e) => [formatAge(e.ageMs), e.state, e.type, e.business, e.key, e.journalRef ?? "-", oneLine(e.detail ?? "")]),
    ),
  );
  if (report.awaitingLink.length > 0) {
    out.push(
      "",
      section(
        "Kept until their number is linked to a channel (expected)",
        ["business", "events", "oldest"],
        report.awaitingLink.map((a) => [a.business, String(a.count), formatAge(a.oldestAgeMs)]),
      ),
    );
  }
  out.push(
    "",
    section(
      `Outbound messages without a final status after ${formatAge(report.outboundOlderThanMs)} (${report.unsettledOutbound.length})`,
      ["age", "state", "business", "wamid", "Teams thread", "Teams message"],
      report.unsettledOutbound.map((o) => [formatAge(o.ageMs), o.state, o.business, o.wamid, o.thread, o.teamsMessageId]),
    ),
    "",
    section(
      `Possible duplicate posts, flagged in their thread (${report.duplicateFlags.length})`,
      ["received", "state", "business", "event", "journal"],
      report.duplicateFlags.map((d) => [new Date(d.receivedAt).toISOString(), d.state, d.business, d.key, d.journalRef ?? "-"]),
    ),
    "",
    section(
      `Staff replies that may not have reached WhatsApp: cut short mid-send, or waiting longer than ${formatAge(report.outboundOlderThanMs)} (${report.strandedReplies.length})`,
      ["age", "state", "attempts", "business", "Teams thread", "Teams message", "detail"],
      report.strandedReplies.map((r) => [formatAge(r.ageMs), r.state, String(r.attempts), r.business, r.thread, r.teamsMessageId, oneLine(r.detail ?? "")]),
    ),
  );
  return `${out.join("\n")}\n`;
}

function section(title: string, header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  if (rows.length === 0) return `${title}\n  none`;
  const widths = header.map((h, i) => Math.min(100, Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))));
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => clipCell(c, widths[i]!).padEnd(widths[i]!)).join("  ")}`.trimEnd();
  return [title, line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function clipCell(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** An inbox key or wamid with its identifying runs masked (`maskId`), keeping the readable `wamid.` prefix. */
export function maskKey(key: string): string {
  return key
    .split("wamid.")
    .map((part) => (part ? maskId(part) : part))
    .join("wamid.");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
