import type { ActivityReport } from "../core/ports/record-checks";
import { neutraliseDisplayName } from "./display-text";

/** A duration in seconds as people read it (`—` when there is none). */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const sum = (pairs: ReadonlyArray<readonly [string, number]>) => pairs.reduce((total, [, n]) => total + n, 0);

/** The review's headline figures, in the order `npm run report`'s page shows them (label, value). */
export function reviewFigures(r: ActivityReport): Array<[string, string]> {
  return [
    ["Conversations", String(r.conversations)],
    ["Customer messages", String(r.customerMessages)],
    ["Replies by staff", String(r.replies)],
    ["Automatic messages", String(r.automatic)],
    ["First response (median)", formatDuration(r.firstResponseMedianSeconds)],
    ["Response time (median)", formatDuration(r.responseMedianSeconds)],
    ["Conversations left unanswered", String(r.unanswered)],
    ["Windows that expired before a reply", String(r.windowsExpiredBeforeReply)],
    ["Templates sent", String(sum(r.templates))],
    ["Policy blocks", String(r.policyBlocks)],
    ["Opt-outs", String(r.optOuts)],
    ["Failed messages", String(sum(r.failures))],
    ["Internal replies (kept in Teams)", String(sum(r.internal))],
  ];
}

/** `name n, name n`; "none" when empty. */
const pairs = (list: ReadonlyArray<readonly [string, number]>, name: (s: string) => string = (s) => s) =>
  list.length === 0 ? "none" : list.map(([label, n]) => `${name(label)} ${n}`).join(", ");

/** The weekly review as text: every figure of `npm run report` for the week. */
export function reviewText(r: ActivityReport): string {
  return [
    `Weekly review, ${r.from} to ${r.to} (UTC), as of ${r.asOf.slice(0, 16).replace("T", " ")} UTC`,
    ...reviewFigures(r).map(([label, value]) => `${label}: ${value}`),
    `Response times: ${pairs(r.responses)}`,
    `Conversations per channel: ${pairs(r.byChannel, (c) => `“${neutraliseDisplayName(c)}”`)}`,
    `Per staff member (conversations, replies, kept in Teams): ${r.byStaff.length === 0 ? "none" : r.byStaff.map((s) => `${neutraliseDisplayName(s.name) || "(no name)"} ${s.conversations}/${s.replies}/${s.internal}`).join(", ")}`,
    `Templates sent: ${pairs(r.templates)}`,
    `Failures by Meta error code: ${pairs(r.failures)}`,
    `Internal replies by reason: ${pairs(r.internal)}`,
    `Per day (customer messages/replies): ${r.perDay.map((d) => `${d.day.slice(5)} ${d.customerMessages}/${d.replies}`).join(", ")}`,
    `The same figures: npm run report -- --from ${r.from} --to ${r.to}`,
  ].join("\n");
}
