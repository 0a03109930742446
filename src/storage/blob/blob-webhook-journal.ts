import type { ContainerClient } from "@azure/storage-blob";
import { randomBytes } from "node:crypto";
import { PermanentError } from "../../core/errors";
import { GroupCommit } from "../../core/group-commit";
import type { DayManifest, JournaledDelivery, JournaledRecord, JournalRecord, JournalRef, RawDelivery, WebhookJournal } from "../../core/ports/webhook-journal";
import { blobServiceClient, assertContainerName, type BlobStorageOptions } from "./blob-clients";
import { blobStatusOf, toBlobStorageError } from "./blob-errors";
import { createOnce, type Run } from "./journal-blobs";
import { readDaySeal } from "./journal-day-seal";
import { readContainerImmutability, type ContainerImmutability } from "./journal-immutability";
import { SEAL_GRACE_MS, WriterChain } from "./journal-chain";
import { dayOf, deliveryLine, endOfDay, folderOf, linesOf, parseLine, recordLine, sha256Hex, timeOfRecord, writerName } from "./journal-format";

/** `journal/yyyy/mm/dd/<HHmmssSSS>-<16 hex>.jsonl#<line>`: a segment of one UTC day, and a line in it. */
const REF_PATTERN = /^(journal\/\d{4}\/\d{2}\/\d{2}\/\d{9}-[0-9a-f]{16}\.jsonl)#(\d{1,4})$/;
const SEGMENT_MAX_ENTRIES = 200;
/** Bodies per segment; one delivery larger than this (Meta's cap is 3 MB) still gets a segment of its own. */
const SEGMENT_MAX_BYTES = 4 * 1024 * 1024;

export interface BlobWebhookJournalOptions extends BlobStorageOptions {
  /** Container of the journal (the deployment makes it immutable); default `webhook-journal`. */
  readonly container?: string;
  /** Deadline of one append or read, SDK retries included; default 10 000 ms (Meta waits a few seconds). */
  readonly timeoutMs?: number;
  /** The random part of a segment name (16 hex digits); tests pin it to force a name collision. */
  readonly segmentSuffix?: () => string;
  /**
   * Who writes: the instance (stable for a machine or replica) and this process's boot id (default: a
   * fresh random one). Each writer keeps its own chain; two processes never share one.
   */
  readonly writer?: { readonly instance: string; readonly bootId?: string };
  /** Epoch ms; decides whether a day is over. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * How often to seal the days that are over without waiting for the next write (the bridge: every
   * minute, so each day is sealed shortly after midnight even when idle). Default: never (tests).
   */
  readonly sealEveryMs?: number;
}

/** `journal/yyyy/mm/dd/`: the folder of the UTC day of `at` (epoch ms). */
export function journalDayPrefix(at: number): string {
  return folderOf(dayOf(at));
}

type Pending =
  | { readonly kind: "delivery"; readonly delivery: RawDelivery; readonly at: number }
  | { readonly kind: "record"; readonly record: JournalRecord; readonly at: number };

/**
 * `WebhookJournal` on Azure Blob Storage (or Azurite), written by group commit: the deliveries and
 * records that arrive together go into one new block blob, a *segment* (journal-format.ts), whose first
 * line names the SHA-256 of this writer's previous segment. A ref is `<segment>#<line>`. One upload per
 * batch instead of one per webhook keeps the acknowledgement path cheap under a burst (bench/ingest);
 * batches are written one at a time so that each writer's chain is a line, never a tree.
 *
 * Each UTC day this writer filed under is sealed by a manifest (its segments and their SHA-256, chained to
 * the writer's previous manifest): when the writer files an entry stamped a minute past that day's end,
 * when `dayManifest` asks for a day that is over, and on `close()`. Segments and manifests are created
 * with `If-None-Match: *` and never rewritten or deleted, so the container can carry a time-based
 * immutability (WORM) policy. Call `initialize()` once (creates the container).
 */
export class BlobWebhookJournal implements WebhookJournal {
  readonly containerName: string;
  private readonly container: ContainerClient;
  private readonly timeoutMs: number;
  private readonly segmentSuffix: () => string;
  private readonly now: () => number;
  private readonly baseWriter: string;
  private chain: WriterChain;
  private closings = 0;
  private readonly sealTimer: NodeJS.Timeout | undefined;
  private readonly commits: GroupCommit<Pending, JournalRef>;
  private tail: Promise<unknown> = Promise.resolve();

