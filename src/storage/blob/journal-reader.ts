import type { ContainerClient } from "@azure/storage-blob";
import type { JournalRecord, JournalRef } from "../../core/ports/webhook-journal";
import { assertContainerName, blobServiceClient, type BlobStorageOptions } from "./blob-clients";
import { toBlobStorageError } from "./blob-errors";
import { downloadBlob, listDayFolder, type DayListing } from "./journal-blobs";
import { linesOf, parseLine } from "./journal-format";

export interface JournalReaderOptions extends BlobStorageOptions {
  readonly container: string;
  /** Deadline of one listing or download, SDK retries included; default 60 000 ms. */
  readonly timeoutMs?: number;
}

/** One entry of the journal as the operator commands read it, in journal order. */
export type JournalEntry =
  | {
      readonly kind: "delivery";
      readonly ref: JournalRef;
      readonly receivedAt: number;
      readonly body: Buffer;
      readonly signature: string;
      readonly intact: boolean;
    }
  | { readonly kind: "record"; readonly ref: JournalRef; readonly record: JournalRecord; readonly intact: boolean };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the journal container for the operator commands (verify, export, report): day folders, their
 * blobs, and every entry of a range of days, one segment in memory at a time. Read-only.
 */
export class BlobJournalReader {
  readonly containerName: string;
  readonly container: ContainerClient;
  private readonly timeoutMs: number;

  /** Validates the options and builds the client; does no I/O. */
  constructor(options: JournalReaderOptions) {
    this.containerName = assertContainerName(options.container);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.container = blobServiceClient(options, { maxTries: 4, tryTimeoutMs: this.timeoutMs }).getContainerClient(this.containerName);
  }

  /** Every day (`YYYY-MM-DD`) that has a folder, oldest first; [] when the container does not exist. */
  async days(): Promise<string[]> {
    const days: string[] = [];
    const folders = async (prefix: string) =>
      this.run("journal.days", async (abortSignal) => {
        const found: string[] = [];
        try {
          for await (const item of this.container.listBlobsByHierarchy("/", { prefix, abortSignal })) if (item.kind === "prefix") found.push(item.name);
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return [];
          throw err;
        }
        return found.sort();
      });
    for (const year of await folders("journal/")) {
      for (const month of await folders(year)) {
        for (const day of await folders(month)) {
          const name = day.slice(8, 18).replace(/\//g, "-");
          if (DAY.test(name)) days.push(name);
        }
      }
    }
    return days;
  }

  /** Segments and manifests of `day` (`YYYY-MM-DD`), names sorted. */
  listDay(day: string): Promise<DayListing> {
    return listDayFolder(this.container, day, (operation, action) => this.run(operation, action));
  }

  /** A blob's bytes; undefined when it does not exist. */
  download(name: string): Promise<Buffer | undefined> {
    return downloadBlob(this.container, name, (operation, action) => this.run(operation, action));
  }

  /**
   * Every delivery and record filed from `from` to `to` (`YYYY-MM-DD`, inclusive), day by day, segment
   * by segment (by name: roughly by time), line by line. Headers are skipped; an unreadable line is
   * skipped too (`npm run verify` reports it). The range is listed first, so `onSegment` can tell how
   * far it got: bytes of the segments read so far, and of all of them.
   */
  async *entries(from: string, to: string, onSegment?: (doneBytes: number, totalBytes: number) => void): AsyncGenerator<JournalEntry> {
    const segments: Array<{ name: string; size: number }> = [];
    for (const day of await this.days()) if (day >= from && day <= to) segments.push(...(await this.listDay(day)).segments);
    const total = segments.reduce((sum, s) => sum + s.size, 0);
    let done = 0;
    onSegment?.(0, total);
    for (const segment of segments) {
      const bytes = await this.download(segment.name);
      done += segment.size;
      onSegment?.(done, total);
      if (!bytes) continue;
      const lines = linesOf(bytes);
      for (let i = 0; i < lines.length; i++) {
        const line = parseLine(lines[i]!);
        const ref = `${segment.name}#${i}`;
        if (line.kind === "delivery")
          yield { kind: "delivery", ref, receivedAt: line.receivedAt, body: line.body, signature: line.line.signature, intact: line.intact };
        else if (line.kind === "record") yield { kind: "record", ref, record: line.record, intact: line.intact };
      }
    }
  }

  private async run<T>(operation: string, action: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await action(AbortSignal.timeout(this.timeoutMs));
    } catch (err) {
      throw toBlobStorageError(err, operation);
    }
  }
}
