import type { ContainerClient } from "@azure/storage-blob";
import { createHash } from "node:crypto";
import { PermanentError } from "../../core/errors";
import type { JournaledDelivery, JournalRef, RawDelivery, WebhookJournal } from "../../core/ports/webhook-journal";
import { blobServiceClient, assertContainerName, type BlobStorageOptions } from "./blob-clients";
import { blobStatusOf, toBlobStorageError } from "./blob-errors";

/** Blob metadata names (C# identifiers, as the service requires). */
const META_SIGNATURE = "x_hub_signature_256";
const META_RECEIVED_AT = "received_at";
const REF_PATTERN = /^journal\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{64}\.json$/;

export interface BlobWebhookJournalOptions extends BlobStorageOptions {
  /** Container of the journal (the deployment makes it immutable); default `webhook-journal`. */
  readonly container?: string;
  /** Deadline of one append or read, SDK retries included; default 10 000 ms (Meta waits a few seconds). */
  readonly timeoutMs?: number;
}

/** `journal/yyyy/mm/dd/<sha256 of the body>.json`, the day of `receivedAt` in UTC. */
export function journalBlobName(body: Uint8Array, receivedAt: number): JournalRef {
  return `${journalDayPrefix(receivedAt)}${createHash("sha256").update(body).digest("hex")}.json`;
}

/** `journal/yyyy/mm/dd/`: the folder of the UTC day of `at` (epoch ms). */
export function journalDayPrefix(at: number): string {
  return `journal/${new Date(at).toISOString().slice(0, 10).replace(/-/g, "/")}/`;
}

/**
 * `WebhookJournal` on Azure Blob Storage (or Azurite). Each delivery is one block blob named by the
 * SHA-256 of its bytes under the day it arrived (`journalBlobName`), with the signature header and the
 * receipt time as metadata. Writes are create-only (`If-None-Match: *`): a redelivery of the same bytes
 * on the same day meets the existing blob, which counts as success once its content is confirmed equal
 * (by Content-MD5, else by reading it back). Nothing is ever overwritten or deleted, so the container
 * can carry a time-based immutability (WORM) policy. Call `initialize()` once (creates the container).
 */
export class BlobWebhookJournal implements WebhookJournal {
  readonly containerName: string;
  private readonly container: ContainerClient;
  private readonly timeoutMs: number;

  /** Validates the options and builds the client; does no I/O. Throws `PermanentError` on bad options. */
  constructor(options: BlobWebhookJournalOptions) {
    this.containerName = assertContainerName(options.container ?? "webhook-journal");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.container = blobServiceClient(options, { maxTries: 3, tryTimeoutMs: Math.max(1_000, Math.floor(this.timeoutMs / 2)) }).getContainerClient(this.containerName);
  }

  /** Creates the container if it does not exist (an existing one, immutable or not, is fine). */
  async initialize(): Promise<void> {
    await this.run("journal.initialize", (abortSignal) => this.container.createIfNotExists({ abortSignal }));
  }

  async append(delivery: RawDelivery, receivedAt: number): Promise<JournalRef> {
    const ref = journalBlobName(delivery.body, receivedAt);
    const blob = this.container.getBlockBlobClient(ref);
    const md5 = createHash("md5").update(delivery.body).digest();
    return this.run("journal.append", async (abortSignal) => {
      try {
        await blob.upload(delivery.body, delivery.body.byteLength, {
          abortSignal,
          conditions: { ifNoneMatch: "*" },
          metadata: { [META_SIGNATURE]: delivery.signature, [META_RECEIVED_AT]: new Date(receivedAt).toISOString() },
          blobHTTPHeaders: { blobContentType: "application/json", blobContentMD5: md5 },
        });
        return ref;
      } catch (err) {
        // 409 (exists; or refused by an immutability policy) and 412 (If-None-Match failed) mean "already there".
        const status = blobStatusOf(err);
        if (status !== 409 && status !== 412) throw err;
      }
      if (await this.sameContent(ref, delivery.body, md5, abortSignal)) return ref;
      throw new PermanentError("storage.journal_conflict", `journal.append: ${ref} already holds different bytes (never overwritten)`);
    });
  }

  async read(ref: JournalRef): Promise<JournaledDelivery | undefined> {
    if (!REF_PATTERN.test(ref)) return undefined;
    const blob = this.container.getBlobClient(ref);
    return this.run("journal.read", async (abortSignal) => {
      try {
        const properties = await blob.getProperties({ abortSignal });
        const body = await blob.downloadToBuffer(undefined, undefined, { abortSignal });
        const metadata = properties.metadata ?? {};
        return {
          ref,
          body,
          signature: metadata[META_SIGNATURE] ?? "",
          receivedAt: Date.parse(metadata[META_RECEIVED_AT] ?? "") || (properties.createdOn?.getTime() ?? 0),
        };
      } catch (err) {
        if (blobStatusOf(err) === 404) return undefined;
        throw err;
      }
    });
  }

  /** Refs filed on the UTC day of `day` (epoch ms), in name order. For reconciliation and audits. */
  async listDay(day: number): Promise<JournalRef[]> {
    const prefix = journalDayPrefix(day);
    return this.run("journal.list", async (abortSignal) => {
      const refs: JournalRef[] = [];
      for await (const item of this.container.listBlobsFlat({ prefix, abortSignal })) refs.push(item.name);
      return refs;
    });
  }

  private async sameContent(ref: JournalRef, body: Uint8Array, md5: Buffer, abortSignal: AbortSignal): Promise<boolean> {
    const blob = this.container.getBlobClient(ref);
    const properties = await blob.getProperties({ abortSignal });
    if (properties.contentLength !== body.byteLength) return false;
    if (properties.contentMD5) return Buffer.from(properties.contentMD5).equals(md5);
    const stored = await blob.downloadToBuffer(undefined, undefined, { abortSignal });
    return stored.equals(body);
  }

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
