import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toExportLine, type ExportLine } from "./export-line";
import { FileSink, readSlice } from "./file-sink";
import type { ProgressBar } from "./progress";
import type { ContactFilter, TimelineEvent } from "./timeline";
import { transcriptEnd, transcriptRow, transcriptStart } from "./transcript-html";

export interface ExportOptions {
  /** An empty or new folder. */
  readonly outDir: string;
  /** Only this contact's conversations; all of them when absent. */
  readonly filter?: ContactFilter;
  /** What the manifest says was asked for. */
  readonly request: { readonly contact?: string; readonly from: string; readonly to: string; readonly container: string };
  readonly generatedAt: number;
  /** Shows the second phase (one transcript per conversation); the first is the caller's. */
  readonly progress?: ProgressBar;
}

export interface ExportedFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ExportSummary {
  readonly events: number;
  readonly conversations: number;
  readonly files: readonly ExportedFile[];
}

/** What a transcript's heading says, gathered while the events stream past (a few strings per conversation). */
interface Heading {
  names: Set<string>;
  phones: Set<string>;
  userIds: Set<string>;
  business?: string;
  /** Flat [at, offset, length, …] of its lines in events.jsonl. */
  readonly lines: number[];
}

/**
 * Writes an export into `outDir`, streaming: `events.jsonl` (one event per line, in journal order, every
 * field), then `transcripts/<conversation>.html` per conversation (its lines read back from the JSONL by
 * offset, in time order), then `manifest.json` and `SHA256SUMS` with the SHA-256 of every file. Memory
 * holds three numbers per event and a heading per conversation, never the events themselves.
 */
export async function writeExport(events: AsyncIterable<TimelineEvent>, options: ExportOptions): Promise<ExportSummary> {
  mkdirSync(join(options.outDir, "transcripts"), { recursive: true });
  const jsonl = new FileSink(join(options.outDir, "events.jsonl"));
  const conversations = new Map<string, Heading>();
  let count = 0;
  for await (const event of events) {
    if (options.filter && !options.filter.matches(event)) continue;
    const line = toExportLine(event);
    const place = jsonl.write(`${JSON.stringify(line)}\n`);
    count++;
    if (!event.conversation) continue;
    let heading = conversations.get(event.conversation);
    if (!heading) conversations.set(event.conversation, (heading = { names: new Set(), phones: new Set(), userIds: new Set(), lines: [] }));
    heading.lines.push(event.at, place.offset, place.length);
    learn(heading, line);
  }
  const files: ExportedFile[] = [{ name: "events.jsonl", ...jsonl.close() }];

  const fd = openSync(jsonl.path, "r");
  try {
    const keys = [...conversations.keys()].sort();
    keys.forEach((key, i) => {
      files.push(writeTranscript(options, key, conversations.get(key)!, fd));
      options.progress?.update(i + 1, keys.length, `${i + 1}/${keys.length} transcripts`);
    });
  } finally {
    closeSync(fd);
  }
  options.progress?.done(`${conversations.size} transcript(s)`);

  const manifest = {
    kind: "whatsapp-teams-bridge export",
    generatedAt: new Date(options.generatedAt).toISOString(),
    request: options.request,
    events: count,
    conversations: conversations.size,
    files,
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(join(options.outDir, "manifest.json"), manifestText, { flag: "wx" });
  const all = [...files, { name: "manifest.json", bytes: Buffer.byteLength(manifestText), sha256: createHash("sha256").update(manifestText).digest("hex") }];
  writeFileSync(join(options.outDir, "SHA256SUMS"), all.map((f) => `${f.sha256}  ${f.name}\n`).join(""), { flag: "wx" });
  return { events: count, conversations: conversations.size, files: all };
}

function learn(heading: Heading, line: ExportLine): void {
  if (line.type === "inbound" && line.event.type === "message") {
    const c = line.event.contact;
    if (c.profileName) heading.names.add(c.profileName);
    if (c.phone) heading.phones.add(c.phone);
    if (c.userId) heading.userIds.add(c.userId);
    heading.business ??= line.event.business;
  } else if (line.type === "outbound") {
    const r = line.record.recipient;
    if (r.kind === "individual") {
      if (r.phone) heading.phones.add(r.phone);
      if (r.userId) heading.userIds.add(r.userId);
    }
    heading.business ??= line.record.business;
  }
}

/** A file name for a conversation key: readable, safe on any file system, distinct for distinct keys. */
export function transcriptName(conversation: string): string {
  const readable = conversation.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
  return `transcripts/${readable}-${createHash("sha256").update(conversation).digest("hex").slice(0, 8)}.html`;
}

function writeTranscript(options: ExportOptions, conversation: string, heading: Heading, jsonl: number): ExportedFile {
  const name = transcriptName(conversation);
  const sink = new FileSink(join(options.outDir, name));
  const order: number[] = [];
  for (let i = 0; i < heading.lines.length; i += 3) order.push(i);
  // Time order; journal order among equal times (offsets grow with the journal).
  order.sort((a, b) => heading.lines[a]! - heading.lines[b]! || heading.lines[a + 1]! - heading.lines[b + 1]!);
  sink.write(
    transcriptStart({
      conversation,
      names: [...heading.names],
      phones: [...heading.phones],
      userIds: [...heading.userIds],
      ...(heading.business ? { business: heading.business } : {}),
      range: { from: options.request.from, to: options.request.to },
      generatedAt: new Date(options.generatedAt).toISOString(),
      events: order.length,
    }),
  );
  for (const i of order) sink.write(transcriptRow(JSON.parse(readSlice(jsonl, heading.lines[i + 1]!, heading.lines[i + 2]!)) as ExportLine));
  sink.write(transcriptEnd());
  return { name, ...sink.close() };
}