  /** Validates the options and builds the client; does no I/O. Throws `PermanentError` on bad options. */
  constructor(options: BlobWebhookJournalOptions) {
    this.containerName = assertContainerName(options.container ?? "webhook-journal");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.segmentSuffix = options.segmentSuffix ?? (() => randomBytes(8).toString("hex"));
    this.now = options.now ?? Date.now;
    this.baseWriter = writerName(options.writer?.instance ?? "journal", options.writer?.bootId ?? randomBytes(6).toString("hex"));
    this.chain = new WriterChain(this.baseWriter);
    this.container = blobServiceClient(options, { maxTries: 3, tryTimeoutMs: Math.max(1_000, Math.floor(this.timeoutMs / 2)) }).getContainerClient(
      this.containerName,
    );
    this.commits = new GroupCommit<Pending, JournalRef>((batch) => this.exclusive(() => this.writeBatch(batch)), {
      maxItems: SEGMENT_MAX_ENTRIES,
      maxBytes: SEGMENT_MAX_BYTES,
      sizeOf: (p) => (p.kind === "delivery" ? p.delivery.body.byteLength : 512),
      // One batch at a time: each segment names the one before it.
      maxInFlight: 1,
    });
    if (options.sealEveryMs) {
      this.sealTimer = setInterval(() => void this.exclusive(() => this.sealDaysOverAt(this.now())).catch(() => undefined), options.sealEveryMs);
      this.sealTimer.unref();
    }
  }

  /** This writer's name (`<instance>.<boot id>`), in every segment header and manifest name. */
  get writer(): string {
    return this.chain.writer;
  }

  /** Creates the container if it does not exist (an existing one, immutable or not, is fine). */
  async initialize(): Promise<void> {
    await this.run("journal.initialize", (abortSignal) => this.container.createIfNotExists({ abortSignal }));
  }

  append(delivery: RawDelivery, receivedAt: number): Promise<JournalRef> {
    return this.commits.submit({ kind: "delivery", delivery, at: receivedAt });
  }

  record(entry: JournalRecord): Promise<JournalRef> {
    return this.commits.submit({ kind: "record", record: entry, at: timeOfRecord(entry) });
  }

  async read(ref: JournalRef): Promise<JournaledDelivery | undefined> {
    const line = await this.readLine(ref);
    if (line?.kind !== "delivery") return undefined;
    if (!line.intact) throw new PermanentError("storage.journal_corrupt", `journal.read: the bytes of ${ref} do not match their SHA-256`);
    return { ref, body: line.body, signature: line.line.signature, receivedAt: line.receivedAt };
  }

  async readRecord(ref: JournalRef): Promise<JournaledRecord | undefined> {
    const line = await this.readLine(ref);
    if (line?.kind !== "record") return undefined;
    if (!line.intact) throw new PermanentError("storage.journal_corrupt", `journal.readRecord: ${ref} does not match its SHA-256`);
    return { ref, record: line.record };
  }

  async dayManifest(day: number): Promise<DayManifest | undefined> {
    const name = dayOf(day);
    if (endOfDay(name) + SEAL_GRACE_MS <= this.now()) await this.exclusive(() => this.seal(name));
    return readDaySeal(this.container, name, this.runner);
  }

  /**
   * Whether the container is write-protected (an immutability policy, version-level WORM or a legal
   * hold). Production checks this at start: without it, the journal's chain still shows a change, but
   * nothing prevents one. Does I/O; throws like `append`.
   */
  async immutability(): Promise<ContainerImmutability> {
    return this.run("journal.immutability", (abortSignal) => readContainerImmutability(this.container, abortSignal));
  }

  /**
   * Ends this writer: seals every day it has open, the last manifest marked final (any later segment
   * claiming this writer is then an insertion). Call on shutdown, after the last append or record; an
   * entry that still comes afterwards starts a writer of its own (`<writer>-<n>`).
   */
  async close(): Promise<void> {
    if (this.sealTimer) clearInterval(this.sealTimer);
    await this.exclusive(async () => {
      if (!this.chain.started) return;
      const days = this.chain.openDays();
      for (const day of days.slice(0, -1)) await this.seal(day);
      await this.seal(days.at(-1) ?? dayOf(this.now()), true);
      this.chain = new WriterChain(`${this.baseWriter}-${++this.closings}`);
    });
  }

  /** Refs of every delivery filed on the UTC day of `day` (epoch ms), in order of receipt. For audits. */
  async listDay(day: number): Promise<JournalRef[]> {
    const prefix = journalDayPrefix(day);
    const segments = await this.run("journal.list", async (abortSignal) => {
      const names: string[] = [];
      for await (const item of this.container.listBlobsFlat({ prefix, abortSignal })) if (REF_PATTERN.test(`${item.name}#0`)) names.push(item.name);
      return names;
    });
    const refs: JournalRef[] = [];
    for (const segment of segments.sort()) {
      const lines = (await this.readSegment(segment)) ?? [];
      lines.forEach((text, i) => {
        if (parseLine(text).kind === "delivery") refs.push(`${segment}#${i}`);
      });
    }
    return refs;
  }

