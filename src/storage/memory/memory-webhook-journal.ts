import type { JournaledDelivery, JournalRef, RawDelivery, WebhookJournal } from "../../core/ports/webhook-journal";

/**
 * In-memory `WebhookJournal` for unit tests and benchmarks, with the Blob journal's semantics (the same
 * contract suite runs against both): every append is a record of its own, filed under the UTC day of
 * receipt (`journal/yyyy/mm/dd/…`), and nothing is ever overwritten.
 */
export class MemoryWebhookJournal implements WebhookJournal {
  private readonly records = new Map<JournalRef, JournaledDelivery>();
  private sequence = 0;

  async append(delivery: RawDelivery, receivedAt: number): Promise<JournalRef> {
    const day = new Date(receivedAt).toISOString().slice(0, 10).replace(/-/g, "/");
    const ref = `journal/${day}/${String(++this.sequence).padStart(9, "0")}-memory.jsonl#0`;
    this.records.set(ref, { ref, body: Uint8Array.from(delivery.body), signature: delivery.signature, receivedAt });
    return ref;
  }

  async read(ref: JournalRef): Promise<JournaledDelivery | undefined> {
    const found = this.records.get(ref);
    return found && { ...found, body: Uint8Array.from(found.body) };
  }

  /** Every journaled delivery, in the order they were appended (tests). */
  all(): JournaledDelivery[] {
    return [...this.records.values()];
  }
}
