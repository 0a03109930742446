import type { AuditReport, CompliancePost } from "../../core/ports/compliance-gateway";
import type { ActivityReport } from "../../core/ports/record-checks";
import { formatUtcDateTime, neutraliseDisplayName } from "../display-text";
import { countsLine, REASON_WORDS, suspendedLink, TEXT_LIST_MAX } from "../compliance-text";
import type { InternalReason } from "../../core/ports/webhook-journal";
import { reviewFigures } from "../compliance-review-text";
import { teamsMessageLink } from "../teams-links";
import { adaptiveCard, escapeCardMarkdown, literalText, type AdaptiveCard, type CardElement } from "./adaptive-card";

/**
 * The cards of the compliance reports: the completeness check (`audit`) and the weekly review, with the
 * same figures as their text (compliance-text.ts), which is always posted first. The seal and the gap
 * notices are text only: a card would add nothing to them.
 */

const heading = (text: string): CardElement => ({ type: "TextBlock", text: escapeCardMarkdown(text), weight: "Bolder", size: "Medium", wrap: true });
const subheading = (text: string): CardElement => ({ type: "TextBlock", text: escapeCardMarkdown(text), weight: "Bolder", wrap: true, spacing: "Medium" });
const facts = (pairs: ReadonlyArray<readonly [string, string]>): CardElement => ({
  type: "FactSet",
  facts: pairs.map(([title, value]) => ({ title: escapeCardMarkdown(title), value: escapeCardMarkdown(value) })),
});

/** A line of text and, when there is one, a link to open (our own URL: parentheses escaped for Markdown). */
function lineWithLink(text: string, label: string, url: string | undefined, style: Record<string, unknown> = {}): CardElement {
  const block = literalText(text, { spacing: "Small", ...style });
  if (!url) return block;
  const safe = url.replace(/\(/g, "%28").replace(/\)/g, "%29");
  return { ...block, text: `${String(block.text)} [${label}](${safe})` };
}

function more(total: number, listed: number, what: string): CardElement[] {
  return total > listed ? [literalText(`… and ${total - listed} more ${what} (npm run reconcile lists them all).`, { isSubtle: true, spacing: "Small" })] : [];
}

function auditCard(a: AuditReport): AdaptiveCard {
  const j = a.journal;
  const body: CardElement[] = [
    heading("Completeness check"),
    literalText(`${formatUtcDateTime(a.from)} to ${formatUtcDateTime(a.to)}`, { isSubtle: true, spacing: "None" }),
    facts([
      ["Messages in", String(a.inbound)],
      ["Messages out", a.outboundMessages !== a.outbound ? `${a.outbound} (${a.outboundMessages} WhatsApp messages)` : String(a.outbound)],
      ["Automatic (of out)", String(a.automatic)],
      ["Kept in Teams, never sent", countsLine(a.keptInTeams, (k) => REASON_WORDS[k as InternalReason])],
      ["Refused by the send rules", countsLine(a.refused, (k) => REASON_WORDS[k as InternalReason])],
      ["Failed deliveries", countsLine(a.failures)],
      ["Links suspended now", a.suspended.length === 0 ? "none" : a.suspended.map(suspendedLink).join(", ")],
      ["Reconciled", `${a.reconciled} of ${a.inbound}`],
      ["Unreconciled", String(a.unreconciledTotal)],
      ["Possible duplicates", String(a.duplicatesTotal)],
      ["Journal chain", j.intact ? "INTACT" : `BROKEN (${j.breaks.length})`],
      ["Journal days", `${j.from} to ${j.to}: ${j.segments} segments, ${j.manifests} manifests, ${j.entries} entries`],
      ...(j.unsignedDeliveries > 0 ? [["Not verified by the current app secret", String(j.unsignedDeliveries)] as const] : []),
      ...(j.unsealed.length > 0 ? [["Not sealed yet", j.unsealed.map((u) => `${u.writer} (${u.segments})`).join(", ")] as const] : []),
    ]),
  ];
  if (a.byChannel.length > 0) {
    body.push(
      subheading("Per channel (in, out, kept in Teams)"),
      facts(
        a.byChannel.map(
          (c) =>
            [c.channel === "(not linked)" ? c.channel : neutraliseDisplayName(c.channel) || "(unnamed)", `${c.inbound}, ${c.outbound}, ${c.kept}`] as const,
        ),
      ),
    );
  }
  if (a.unreconciled.length > 0) {
    body.push(subheading("Unreconciled messages"));
    for (const m of a.unreconciled.slice(0, TEXT_LIST_MAX)) {
      body.push(
        lineWithLink(
          `${m.key} (number ${m.business}), received ${formatUtcDateTime(m.receivedAt)}: ${m.state}${m.detail ? `, ${m.detail.replace(/\s+/g, " ").slice(0, 160)}` : ""}. Journal: ${m.journalRef}.`,
          "Open the thread",
          m.place ? teamsMessageLink(m.place) : undefined,
          { color: "Warning" },
        ),
      );
    }
    body.push(...more(a.unreconciledTotal, Math.min(TEXT_LIST_MAX, a.unreconciled.length), "unreconciled messages"));
  }
  if (a.duplicates.length > 0) {
    body.push(subheading("Possible duplicates"));
    for (const d of a.duplicates.slice(0, TEXT_LIST_MAX)) {
      body.push(
        lineWithLink(
          `${d.key} (number ${d.business}), received ${formatUtcDateTime(d.receivedAt)}${d.journalRef ? `. Journal: ${d.journalRef}` : ""}.`,
          "Open the post",
          d.place ? teamsMessageLink(d.place) : undefined,
        ),
      );
    }
    body.push(...more(a.duplicatesTotal, Math.min(TEXT_LIST_MAX, a.duplicates.length), "possible duplicates"));
  }
  if (j.breaks.length > 0) {
    body.push(subheading("Journal breaks"));
    for (const b of j.breaks.slice(0, TEXT_LIST_MAX))
      body.push(literalText(`${b.kind.toUpperCase()} ${b.what}: ${b.detail}`, { color: "Attention", spacing: "Small" }));
    body.push(...more(j.breaks.length, Math.min(TEXT_LIST_MAX, j.breaks.length), "breaks"));
  }
  body.push(literalText(`Check: npm run reconcile; npm run verify -- --from ${j.from} --to ${j.to}.`, { isSubtle: true, spacing: "Medium" }));
  return adaptiveCard(body);
}

