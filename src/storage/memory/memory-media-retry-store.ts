import type { BusinessNumberId, WaMessageId } from "../../core/ids";
import type { MediaRetry, MediaRetryStore } from "../../core/ports/media-retry-store";
import { assertStorableJson, copy } from "./memory-rules";

/** The media retry queue in a Map, keyed like the Table store's (business number, wamid). */
export class MemoryMediaRetryStore implements MediaRetryStore {
  private readonly rows = new Map<string, MediaRetry>();

  async add(retry: MediaRetry): Promise<void> {
    assertStorableJson("mediaRetries.add", "message", retry.message);
    const id = `${retry.business}\u0000${retry.message.id}`;
    if (!this.rows.has(id)) this.rows.set(id, copy(retry));
  }

  async get(business: BusinessNumberId, wamid: WaMessageId): Promise<MediaRetry | undefined> {
    const row = this.rows.get(`${business}\u0000${wamid}`);
    return row && copy(row);
  }

  async list(): Promise<MediaRetry[]> {
    return [...this.rows.values()].sort((a, b) => a.createdAt - b.createdAt).map(copy);
  }

  async setAttempts(business: BusinessNumberId, wamid: WaMessageId, attempts: number): Promise<void> {
    const id = `${business}\u0000${wamid}`;
    const row = this.rows.get(id);
    if (row) this.rows.set(id, { ...row, attempts });
  }

  async remove(business: BusinessNumberId, wamid: WaMessageId): Promise<void> {
    this.rows.delete(`${business}\u0000${wamid}`);
  }
}
