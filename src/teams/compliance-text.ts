import type { AuditReport, ChannelActivity, CompliancePost, DaySealPost, SuspendedLink, UnreconciledMessage } from "../core/ports/compliance-gateway";
import type { LinkGap } from "../core/ports/compliance-store";
import type { InternalReason } from "../core/ports/webhook-journal";
import { formatUtcDateTime, neutraliseDisplayName } from "./display-text";
import { reviewText } from "./compliance-review-text";
import { teamsMessageLink } from "./teams-links";

/**
 * The compliance posts as plain text: what Purview search finds and the retention copy keeps, so every
 * figure of a card is here too. One function per post; the card (cards/compliance-card.ts) shows the
 * same figures.
 */

/** How many unreconciled messages (and duplicates, and breaks) a text lists; the rest are counted. */
export const TEXT_LIST_MAX = 20;

const MAY_REPEAT = "(This post may repeat one made just before the bridge restarted.)";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const channelOf = (name: string | undefined) => (name ? `“${neutraliseDisplayName(name)}”` : "(unnamed)");

/** The post's text; `mayRepeat` says it may repeat an earlier post. */
export function complianceText(post: CompliancePost, options: { readonly mayRepeat?: boolean } = {}): string {
  const text = (() => {
    switch (post.kind) {
      case "day-seal":
        return sealText(post.seal);
      case "audit":
        return auditText(post.audit);
      case "weekly-review":
        return reviewText(post.report);
      case "link-gap":
        return gapText(post.gap);
    }
  })();
  return options.mayRepeat ? `${text}\n${MAY_REPEAT}` : text;
}

/** The command that recomputes a day's seal. */
const verifyCommand = (from: string, to = from) => `npm run verify -- --from ${from} --to ${to}`;

function sealText(post: DaySealPost): string {
  const lines: string[] = [];
  const seal = post.seal;
  if (!seal) {
    lines.push(
      `Journal seal of ${post.day} (UTC): nothing was journaled that day, so no manifest and no seal exist.`,
      `Check: ${verifyCommand(post.day)} lists any segment filed under that day.`,
    );
  } else {
    const segments = seal.manifests.reduce((sum, m) => sum + m.segments, 0);
    const entries = seal.manifests.reduce((sum, m) => sum + m.entries, 0);
    lines.push(
      `Journal seal of ${post.day} (UTC)`,
      `SHA-256: ${seal.sha256}`,
      `Manifests: ${seal.manifests.length}, covering ${plural(segments, "segment")} and ${plural(entries, "entry", "entries")}:`,
      ...seal.manifests.map((m) => `• ${m.name} ${m.sha256} (writer ${m.writer}: ${plural(m.segments, "segment")}, ${plural(m.entries, "entry", "entries")})`),
      seal.unsealed.length === 0
        ? "Unsealed writers: none."
        : `Unsealed writers (their segments of the day are not covered by this seal; a writer that stopped without sealing, or is late): ${seal.unsealed.map((u) => `${u.writer} (${plural(u.segments, "segment")})`).join(", ")}.`,
      `Check: ${verifyCommand(post.day)} prints this day's SHA-256 from the stored journal; it must equal the one above. It is the SHA-256 of the lines "<manifest name> <manifest SHA-256>" listed here, sorted by name, each ending with a newline.`,
    );
  }
  if (post.missed)
    lines.push(
      `The seals of ${post.missed.from} to ${post.missed.to} were not posted: the bridge was not running then, and only the last 14 days are caught up. ${verifyCommand(post.missed.from, post.missed.to)} prints them.`,
    );
  return lines.join("\n");
}

const STATE_WORDS: Readonly<Record<UnreconciledMessage["state"], string>> = {
  pending: "waiting to be posted",
  posting: "being posted (or cut short while posting)",
  done: "processed, but not in the message map",
  unrouted: "kept: its number is not linked to a channel",
  held: "held: its channel's link is suspended",
  failed: "failed",
  missing: "not in the inbox",
};

/** Why a staff reply stayed in Teams, in words (the journal's reason codes). */
export const REASON_WORDS: Readonly<Record<InternalReason, string>> = {
  note: "notes",
  "not-addressed": "not addressed to the customer",
  "internal-mention": "mentioning colleagues",
  "tenant-link": "with a link into the tenant",
  "policy-block": "blocked by the outbound policy",
  "window-closed": "the 24-hour window had closed",
  "opted-out": "the customer had opted out",
  "not-allowed": "its author may not write to customers",
};

/** `total: a 1, b 2` (or `0`) for counts by reason or code. */
export function countsLine(pairs: ReadonlyArray<readonly [string, number]>, words: (key: string) => string = (k) => k): string {
  const total = pairs.reduce((sum, [, n]) => sum + n, 0);
  return total === 0 ? "0" : `${total} (${pairs.map(([key, n]) => `${words(key)} ${n}`).join(", ")})`;
}

/** `“Channel” in/out/kept`. */
export const channelActivity = (c: ChannelActivity): string =>
  `${c.channel === "(not linked)" ? c.channel : `“${neutraliseDisplayName(c.channel)}”`} ${c.inbound}/${c.outbound}/${c.kept}`;

/** `“Channel” (number …) since …`: a suspended link. */
export const suspendedLink = (l: SuspendedLink): string =>
  `${channelOf(l.channelName)} (number ${l.displayNumber ?? l.business}) since ${formatUtcDateTime(l.since)}`;

