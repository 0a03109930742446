import type { InboundContent } from "../core/messages";
import type { ActivityReport } from "../core/ports/record-checks";
import type { TimelineEvent } from "./timeline";

/*
 * The activity report (npm run report), computed from the journal's timeline. Definitions (also in
 * docs/data-and-compliance.md):
 * - a *customer message* is an inbound message with content (not a reaction, an edit, a deletion or a
 *   system notice), counted once per wamid (Meta may deliver it twice);
 * - a *reply* is an outbound message written by staff (not one the bridge sends by itself);
 * - a *turn* starts at the first customer message after the last reply and ends at the next reply: its
 *   response time; a message that is only an opt-out keyword starts no turn;
 * - the first response of a conversation is the response time of its first turn in the period;
 * - a conversation is *unanswered* when its last turn has no reply by the end of the period (or now);
 * - a *window* is WhatsApp's 24-hour customer service window: opened by a customer message, extended
 *   by each one; it *expired before a reply* when no reply came before it closed.
 */

const HOUR = 3_600_000;
const WINDOW_MS = 24 * HOUR;
/** Response-time buckets: upper bounds in seconds. */
export const BUCKETS: ReadonlyArray<readonly [string, number]> = [
  ["< 5 min", 300],
  ["5–15 min", 900],
  ["15–60 min", 3600],
  ["1–4 h", 4 * 3600],
  ["4–24 h", 24 * 3600],
  ["> 24 h", Infinity],
];

export interface ReportOptions {
  /** `YYYY-MM-DD` (UTC), inclusive. */
  readonly from: string;
  readonly to: string;
  /** Epoch ms: turns and windows still open are judged as of min(now, end of `to`). */
  readonly now: number;
  /** Opt-out keywords (STOP_KEYWORDS): a message that is exactly one is an opt-out. */
  readonly stopKeywords: readonly string[];
  /** The channel (a label) each conversation is kept in, from the tables; others count as "(not linked)". */
  readonly channelOf: (conversation: string) => string | undefined;
}

/** The report's figures: the port's type (src/core/ports/record-checks.ts), so the bridge can post them. */
export type Report = ActivityReport;

/** A conversation's moments, as small tuples: [epoch ms, 0 customer message | 1 opt-out | 2 reply]. */
type Moment = [number, 0 | 1 | 2];

const SKIPPED: ReadonlySet<InboundContent["kind"]> = new Set(["reaction", "edit", "revoke", "system"]);

export class ReportBuilder {
  private readonly start: number;
  private readonly end: number;
  private readonly moments = new Map<string, Moment[]>();
  private readonly seen = new Set<string>();
  private readonly staff = new Map<string, { conversations: Set<string>; replies: number; internal: number }>();
  private readonly templates = new Map<string, number>();
  private readonly internal = new Map<string, number>();
  private readonly failures = new Set<string>();
  private readonly optedOut = new Set<string>();
  private readonly perDay = new Map<string, { customerMessages: number; replies: number }>();
  private customerMessages = 0;
  private replies = 0;
  private automatic = 0;
  private policyBlocks = 0;

  constructor(private readonly options: ReportOptions) {
    this.start = Date.parse(`${options.from}T00:00:00Z`);
    this.end = Date.parse(`${options.to}T00:00:00Z`) + 24 * HOUR;
    for (let day = this.start; day < this.end; day += 24 * HOUR) this.perDay.set(new Date(day).toISOString().slice(0, 10), { customerMessages: 0, replies: 0 });
  }

