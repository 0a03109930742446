import type { ContainerClient } from "@azure/storage-blob";
import { createHash, randomBytes } from "node:crypto";
import { PermanentError } from "../../core/errors";
import { GroupCommit } from "../../core/group-commit";
import type { JournaledDelivery, JournalRef, RawDelivery, WebhookJournal } from "../../core/ports/webhook-journal";
import { blobServiceClient, assertContainerName, type BlobStorageOptions } from "./blob-clients";
import { blobStatusOf, toBlobStorageError } from "./blob-errors";

/** Blob metadata names (C# identifiers, as the service requires). */
const META_COUNT = "deliveries";
const META_FIRST_RECEIVED_AT = "first_received_at";
/** `journal/yyyy/mm/dd/<HHmmssSSS>-<16 hex>.jsonl#<line>`: a segment of one UTC day, and a line in it. */
const REF_PATTERN = /^(journal\/\d{4}\/\d{2}\/\d{2}\/\d{9}-[0-9a-f]{16}\.jsonl)#(\d{1,4})$/;
const SEGMENT_MAX_DELIVERIES = 200;
/** Bodies per segment; one delivery larger than this (Meta's cap is 3 MB) still gets a segment of its own. */
const SEGMENT_MAX_BYTES = 4 * 1024 * 1024;

export interface BlobWebhookJournalOptions extends BlobStorageOptions {
  /** Container of the journal (the deployment makes it immutable); default `webhook-journal`. */
  readonly container?: string;
  /** Deadline of one append or read, SDK retries included; default 10 000 ms (Meta waits a few seconds). */
  readonly timeoutMs?: number;
  /** Segment uploads running at once; default 2 (1, 2, 4 and 8 measured alike: bench/ingest). */
  readonly maxInFlight?: number;
  /** The random part of a segment name (16 hex digits); tests pin it to force a name collision. */
  readonly segmentSuffix?: () => string;
}

/** `journal/yyyy/mm/dd/`: the folder of the UTC day of `at` (epoch ms). */
export function journalDayPrefix(at: number): string {
  return `journal/${new Date(at).toISOString().slice(0, 10).replace(/-/g, "/")}/`;
}

/** One line of a segment: a delivery, its bytes as base64 and their SHA-256 (checked on every read). */
interface SegmentLine {
  readonly receivedAt: string;
  readonly signature: string;
  readonly sha256: string;
  readonly body: string;
}

interface Pending {
  readonly delivery: RawDelivery;
  readonly receivedAt: number;
}

/**
 * `WebhookJournal` on Azure Blob Storage (or Azurite), written by group commit: the deliveries that
 * arrive together go into one new block blob, a *segment* (`journal/yyyy/mm/dd/<time>-<random>.jsonl`,
 * the UTC day of receipt), one JSON line per delivery with its exact bytes (base64), their SHA-256, the
 * signature header and the receipt time. A delivery's ref is `<segment>#<line>`. One upload per batch
 * instead of one per webhook is what keeps the acknowledgement path cheap under a burst (bench/ingest).
 * Segments are created with `If-None-Match: *` and never rewritten or deleted, so the container can carry
 * a time-based immutability (WORM) policy; a redelivery is journaled again, as the record of a second
 * receipt. Call `initialize()` once (creates the container).
 */
export class BlobWebhookJournal implements WebhookJournal {
  readonly containerName: string;
  private readonly container: ContainerClient;
  private readonly timeoutMs: number;
  private readonly segmentSuffix: () => string;
  private readonly commits: GroupCommit<Pending, JournalRef>;

  /** Validates the options and builds the client; does no I/O. Throws `PermanentError` on bad options. */
  constructor(options: BlobWebhookJournalOptions) {
    this.containerName = assertContainerName(options.container ?? "webhook-journal");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.segmentSuffix = options.segmentSuffix ?? (() => randomBytes(8).toString("hex"));
    this.container = blobServiceClient(options, { maxTries: 3, tryTimeoutMs: Math.max(1_000, Math.floor(this.timeoutMs / 2)) }).getContainerClient(this.containerName);
    this.commits = new GroupCommit<Pending, JournalRef>((batch) => this.writeBatch(batch), {
      maxItems: SEGMENT_MAX_DELIVERIES,
      maxBytes: SEGMENT_MAX_BYTES,
      sizeOf: (p) => p.delivery.body.byteLength,
      maxInFlight: options.maxInFlight ?? 2,
    });
  }

  /** Creates the container if it does not exist (an existing one, immutable or not, is fine). */
  async initialize(): Promise<void> {
    await this.run("journal.initialize", (abortSignal) => this.container.createIfNotExists({ abortSignal }));
  }

  append(delivery: RawDelivery, receivedAt: number): Promise<JournalRef> {
    return this.commits.submit({ delivery, receivedAt });
  }

  async read(ref: JournalRef): Promise<JournaledDelivery | undefined> {
    const match = REF_PATTERN.exec(ref);
    if (!match) return undefined;
    const lines = await this.readSegment(match[1]!);
    const line = lines?.[Number(match[2])];
    return line === undefined ? undefined : { ref, ...decodeLine(line, ref) };
  }

