import { odata, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import { PermanentError, TransientError } from "../../core/errors";
import { BusinessNumberId } from "../../core/ids";
import type { WhatsAppEvent } from "../../core/messages";
import { compareInboxEntries, OldestEntries } from "../../core/bridge/scheduling/inbox-order";
import type { InboxEntry, InboxFlags, InboxState, IndexedInboxState } from "../../core/model";
import type { InboxStore } from "../../core/ports/stores";
import { clip, EntityReader, INBOX_DETAIL_MAX_CHARS, toJsonProperty, toNumberProperty, type StoredEntity } from "./entity-codec";
import { classFilter, classOf, FLAG_CLASS, indexRowKey, NUMBERS_PARTITION, type IndexClass } from "./inbox-index";
import { encodeKey } from "./keys";
import { InboxBatchWriter } from "./inbox-batch-writer";
import { getOrUndefined, type TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";
import { before, deleteWhere, numberOf } from "./table-purge";

const STATES: readonly InboxState[] = ["pending", "posting", "done", "unrouted", "held", "failed"];
/** Read-modify-write attempts of `setState` against a row that keeps changing (412 each time). */
const MAX_ETAG_ATTEMPTS = 5;
/**
 * Business numbers remembered as listed at most; past it the memory starts again (the listing is an
 * idempotent upsert, so forgetting costs one write per number). A bridge serves a handful of numbers,
 * but the number comes from the webhook (docs/security.md, "Bounded in-memory maps").
 */
export const MAX_KNOWN_NUMBERS = 1_000;

/**
 * Inbox table: PartitionKey = business number id, RowKey = event key. The event is JSON (checked against
 * the 32 K-character property limit). Unfinished entries are found through index rows in the same
 * partition (inbox-index.ts), written in the same transaction as the entry; finished entries are never
 * read to find work.
 *
 * `record` is an atomic create: 409 means the event was recorded before (never check-then-set). It
 * writes a random `opId`, so an SDK retry of a create that had in fact succeeded is still reported as
 * `created`. Records that arrive together are grouped into one transaction per business number
 * (`InboxBatchWriter`). An empty `detail` is stored as "" (a Merge cannot remove a property) and read
 * back as absent; flags are stored as booleans and read back only when true.
 */
export class TableInboxStore implements InboxStore {
  private readonly writer: InboxBatchWriter;
  /** Business numbers already listed in `~numbers` by this process (one write per number per process). */
  private readonly knownNumbers = new Set<string>();

  constructor(private readonly table: TableAccess) {
    this.writer = new InboxBatchWriter(table);
  }

  async record(entry: InboxEntry): Promise<"created" | "duplicate"> {
    const partitionKey = encodeKey(entry.business);
    if (!this.knownNumbers.has(partitionKey)) {
      await this.table.upsert("inbox.record", { partitionKey: NUMBERS_PARTITION, rowKey: partitionKey, business: entry.business });
      if (this.knownNumbers.size >= MAX_KNOWN_NUMBERS) this.knownNumbers.clear();
      this.knownNumbers.add(partitionKey);
    }
    const entity = { partitionKey, rowKey: encodeKey(entry.key), ...properties(entry), opId: randomUUID() };
    const cls = classOf(entry.state);
    return this.writer.record({ entity, index: cls ? [{ ...entity, rowKey: indexRowKey(cls, entry) }] : [] });
  }

  async get(business: BusinessNumberId, key: string): Promise<InboxEntry | undefined> {
    const row = await this.table.get("inbox.get", encodeKey(business), encodeKey(key));
    return row && this.toEntry(row);
  }

  async setState(business: BusinessNumberId, key: string, state: InboxState, detail?: string, flags: InboxFlags = {}): Promise<void> {
    const partitionKey = encodeKey(business);
    const rowKey = encodeKey(key);
    await this.table.run("inbox.setState", async (options) => {
      for (let attempt = 1; attempt <= MAX_ETAG_ATTEMPTS; attempt++) {
        const row = await getOrUndefined(this.table.client, partitionKey, rowKey, options);
        if (!row) throw new PermanentError("storage.inbox_entry_missing", `inbox.setState: no entry ${key} for business ${business}`);
        const before = this.toEntry(row);
        const after: InboxEntry = withFlags(
          { ...before, state, ...(detail ? { detail: clip(detail, INBOX_DETAIL_MAX_CHARS) } : { detail: undefined }) },
          flags,
        );
        try {
          await this.table.client.submitTransaction(transition(partitionKey, rowKey, row.etag, before, after), options);
          return;
        } catch (err) {
          // 412: the entry changed since it was read; 404: an index row it names is gone (changed under us too).
          if (!hasStatus(err, 412) && !hasStatus(err, 404)) throw err;
        }
      }
      throw new TransientError("storage.contended", `inbox.setState: the entry ${key} keeps changing`);
    });
  }

  async list(state: IndexedInboxState, business?: BusinessNumberId): Promise<InboxEntry[]> {
    const entries: InboxEntry[] = [];
    await this.scanIndex(classOf(state)!, business, (entry) => {
      if (entry.state === state) entries.push(entry);
    });
    return entries.sort(compareInboxEntries);
  }

  async oldest(states: readonly IndexedInboxState[], limit: number): Promise<{ entries: InboxEntry[]; total: number }> {
    // Streamed: only the oldest `limit` are held, whatever the size of the backlog.
    const oldest = new OldestEntries(limit);
    for (const cls of new Set(states.map((s) => classOf(s)!))) {
      await this.scanIndex(cls, undefined, (entry) => {
        if (states.includes(entry.state as IndexedInboxState)) oldest.offer(entry);
      });
    }
    return oldest.result();
  }

  async listFlagged(): Promise<InboxEntry[]> {
    const entries: InboxEntry[] = [];
    await this.scanIndex(FLAG_CLASS, undefined, (entry) => entries.push(entry));
    return entries.sort(compareInboxEntries);
  }

  /** Streams the index rows of `cls`, of one business number or of every one listed in `~numbers`. */
  private async scanIndex(cls: IndexClass | typeof FLAG_CLASS, business: BusinessNumberId | undefined, visit: (entry: InboxEntry) => void): Promise<void> {
    const partitions = business !== undefined ? [encodeKey(business)] : await this.numbers();
    await this.table.run("inbox.index", async (options) => {
      for (const partitionKey of partitions) {
        const rows = this.table.client.listEntities<Record<string, unknown>>({
          queryOptions: { filter: classFilter(partitionKey, cls) },
          abortSignal: options.abortSignal,
        });
        for await (const row of rows) visit(this.toEntry(row));
      }
    });
  }

  private async numbers(): Promise<string[]> {
    const rows = await this.table.query("inbox.numbers", odata`PartitionKey eq ${NUMBERS_PARTITION}`);
    return rows.map((row) => String(row.rowKey));
  }

  /**
   * Deletes the entries that are finished (`done`) and were received before `olderThan` (epoch ms); the
   * others stay, whatever their age (they still need work or a look). Scans the finished entries:
   * retention only (RETENTION_DAYS), never the hot path. Returns how many were deleted.
   */
  purgeFinished(olderThan: number): Promise<number> {
    const filter = `${odata`state eq ${"done"}`} and ${before("receivedAt", olderThan)}`;
    // Entries flagged as possible duplicates stay (with their `~d|` index row) until a person has looked.
    return deleteWhere(
      this.table,
      "inbox.purgeFinished",
      filter,
      (row) =>
        row["state"] === "done" &&
        row["duplicateSuspected"] !== true &&
        !String(row.rowKey).startsWith("~") &&
        (numberOf(row, "receivedAt") ?? Infinity) < olderThan,
    );
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
      ...(r.optionalBoolean("duplicateSuspected") ? { duplicateSuspected: true } : {}),
      ...(r.optionalBoolean("interruptedPost") ? { interruptedPost: true } : {}),
    };
  }
}

/** `entry` with `flags` applied: a flag given replaces it, one not given stays; false is stored as absent. */
function withFlags(entry: InboxEntry, flags: InboxFlags): InboxEntry {
  const { duplicateSuspected, interruptedPost, ...rest } = entry;
  const dup = flags.duplicateSuspected ?? duplicateSuspected;
  const interrupted = flags.interruptedPost ?? interruptedPost;
  return { ...rest, ...(dup ? { duplicateSuspected: true } : {}), ...(interrupted ? { interruptedPost: true } : {}) };
}

/** The stored properties of an entry (entry row and index rows alike). */
function properties(entry: InboxEntry): Record<string, unknown> {
  return {
    business: entry.business,
    key: entry.key,
    event: toJsonProperty("inbox.record", "event", entry.event),
    eventTimestamp: toNumberProperty(entry.event.timestamp),
    state: entry.state,
    receivedAt: toNumberProperty(entry.receivedAt),
    detail: entry.detail ?? "",
    duplicateSuspected: entry.duplicateSuspected ?? false,
    interruptedPost: entry.interruptedPost ?? false,
    ...(entry.journalRef ? { journalRef: entry.journalRef } : {}),
  };
}

/**
 * One transaction: the entry's new state (conditional on the ETag read), its index row moved to the new
 * class (or removed when done), and its flag row kept in step. All in the entry's partition.
 */
function transition(partitionKey: string, rowKey: string, etag: string | undefined, before: InboxEntry, after: InboxEntry): TransactionAction[] {
  const changes = {
    partitionKey,
    rowKey,
    state: after.state,
    detail: after.detail ?? "",
    duplicateSuspected: after.duplicateSuspected ?? false,
    interruptedPost: after.interruptedPost ?? false,
  };
  const actions: TransactionAction[] = [["update", changes, "Merge", { etag: etag ?? "*" }]];
  const copy = (cls: IndexClass | typeof FLAG_CLASS): TableEntity<Record<string, unknown>> => ({
    partitionKey,
    rowKey: indexRowKey(cls, after),
    ...properties(after),
  });
  const from = classOf(before.state);
  const to = classOf(after.state);
  if (from && from !== to) actions.push(["delete", { partitionKey, rowKey: indexRowKey(from, before) }]);
  if (to) actions.push(["upsert", copy(to), "Replace"]);
  if (after.duplicateSuspected) actions.push(["upsert", copy(FLAG_CLASS), "Replace"]);
  else if (before.duplicateSuspected) actions.push(["delete", { partitionKey, rowKey: indexRowKey(FLAG_CLASS, before) }]);
  return actions;
}