  add(event: TimelineEvent): void {
    if (event.at < this.start || event.at >= this.end) return;
    const day = this.perDay.get(new Date(event.at).toISOString().slice(0, 10))!;
    const conversation = event.conversation;
    switch (event.type) {
      case "inbound": {
        const e = event.event;
        if (e.type === "preference" && e.value === "stop" && conversation) this.optedOut.add(conversation);
        if (e.type === "status") for (const error of e.errors) this.failures.add(`${e.id}\u0000${error.code}`);
        if (e.type !== "message" || !conversation || SKIPPED.has(e.content.kind) || (e.content.kind === "unsupported" && e.content.originalType === "edit"))
          return;
        if (this.seen.has(`in:${e.id}`)) return;
        this.seen.add(`in:${e.id}`);
        const text = e.content.kind === "text" ? e.content.raw.trim().toLowerCase() : undefined;
        const stop = text !== undefined && this.options.stopKeywords.some((k) => k.trim().toLowerCase() === text);
        if (stop) this.optedOut.add(conversation);
        this.customerMessages++;
        day.customerMessages++;
        return this.moment(conversation, [event.at, stop ? 1 : 0]);
      }
      case "outbound": {
        const r = event.record;
        if (r.label?.startsWith("template:")) this.templates.set(r.label.slice(9), (this.templates.get(r.label.slice(9)) ?? 0) + 1);
        if (!r.author || r.label?.startsWith("automatic:")) return void this.automatic++;
        this.replies++;
        day.replies++;
        const staff = this.staffOf(r.author.name);
        staff.replies++;
        staff.conversations.add(event.conversation);
        return this.moment(event.conversation, [event.at, 2]);
      }
      case "status":
        if (event.record.state === "failed") this.failures.add(`${event.record.wamid}\u0000${event.record.errorCode ?? "unknown"}`);
        return;
      case "internal": {
        const r = event.record;
        this.internal.set(r.why, (this.internal.get(r.why) ?? 0) + 1);
        if (r.why === "policy-block") this.policyBlocks++;
        this.staffOf(r.author.name).internal++;
        return this.moment(event.conversation);
      }
    }
  }

  result(): Report {
    const asOf = Math.min(this.options.now, this.end);
    const responses: number[] = [];
    const firsts: number[] = [];
    let unanswered = 0;
    let expired = 0;
    const channels = new Map<string, number>();
    for (const [conversation, moments] of this.moments) {
      const channel = this.options.channelOf(conversation) ?? "(not linked)";
      channels.set(channel, (channels.get(channel) ?? 0) + 1);
      moments.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let waitingSince: number | undefined;
      let first = true;
      let windowEnd: number | undefined;
      let replied = false;
      for (const [at, kind] of moments) {
        if (kind === 2) {
          if (waitingSince !== undefined) {
            responses.push((at - waitingSince) / 1000);
            if (first) firsts.push((at - waitingSince) / 1000);
            first = false;
            waitingSince = undefined;
          }
          if (windowEnd !== undefined && at < windowEnd) replied = true;
          continue;
        }
        if (kind === 0) waitingSince ??= at;
        if (windowEnd !== undefined && at >= windowEnd) {
          if (!replied) expired++;
          replied = false;
        }
        windowEnd = at + WINDOW_MS;
      }
      if (waitingSince !== undefined && waitingSince < asOf) unanswered++;
      if (windowEnd !== undefined && windowEnd <= asOf && !replied) expired++;
    }
    const counts = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      from: this.options.from,
      to: this.options.to,
      asOf: new Date(asOf).toISOString(),
      conversations: this.moments.size,
      byChannel: counts(channels),
      byStaff: [...this.staff]
        .map(([name, s]) => ({ name, conversations: s.conversations.size, replies: s.replies, internal: s.internal }))
        .sort((a, b) => b.replies - a.replies || (a.name < b.name ? -1 : 1)),
      customerMessages: this.customerMessages,
      replies: this.replies,
      automatic: this.automatic,
      ...(firsts.length > 0 ? { firstResponseMedianSeconds: median(firsts) } : {}),
      ...(responses.length > 0 ? { responseMedianSeconds: median(responses) } : {}),
      responses: BUCKETS.map(([label, max], i) => [label, responses.filter((s) => s < max && s >= (i === 0 ? -Infinity : BUCKETS[i - 1]![1])).length] as const),
      unanswered,
      windowsExpiredBeforeReply: expired,
      templates: counts(this.templates),
      policyBlocks: this.policyBlocks,
      optOuts: this.optedOut.size,
      failures: counts(
        [...this.failures].reduce((map, key) => map.set(key.split("\u0000")[1]!, (map.get(key.split("\u0000")[1]!) ?? 0) + 1), new Map<string, number>()),
      ),
      internal: counts(this.internal),
      perDay: [...this.perDay].map(([day, v]) => ({ day, ...v })),
    };
  }

  private moment(conversation: string, moment?: Moment): void {
    const list = this.moments.get(conversation) ?? [];
    if (moment) list.push(moment);
    this.moments.set(conversation, list);
  }

  private staffOf(name: string) {
    let staff = this.staff.get(name);
    if (!staff) this.staff.set(name, (staff = { conversations: new Set(), replies: 0, internal: 0 }));
    return staff;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
