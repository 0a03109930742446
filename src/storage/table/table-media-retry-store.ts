import { odata } from "@azure/data-tables";
import { BusinessNumberId, type WaMessageId } from "../../core/ids";
import type { InboundMessage } from "../../core/messages";
import type { MediaRetry, MediaRetryStore } from "../../core/ports/media-retry-store";
import { EntityReader, toJsonProperty, toNumberProperty, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import type { TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";

/** The one partition of the queue: it holds only unfinished retries, so listing it reads no history. */
const QUEUE = "queue";

/**
 * Media retries table: PartitionKey `queue`, RowKey `<business>|<wamid>` (both encoded). A retry is
 * created once (a second `add` for the same message keeps the first), updated with its attempt count,
 * and deleted when finished.
 */
export class TableMediaRetryStore implements MediaRetryStore {
  constructor(private readonly table: TableAccess) {}

  async add(retry: MediaRetry): Promise<void> {
    const entity = {
      partitionKey: QUEUE,
      rowKey: rowKeyOf(retry.business, retry.message.id),
      business: retry.business,
      message: toJsonProperty("mediaRetries.add", "message", retry.message),
      attempts: toNumberProperty(retry.attempts),
      createdAt: toNumberProperty(retry.createdAt),
    };
    // A 409 means this message's retry is queued already: that one stands.
    await this.table.run("mediaRetries.add", async (options) => {
      try {
        await this.table.client.createEntity(entity, options);
      } catch (err) {
        if (!hasStatus(err, 409)) throw err;
      }
    });
  }

  async get(business: BusinessNumberId, wamid: WaMessageId): Promise<MediaRetry | undefined> {
    const row = await this.table.get("mediaRetries.get", QUEUE, rowKeyOf(business, wamid));
    return row && this.toRetry(row);
  }

  async list(): Promise<MediaRetry[]> {
    const rows = await this.table.query("mediaRetries.list", odata`PartitionKey eq ${QUEUE}`);
    return rows.map((row) => this.toRetry(row)).sort((a, b) => a.createdAt - b.createdAt);
  }

  async setAttempts(business: BusinessNumberId, wamid: WaMessageId, attempts: number): Promise<void> {
    await this.table.run("mediaRetries.setAttempts", async (options) => {
      try {
        await this.table.client.updateEntity(
          { partitionKey: QUEUE, rowKey: rowKeyOf(business, wamid), attempts: toNumberProperty(attempts) },
          "Merge",
          options,
        );
      } catch (err) {
        if (!hasStatus(err, 404)) throw err;
      }
    });
  }

  async remove(business: BusinessNumberId, wamid: WaMessageId): Promise<void> {
    await this.table.run("mediaRetries.remove", async (options) => {
      try {
        await this.table.client.deleteEntity(QUEUE, rowKeyOf(business, wamid), options);
      } catch (err) {
        if (!hasStatus(err, 404)) throw err;
      }
    });
  }

  private toRetry(row: StoredEntity): MediaRetry {
    const r = new EntityReader(row, this.table.name);
    return {
      business: BusinessNumberId(r.string("business")),
      message: r.json<InboundMessage>("message"),
      attempts: r.number("attempts"),
      createdAt: r.number("createdAt"),
    };
  }
}

function rowKeyOf(business: BusinessNumberId, wamid: WaMessageId): string {
  return `${encodeKey(business)}|${encodeKey(wamid)}`;
}