  /** Refs of every delivery filed on the UTC day of `day` (epoch ms), in order of receipt. For audits. */
  async listDay(day: number): Promise<JournalRef[]> {
    const prefix = journalDayPrefix(day);
    const segments = await this.run("journal.list", async (abortSignal) => {
      const names: string[] = [];
      for await (const item of this.container.listBlobsFlat({ prefix, abortSignal })) names.push(item.name);
      return names;
    });
    const refs: JournalRef[] = [];
    for (const segment of segments.sort()) {
      const lines = (await this.readSegment(segment)) ?? [];
      lines.forEach((_, i) => refs.push(`${segment}#${i}`));
    }
    return refs;
  }

  /** Writes one segment per UTC day present in the batch; refs in the order of `batch`. */
  private async writeBatch(batch: readonly Pending[]): Promise<JournalRef[]> {
    const byDay = new Map<string, number[]>();
    batch.forEach((p, i) => {
      const day = journalDayPrefix(p.receivedAt);
      byDay.set(day, [...(byDay.get(day) ?? []), i]);
    });
    const refs: JournalRef[] = new Array(batch.length);
    await Promise.all([...byDay].map(async ([day, indexes]) => {
      const items = indexes.map((i) => batch[i]!);
      const segment = await this.writeSegment(day, items);
      indexes.forEach((index, line) => (refs[index] = `${segment}#${line}`));
    }));
    return refs;
  }

  private async writeSegment(day: string, items: readonly Pending[]): Promise<string> {
    const content = Buffer.from(items.map((p) => JSON.stringify(encodeLine(p))).join("\n") + "\n", "utf8");
    const md5 = createHash("md5").update(content).digest();
    const first = new Date(items[0]!.receivedAt).toISOString();
    const time = first.slice(11, 23).replace(/[:.]/g, "");
    return this.run("journal.append", async (abortSignal) => {
      // A taken name (two instances drawing the same 64 random bits) is never overwritten: draw again.
      for (let attempt = 1; ; attempt++) {
        const name = `${day}${time}-${this.segmentSuffix()}.jsonl`;
        try {
          await this.container.getBlockBlobClient(name).upload(content, content.byteLength, {
            abortSignal,
            conditions: { ifNoneMatch: "*" },
            metadata: { [META_COUNT]: String(items.length), [META_FIRST_RECEIVED_AT]: first },
            blobHTTPHeaders: { blobContentType: "application/x-ndjson", blobContentMD5: md5 },
          });
          return name;
        } catch (err) {
          const status = blobStatusOf(err);
          if ((status !== 409 && status !== 412) || attempt >= 3) throw err;
        }
      }
    });
  }

  private async readSegment(name: string): Promise<string[] | undefined> {
    const blob = this.container.getBlobClient(name);
    return this.run("journal.read", async (abortSignal) => {
      try {
        const content = await blob.downloadToBuffer(undefined, undefined, { abortSignal });
        return content.toString("utf8").split("\n").filter((line) => line.length > 0);
      } catch (err) {
        if (blobStatusOf(err) === 404) return undefined;
        throw err;
      }
    });
  }

  private async run<T>(operation: string, action: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await action(AbortSignal.timeout(this.timeoutMs));
    } catch (err) {
      throw toBlobStorageError(err, operation);
    }
  }
}

function encodeLine(p: Pending): SegmentLine {
  const body = Buffer.from(p.delivery.body.buffer, p.delivery.body.byteOffset, p.delivery.body.byteLength);
  return { receivedAt: new Date(p.receivedAt).toISOString(), signature: p.delivery.signature, sha256: createHash("sha256").update(body).digest("hex"), body: body.toString("base64") };
}

/** Parses a stored line; a line that does not hold what it says (hash mismatch, bad JSON) is corruption. */
function decodeLine(text: string, ref: JournalRef): Omit<JournaledDelivery, "ref"> {
  let line: Partial<SegmentLine>;
  try {
    line = JSON.parse(text) as Partial<SegmentLine>;
  } catch {
    throw new PermanentError("storage.journal_corrupt", `journal.read: ${ref} is not a journal line`);
  }
  const body = Buffer.from(typeof line.body === "string" ? line.body : "", "base64");
  if (createHash("sha256").update(body).digest("hex") !== line.sha256) {
    throw new PermanentError("storage.journal_corrupt", `journal.read: the bytes of ${ref} do not match their SHA-256`);
  }
  return { body, signature: typeof line.signature === "string" ? line.signature : "", receivedAt: Date.parse(line.receivedAt ?? "") || 0 };
}

/** Builds a `BlobWebhookJournal` and creates its container. */
export async function createBlobWebhookJournal(options: BlobWebhookJournalOptions): Promise<BlobWebhookJournal> {
  const journal = new BlobWebhookJournal(options);
  await journal.initialize();
  return journal;
}
