import { createHash } from "node:crypto";
import { PermanentError } from "../../core/errors";
import type { JournaledDelivery, JournalRef, RawDelivery, WebhookJournal } from "../../core/ports/webhook-journal";

/**
 * In-memory `WebhookJournal` for unit tests and benchmarks, with the Blob journal's semantics (the same
 * contract suite runs against both): refs `journal/yyyy/mm/dd/<sha256>.json`, create-only, identical
 * bytes again on the same day are a success, different bytes under a taken name are refused.
 */
export class MemoryWebhookJournal implements WebhookJournal {
  private readonly blobs = new Map<JournalRef, JournaledDelivery>();

  async append(delivery: RawDelivery, receivedAt: number): Promise<JournalRef> {
    const day = new Date(receivedAt).toISOString().slice(0, 10).replace(/-/g, "/");
    const ref = `journal/${day}/${createHash("sha256").update(delivery.body).digest("hex")}.json`;
    const existing = this.blobs.get(ref);
    if (existing) {
      if (Buffer.from(existing.body).equals(Buffer.from(delivery.body))) return ref;
      throw new PermanentError("storage.journal_conflict", `journal.append: ${ref} already holds different bytes (never overwritten)`);
    }
    this.blobs.set(ref, { ref, body: Uint8Array.from(delivery.body), signature: delivery.signature, receivedAt });
    return ref;
  }

  async read(ref: JournalRef): Promise<JournaledDelivery | undefined> {
    const found = this.blobs.get(ref);
    return found && { ...found, body: Uint8Array.from(found.body) };
  }

  /** Every journaled delivery, in the order they were first appended (tests). */
  all(): JournaledDelivery[] {
    return [...this.blobs.values()];
  }
}
