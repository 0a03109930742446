import type { BridgeError } from "../../src/core/errors";
import { TeamsMessageId, threadRefOf, type TeamsThreadRef } from "../../src/core/ids";
import type { ChannelAddress } from "../../src/core/model";
import type { ComplianceGateway, CompliancePost, CompliancePostOptions } from "../../src/core/ports/compliance-gateway";
import type { ActivityReport, JournalCheck, PeriodEntry, RecordChecks } from "../../src/core/ports/record-checks";

/** One compliance post as the fake gateway saw it: a new thread (`thread` absent) or replies in `thread`. */
export interface RecordedCompliancePost {
  readonly channel: ChannelAddress;
  readonly thread?: TeamsThreadRef;
  readonly post: CompliancePost;
  readonly mayRepeat: boolean;
}

/** Records the compliance posts; failures can be scripted (before or after the post is made). */
export class FakeComplianceGateway implements ComplianceGateway {
  readonly posts: RecordedCompliancePost[] = [];
  private readonly failures: BridgeError[] = [];
  private readonly postedThenFailures: BridgeError[] = [];
  private next = 9000;

  /** The next calls fail with these errors, posting nothing. */
  failNext(...errors: BridgeError[]): void {
    this.failures.push(...errors);
  }
  /** The next call posts, then fails with `error` (its answer was lost). */
  postThenFailNext(error: BridgeError): void {
    this.postedThenFailures.push(error);
  }

  async startThread(channel: ChannelAddress, post: CompliancePost, options: CompliancePostOptions = {}) {
    const id = this.record(channel, undefined, post, options.mayRepeat ?? false);
    return { thread: threadRefOf(channel.channelId, id), rootMessageId: id };
  }

  async postInThread(channel: ChannelAddress, thread: TeamsThreadRef, post: CompliancePost) {
    return this.record(channel, thread, post, false);
  }

  /** The posts of one kind, in order. */
  of<K extends CompliancePost["kind"]>(kind: K): Array<RecordedCompliancePost & { post: Extract<CompliancePost, { kind: K }> }> {
    return this.posts.filter((p): p is RecordedCompliancePost & { post: Extract<CompliancePost, { kind: K }> } => p.post.kind === kind);
  }

  private record(channel: ChannelAddress, thread: TeamsThreadRef | undefined, post: CompliancePost, mayRepeat: boolean): TeamsMessageId {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const id = TeamsMessageId(String(this.next++));
    this.posts.push({ channel, ...(thread ? { thread } : {}), post, mayRepeat });
    const lost = this.postedThenFailures.shift();
    if (lost) throw lost;
    return id;
  }
}

export const INTACT = (from: string, to: string): JournalCheck => ({
  from,
  to,
  segments: 3,
  manifests: 1,
  entries: 12,
  intact: true,
  breaks: [],
  unsignedDeliveries: 0,
  unsealed: [],
});

/** `RecordChecks` from lists a test fills: entries (filtered by time), a chain check, a report. */
export class FakeRecordChecks implements RecordChecks {
  entries: PeriodEntry[] = [];
  check: (from: string, to: string) => JournalCheck | Promise<JournalCheck> = INTACT;
  readonly reports: Array<{ from: string; to: string; now: number }> = [];

  async *periodEntries(from: number, to: number): AsyncGenerator<PeriodEntry> {
    for (const entry of this.entries) {
      const at = entry.kind === "received" ? entry.message.receivedAt : entry.at;
      if (at >= from && at < to) yield entry;
    }
  }

  async checkJournal(from: string, to: string): Promise<JournalCheck> {
    return this.check(from, to);
  }

  async activityReport(from: string, to: string, now: number): Promise<ActivityReport> {
    this.reports.push({ from, to, now });
    return {
      from,
      to,
      asOf: new Date(now).toISOString(),
      conversations: 2,
      byChannel: [["WhatsApp", 2]],
      byStaff: [{ name: "Sam Staff", conversations: 2, replies: 3, internal: 1 }],
      customerMessages: 5,
      replies: 3,
      automatic: 1,
      firstResponseMedianSeconds: 240,
      responseMedianSeconds: 300,
      responses: [
        ["< 5 min", 2],
        ["5–15 min", 1],
        ["15–60 min", 0],
        ["1–4 h", 0],
        ["4–24 h", 0],
        ["> 24 h", 0],
      ],
      unanswered: 1,
      windowsExpiredBeforeReply: 0,
      templates: [["welcome|en", 1]],
      policyBlocks: 1,
      optOuts: 0,
      failures: [["131047", 1]],
      internal: [["note", 1]],
      perDay: Array.from({ length: 7 }, (_, i) => ({
        day: new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10),
        customerMessages: i === 0 ? 5 : 0,
        replies: i === 0 ? 3 : 0,
      })),
    };
  }
}