function reviewCard(r: ActivityReport): AdaptiveCard {
  const named = (list: ReadonlyArray<readonly [string, number]>) => list.map(([label, n]) => [neutraliseDisplayName(label) || "(none)", String(n)] as const);
  const body: CardElement[] = [
    heading("Weekly review"),
    literalText(`${r.from} to ${r.to} (UTC), as of ${r.asOf.slice(0, 16).replace("T", " ")} UTC`, { isSubtle: true, spacing: "None" }),
    facts(reviewFigures(r)),
    subheading("Response times"),
    facts(r.responses.map(([label, n]) => [label, String(n)] as const)),
  ];
  if (r.byChannel.length > 0) body.push(subheading("Conversations per channel"), facts(named(r.byChannel)));
  if (r.byStaff.length > 0) {
    body.push(
      subheading("Per staff member (conversations, replies, kept in Teams)"),
      facts(r.byStaff.map((s) => [neutraliseDisplayName(s.name) || "(no name)", `${s.conversations}, ${s.replies}, ${s.internal}`] as const)),
    );
  }
  if (r.templates.length > 0) body.push(subheading("Templates sent"), facts(named(r.templates)));
  if (r.failures.length > 0) body.push(subheading("Failures by Meta error code"), facts(named(r.failures)));
  if (r.internal.length > 0) body.push(subheading("Internal replies by reason"), facts(named(r.internal)));
  body.push(subheading("Per day (customer messages, replies)"), facts(r.perDay.map((d) => [d.day, `${d.customerMessages}, ${d.replies}`] as const)));
  body.push(literalText(`The same figures: npm run report -- --from ${r.from} --to ${r.to}`, { isSubtle: true, spacing: "Medium" }));
  return adaptiveCard(body);
}

/** The card of a report post; undefined for the posts that are text only (seal, gap). */
export function complianceCard(post: CompliancePost, options: { readonly mayRepeat?: boolean } = {}): AdaptiveCard | undefined {
  const card = post.kind === "audit" ? auditCard(post.audit) : post.kind === "weekly-review" ? reviewCard(post.report) : undefined;
  if (!card || !options.mayRepeat) return card;
  return {
    ...card,
    body: [...(card["body"] as CardElement[]), literalText("This post may repeat one made just before the bridge restarted.", { isSubtle: true })],
  };
}