/** `• <id> …`: one unreconciled message, with where it is kept and its thread. */
function unreconciledLine(m: UnreconciledMessage): string {
  const link = m.place ? teamsMessageLink(m.place) : undefined;
  const detail = m.detail ? ` (${m.detail.replace(/\s+/g, " ").slice(0, 160)})` : "";
  return `• ${m.key} to number ${m.business}, received ${formatUtcDateTime(m.receivedAt)}: ${STATE_WORDS[m.state]}${detail}. Journal: ${m.journalRef}.${link ? ` Thread: ${link}` : " No thread yet."}`;
}

function more(total: number, listed: number, what: string): string[] {
  return total > listed ? [`… and ${total - listed} more ${what} (npm run reconcile lists them all).`] : [];
}

/** The completeness check, as text. */
export function auditText(a: AuditReport): string {
  const j = a.journal;
  const lines = [
    `Completeness check, ${formatUtcDateTime(a.from)} to ${formatUtcDateTime(a.to)}`,
    `Messages in: ${a.inbound} · out: ${a.outbound}${a.outboundMessages !== a.outbound ? ` (${plural(a.outboundMessages, "WhatsApp message")})` : ""}`,
    `Sent by the bridge itself (automatic): ${a.automatic} of ${a.outbound}`,
    `Per channel (in/out/kept in Teams): ${a.byChannel.length === 0 ? "none" : a.byChannel.map(channelActivity).join(", ")}`,
    `Replies kept in Teams, never sent: ${countsLine(a.keptInTeams, (k) => REASON_WORDS[k as InternalReason])}`,
    `Replies refused by the send rules: ${countsLine(a.refused, (k) => REASON_WORDS[k as InternalReason])}`,
    `Failed deliveries, by Meta error code: ${countsLine(a.failures)}`,
    `Links suspended now (a gap in the Teams record): ${a.suspended.length === 0 ? "none" : a.suspended.map(suspendedLink).join(", ")}`,
    `Reconciled: ${a.reconciled} of ${a.inbound} (posted in Teams and in the message map)`,
    `Unreconciled: ${a.unreconciledTotal}`,
    ...a.unreconciled.slice(0, TEXT_LIST_MAX).map(unreconciledLine),
    ...more(a.unreconciledTotal, Math.min(TEXT_LIST_MAX, a.unreconciled.length), "unreconciled messages"),
    `Possible duplicates flagged: ${a.duplicatesTotal}`,
    ...a.duplicates.slice(0, TEXT_LIST_MAX).map((d) => {
      const link = d.place ? teamsMessageLink(d.place) : undefined;
      return `• ${d.key} to number ${d.business}, received ${formatUtcDateTime(d.receivedAt)}${d.journalRef ? `. Journal: ${d.journalRef}` : ""}.${link ? ` Post: ${link}` : ""}`;
    }),
    ...more(a.duplicatesTotal, Math.min(TEXT_LIST_MAX, a.duplicates.length), "possible duplicates"),
    `Journal chain, ${j.from} to ${j.to}: ${j.intact ? "INTACT" : `BROKEN (${plural(j.breaks.length, "break")})`} · ${plural(j.segments, "segment")}, ${plural(j.manifests, "manifest")}, ${plural(j.entries, "entry", "entries")}`,
    ...j.breaks.slice(0, TEXT_LIST_MAX).map((b) => `• ${b.kind.toUpperCase()} ${b.what}: ${b.detail}`),
    ...more(j.breaks.length, Math.min(TEXT_LIST_MAX, j.breaks.length), "breaks"),
    ...(j.unsignedDeliveries > 0
      ? [
          `Deliveries the current app secret does not verify: ${j.unsignedDeliveries} (signed before a rotation? ${verifyCommand(j.from, j.to)} --secret <earlier secret> says).`,
        ]
      : []),
    ...(j.unsealed.length > 0 ? [`Not sealed yet: ${j.unsealed.map((u) => `${u.writer} (${plural(u.segments, "segment")})`).join(", ")}.`] : []),
    `Check: npm run reconcile; ${verifyCommand(j.from, j.to)}.`,
  ];
  return lines.join("\n");
}

function gapText(g: LinkGap): string {
  const number = g.displayNumber ?? g.business;
  const where = `the channel ${channelOf(g.channelName)} of WhatsApp number ${number}`;
  if (g.kind === "suspended") {
    return [
      `Gap in the Teams record: since ${formatUtcDateTime(g.since)}, Teams refuses the bot in ${where}${g.reason ? ` (${g.reason})` : ""}.`,
      "Its WhatsApp messages are kept in the journal and wait, in order; they are posted there when the app is back in the team, and a notice here will say so. Until then, that number's conversations are missing from the Teams record.",
    ].join("\n");
  }
  const minutes = Math.max(0, Math.round((g.at - g.since) / 60_000));
  const lasted = minutes < 120 ? plural(minutes, "minute") : `${(minutes / 60).toFixed(1)} hours`;
  return [
    `Gap in the Teams record closed: since ${formatUtcDateTime(g.at)}, the bot works again in ${where}, after ${lasted} (from ${formatUtcDateTime(g.since)}).`,
    `${g.waiting === undefined ? "The messages that waited are" : `${plural(g.waiting, "message")} that waited ${g.waiting === 1 ? "is" : "are"}`} posted there now, in order, with their original times.`,
  ].join("\n");
}
