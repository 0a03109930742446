import { ReportBuilder } from "./compliance/report-builder";
import { timeline, type SourceEntry } from "./compliance/timeline";
import { conversationKeyOf, eventKeyOf } from "./core/messages";
import type { ActivityReport, JournalCheck, PeriodEntry, RecordChecks } from "./core/ports/record-checks";
import { verifyJournal, type BlobJournalReader } from "./storage/blob";
import { decodeJournaledBody } from "./whatsapp/meta/journal-decode";
import { verifySignature } from "./whatsapp/meta/signature";

/*
 * The record as the operator commands read it, for the bridge's compliance posts (the `RecordChecks`
 * port) and for `npm run report`: the journal reader and chain walk (storage/blob), Meta's decoding and
 * signatures (whatsapp/meta), the report's figures (compliance). It knows several adapters, so it is
 * composition code, like compose.ts.
 */

/** What the activity report reads besides the journal: links and the channel of each conversation. */
export interface ReportTables {
  readonly links: { list(): Promise<ReadonlyArray<{ readonly channel: { readonly channelId: string; readonly channelName?: string } }>> };
  conversationChannels(): Promise<Map<string, string>>;
}

export interface ReportOptions {
  /** `YYYY-MM-DD` (UTC), inclusive. */
  readonly from: string;
  readonly to: string;
  /** Epoch ms: open turns and windows are judged as of min(now, end of `to`). */
  readonly now: number;
  readonly stopKeywords: readonly string[];
}

/** The journal's entries from `from` to `to` (days, inclusive) in the shape the timeline reads. */
async function* sourceOf(reader: BlobJournalReader, from: string, to: string): AsyncGenerator<SourceEntry> {
  for await (const entry of reader.entries(from, to)) {
    yield entry.kind === "delivery"
      ? { kind: "delivery", ref: entry.ref, receivedAt: entry.receivedAt, body: entry.body }
      : { kind: "record", ref: entry.ref, record: entry.record };
  }
}

/** `npm run report`'s figures (src/compliance/report-builder.ts) from the journal and the tables. Reads one segment at a time. */
export async function buildActivityReport(reader: BlobJournalReader, tables: ReportTables, options: ReportOptions): Promise<ActivityReport> {
  const names = new Map((await tables.links.list()).map((link) => [link.channel.channelId, link.channel.channelName ?? link.channel.channelId]));
  const channels = await tables.conversationChannels();
  const builder = new ReportBuilder({
    ...options,
    channelOf: (conversation) => {
      const id = channels.get(conversation);
      return id === undefined ? undefined : (names.get(id) ?? id);
    },
  });
  for await (const event of timeline(sourceOf(reader, options.from, options.to), (body, receivedAt) => decodeJournaledBody(body, receivedAt).events))
    builder.add(event);
  return builder.result();
}

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

/** `RecordChecks` on the Blob journal, for the bridge (the current app secret checks signatures). */
export class JournalRecordChecks implements RecordChecks {
  constructor(
    private readonly options: {
      readonly reader: BlobJournalReader;
      readonly tables: ReportTables;
      readonly appSecret: string;
      readonly stopKeywords: readonly string[];
    },
  ) {}

  async *periodEntries(from: number, to: number): AsyncGenerator<PeriodEntry> {
    if (to <= from) return;
    for await (const entry of this.options.reader.entries(dayOf(from), dayOf(to - 1))) {
      if (entry.kind === "record") {
        const record = entry.record;
        if (record.at < from || record.at >= to) continue;
        if (record.kind === "outbound") {
          // Automatic as the report counts it (report-builder.ts): no author, or labelled so.
          const automatic = !record.author || (record.label?.startsWith("automatic:") ?? false);
          yield { kind: "sent", at: record.at, business: record.business, wamids: record.wamids.length, automatic };
        } else if (record.kind === "internal") {
          yield { kind: "kept", at: record.at, conversation: record.conversation, why: record.why };
        } else if (record.state === "failed") {
          yield { kind: "failed", at: record.at, ...(record.errorCode === undefined ? {} : { errorCode: record.errorCode }) };
        }
        continue;
      }
      if (entry.receivedAt < from || entry.receivedAt >= to) continue;
      for (const event of decodeJournaledBody(entry.body, entry.receivedAt).events) {
        if (event.type !== "message") continue;
        yield {
          kind: "received",
          message: {
            business: event.business,
            wamid: event.id,
            key: eventKeyOf(event),
            conversation: conversationKeyOf(event),
            receivedAt: entry.receivedAt,
            ref: entry.ref,
          },
        };
      }
    }
  }

  async checkJournal(from: string, to: string): Promise<JournalCheck> {
    const report = await verifyJournal(this.options.reader, { from, to }, (body, header) =>
      verifySignature(body, header, this.options.appSecret) ? "WHATSAPP_APP_SECRET" : undefined,
    );
    const breaks = report.breaks.filter((b) => b.kind !== "signature");
    const e = report.entries;
    return {
      from,
      to,
      segments: report.segments,
      manifests: report.manifests,
      entries: e.delivery + e.outbound + e.status + e.internal,
      intact: breaks.length === 0,
      breaks,
      unsignedDeliveries: report.signatures.failed,
      unsealed: report.unsealed.map((u) => ({ writer: u.writer, segments: u.segments })),
    };
  }

  activityReport(from: string, to: string, now: number): Promise<ActivityReport> {
    return buildActivityReport(this.options.reader, this.options.tables, { from, to, now, stopKeywords: this.options.stopKeywords });
  }
}
