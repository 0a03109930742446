import { odata } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import { PermanentError } from "../../core/errors";
import { BusinessNumberId } from "../../core/ids";
import type { WhatsAppEvent } from "../../core/messages";
import { compareInboxEntries, OldestEntries } from "../../core/inbox-order";
import type { InboxEntry, InboxState } from "../../core/model";
import type { InboxStore } from "../../core/ports/stores";
import { clip, EntityReader, INBOX_DETAIL_MAX_CHARS, toJsonProperty, toNumberProperty, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import { InboxBatchWriter } from "./inbox-batch-writer";
import type { TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";

const STATES: readonly InboxState[] = ["pending", "posting", "done", "unrouted", "held", "failed"];

/**
 * Inbox table: PartitionKey = business number id, RowKey = event key. The event is JSON (checked against
 * the 32 K-character property limit); `state` and `eventTimestamp` are properties of their own so that
 * `list` can filter on the state and order by WhatsApp time.
 *
 * `record` is an atomic create: 409 means the event was recorded before (never check-then-set). Like
 * `reserve`, it writes a random `opId`, so an SDK retry of a create that had in fact succeeded is still
 * reported as `created`. Records that arrive together are grouped into one transaction per business
 * number (`InboxBatchWriter`), with the same outcomes as one create each. An empty `detail` is stored as "" (a Merge cannot remove a property) and read
 * back as absent.
 */
export class TableInboxStore implements InboxStore {
  private readonly writer: InboxBatchWriter;

  constructor(private readonly table: TableAccess) {
    this.writer = new InboxBatchWriter(table);
  }

  async record(entry: InboxEntry): Promise<"created" | "duplicate"> {
    const opId = randomUUID();
    const entity = {
      partitionKey: encodeKey(entry.business),
      rowKey: encodeKey(entry.key),
      business: entry.business,
      key: entry.key,
      event: toJsonProperty("inbox.record", "event", entry.event),
      eventTimestamp: toNumberProperty(entry.event.timestamp),
      state: entry.state,
      receivedAt: toNumberProperty(entry.receivedAt),
      detail: entry.detail ? clip(entry.detail, INBOX_DETAIL_MAX_CHARS) : "",
      ...(entry.journalRef ? { journalRef: entry.journalRef } : {}),
      opId,
    };
    return this.writer.record(entity);
  }

  async get(business: BusinessNumberId, key: string): Promise<InboxEntry | undefined> {
    const row = await this.table.get("inbox.get", encodeKey(business), encodeKey(key));
    return row && this.toEntry(row);
  }

  async setState(business: BusinessNumberId, key: string, state: InboxState, detail?: string): Promise<void> {
    const changes = { partitionKey: encodeKey(business), rowKey: encodeKey(key), state, detail: detail ? clip(detail, INBOX_DETAIL_MAX_CHARS) : "" };
    await this.table.run("inbox.setState", async (options) => {
      try {
        // Unconditional Merge (ETag "*"): the last state written wins, and a missing entry is a 404.
        await this.table.client.updateEntity(changes, "Merge", options);
      } catch (err) {
        if (hasStatus(err, 404)) throw new PermanentError("storage.inbox_entry_missing", `inbox.setState: no entry ${key} for business ${business}`);
        throw err;
      }
    });
  }

  async list(state: InboxState, business?: BusinessNumberId): Promise<InboxEntry[]> {
    const filter = business === undefined ? odata`state eq ${state}` : odata`PartitionKey eq ${encodeKey(business)} and state eq ${state}`;
    const rows = await this.table.query("inbox.list", filter);
    return rows.map((row) => this.toEntry(row)).sort(compareInboxEntries);
  }

  async oldest(states: readonly InboxState[], limit: number): Promise<{ entries: InboxEntry[]; total: number }> {
    const filter = states.map((state) => odata`state eq ${state}`).join(" or ");
    // Streamed: only the oldest `limit` are held, whatever the size of the backlog.
    return this.table.run("inbox.oldest", async (options) => {
      const oldest = new OldestEntries(limit);
      for await (const row of this.table.client.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: options.abortSignal })) oldest.offer(this.toEntry(row));
      return oldest.result();
    });
  }

  async listByDetail(detail: string): Promise<InboxEntry[]> {
    const rows = await this.table.query("inbox.listByDetail", odata`detail eq ${detail}`);
    return rows.map((row) => this.toEntry(row)).sort(compareInboxEntries);
  }

  private toEntry(row: StoredEntity): InboxEntry {
    const r = new EntityReader(row, this.table.name);
    const detail = r.optionalString("detail");
    const journalRef = r.optionalString("journalRef");
    return {
      business: BusinessNumberId(r.string("business")),
      key: r.string("key"),
      event: r.json<WhatsAppEvent>("event"),
      state: r.oneOf("state", STATES),
      receivedAt: r.number("receivedAt"),
      ...(detail ? { detail } : {}),
      ...(journalRef ? { journalRef } : {}),
    };
  }
}