  /** Writes one segment per UTC day present in the batch (in day order); then seals the days now over. */
  private async writeBatch(batch: readonly Pending[]): Promise<Array<JournalRef | Error>> {
    const byDay = new Map<string, number[]>();
    batch.forEach((p, i) => byDay.set(dayOf(p.at), [...(byDay.get(dayOf(p.at)) ?? []), i]));
    const results: Array<JournalRef | Error> = new Array(batch.length);
    for (const [day, indexes] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
      try {
        const segment = await this.writeSegment(
          day,
          indexes.map((i) => batch[i]!),
        );
        indexes.forEach((index, line) => (results[index] = `${segment}#${line + 1}`));
      } catch (err) {
        indexes.forEach((index) => (results[index] = err instanceof Error ? err : new Error(String(err))));
      }
    }
    // The entries are stored whatever happens here; a seal that fails is tried again later.
    await this.sealDaysOverAt(Math.max(...batch.map((p) => p.at))).catch(() => undefined);
    return results;
  }

  private async sealDaysOverAt(at: number): Promise<void> {
    for (const day of this.chain.daysOverAt(at)) await this.seal(day);
  }

  private async writeSegment(day: string, items: readonly Pending[]): Promise<string> {
    const header = this.chain.nextHeader();
    const lines = [header, ...items.map((p) => (p.kind === "delivery" ? deliveryLine(p.delivery, p.at) : recordLine(p.record)))];
    const content = Buffer.from(lines.map((line) => JSON.stringify(line)).join("\n") + "\n", "utf8");
    const sha256 = sha256Hex(content);
    const first = new Date(items[0]!.at).toISOString();
    const time = first.slice(11, 23).replace(/[:.]/g, "");
    const uncertain: string[] = [];
    let name: string;
    try {
      name = await createOnce(
        this.container,
        this.runner,
        "journal.append",
        () => `${folderOf(day)}${time}-${this.segmentSuffix()}.jsonl`,
        content,
        "application/x-ndjson",
        {
          entries: String(items.length),
          first_at: first,
          writer: this.writer,
          seq: String(header.seq),
        },
        (tried) => uncertain.push(tried),
      );
    } catch (err) {
      // Not the head of the chain; pinned by hash in case one of these uploads landed after all.
      for (const tried of uncertain) this.chain.failed({ name: tried, sha256 });
      throw err;
    }
    this.chain.stored(header, { name, sha256 }, day, items.length);
    return name;
  }

  /** Writes this writer's manifest of `day` if it has unsealed segments there (or `final`: its last). */
  private async seal(day: string, final = false): Promise<void> {
    const manifest = this.chain.manifestFor(day, this.now(), final);
    if (!manifest) return;
    const content = Buffer.from(JSON.stringify(manifest.content, null, 1) + "\n", "utf8");
    await createOnce(this.container, this.runner, "journal.seal", () => manifest.name, content, "application/json", {
      writer: this.writer,
      segments: String(manifest.content.segments.length),
    });
    this.chain.sealed(day, { name: manifest.name, sha256: sha256Hex(content) }, manifest.content.n);
  }

  private async readLine(ref: JournalRef): Promise<ReturnType<typeof parseLine> | undefined> {
    const match = REF_PATTERN.exec(ref);
    if (!match) return undefined;
    const text = (await this.readSegment(match[1]!))?.[Number(match[2])];
    if (text === undefined) return undefined;
    const line = parseLine(text);
    if (line.kind === "invalid") throw new PermanentError("storage.journal_corrupt", `journal.read: ${ref} is not a journal line`);
    return line;
  }

  private async readSegment(name: string): Promise<string[] | undefined> {
    const blob = this.container.getBlobClient(name);
    return this.run("journal.read", async (abortSignal) => {
      try {
        return linesOf(await blob.downloadToBuffer(undefined, undefined, { abortSignal }));
      } catch (err) {
        if (blobStatusOf(err) === 404) return undefined;
        throw err;
      }
    });
  }

  /** Runs `action` after everything queued before it (batches, seals): the chain is changed by one at a time. */
  private exclusive<T>(action: () => Promise<T>): Promise<T> {
    const run = this.tail.then(action, action);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private readonly runner: Run = (operation, action) => this.run(operation, action);

  private async run<T>(operation: string, action: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await action(AbortSignal.timeout(this.timeoutMs));
    } catch (err) {
      throw toBlobStorageError(err, operation);
    }
  }
}

/** Builds a `BlobWebhookJournal` and creates its container. */
export async function createBlobWebhookJournal(options: BlobWebhookJournalOptions): Promise<BlobWebhookJournal> {
  const journal = new BlobWebhookJournal(options);
  await journal.initialize();
  return journal;
}
