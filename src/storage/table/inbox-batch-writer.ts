import type { TransactionAction } from "@azure/data-tables";
import { GroupCommit } from "../../core/group-commit";
import { createOwn, getOrUndefined, type TableAccess } from "./table-access";
import { statusOf } from "./table-errors";

/** An inbox entity ready to create; `opId` is random per record call (see `TableInboxStore`). */
export interface InboxEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly opId: string;
  readonly [property: string]: unknown;
}

/** One record: the entry to create, and its index rows (same partition), written in the same transaction. */
export interface InboxRecord {
  readonly entity: InboxEntity;
  readonly index: readonly InboxEntity[];
}

export type RecordOutcome = "created" | "duplicate";

/**
 * Limits of one entity group transaction (docs/reliability.md, "Table storage limits"): at most 100 operations, one partition,
 * a 4 MiB payload. Our bound on the payload is half that, measured as JSON characters, which leaves room
 * for the multipart framing and for UTF-8 (an event property is at most 32 K characters anyway).
 */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_CHARS = 2 * 1024 * 1024;

/**
 * Creates inbox entities in batches (group commit): the records that arrive together become one entity
 * group transaction per business number (the partition), so a burst of webhooks costs a few storage
 * requests instead of one each. Outcomes are those of one `createEntity` per record:
 * - a transaction is all or nothing, so one already-recorded event (409) fails its batch; the batch is
 *   then written record by record, each with the usual 409 → compare-opId check;
 * - the same event twice in one batch (concurrent redelivery) is written once; the second is a duplicate;
 * - a batch that gets no answer (storage down, deadline) fails all its records with that error, and the
 *   webhook answers 5xx: an applied-but-unanswered batch is then found as duplicates on Meta's retry,
 *   and duplicates are scheduled too (bridge-service `ingest`), so nothing is lost either way.
 */
export class InboxBatchWriter {
  private readonly commits: GroupCommit<InboxRecord, RecordOutcome>;

  constructor(
    private readonly table: TableAccess,
    options: { readonly maxInFlight?: number } = {},
  ) {
    this.commits = new GroupCommit<InboxRecord, RecordOutcome>((records) => this.commitBatch(records), {
      maxItems: 500,
      maxBytes: 8 * MAX_TRANSACTION_CHARS,
      sizeOf: recordChars,
      maxInFlight: options.maxInFlight ?? 2,
    });
  }

  /** Creates the record's entry (and index rows) unless its key exists; resolves once stored. Throws a core error on failure. */
  record(record: InboxRecord): Promise<RecordOutcome> {
    return this.commits.submit(record);
  }

  /**
   * One record in one transaction (entry and index rows); a 409 of the entry's create → "created" if our
   * own opId is there (an SDK retry of a success, whose index rows were written with it), else "duplicate".
   */
  async recordOne(record: InboxRecord): Promise<RecordOutcome> {
    if (record.index.length === 0) {
      return this.table.run("inbox.record", async (options) =>
        (await createOwn(this.table.client, record.entity, options)).kind === "created" ? "created" : "duplicate",
      );
    }
    return this.table.run("inbox.record", async (options) => {
      try {
        await this.table.client.submitTransaction(actionsOf(record), options);
        return "created" as const;
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
      const existing = await getOrUndefined(this.table.client, record.entity.partitionKey, record.entity.rowKey, options);
      return existing?.["opId"] === record.entity.opId ? ("created" as const) : ("duplicate" as const);
    });
  }

  private async commitBatch(records: readonly InboxRecord[]): Promise<Array<RecordOutcome | Error>> {
    const entities = records.map((r) => r.entity);
    const outcomes: Array<RecordOutcome | Error | undefined> = new Array(entities.length).fill(undefined);
    // The first of each key writes; later ones with the same key share its outcome as duplicates.
    const leaders = new Map<string, number>();
    const followers: Array<[follower: number, leader: number]> = [];
    const byPartition = new Map<string, number[]>();
    entities.forEach((entity, i) => {
      const key = `${entity.partitionKey}\u0000${entity.rowKey}`;
      const leader = leaders.get(key);
      if (leader !== undefined) {
        followers.push([i, leader]);
        return;
      }
      leaders.set(key, i);
      const list = byPartition.get(entity.partitionKey) ?? [];
      list.push(i);
      byPartition.set(entity.partitionKey, list);
    });

    const chunks = [...byPartition.values()].flatMap((indexes) => chunkByLimits(indexes, records));
    await Promise.all(
      chunks.map(async (chunk) => {
        const results = await this.commitChunk(chunk.map((i) => records[i]!));
        chunk.forEach((index, n) => (outcomes[index] = results[n]!));
      }),
    );
    for (const [follower, leader] of followers) {
      const outcome = outcomes[leader]!;
      outcomes[follower] = outcome instanceof Error ? outcome : "duplicate";
    }
    return outcomes.map((o) => o ?? new Error("inbox.record: no outcome"));
  }

  /** One partition, within the transaction limits. */
  private async commitChunk(records: readonly InboxRecord[]): Promise<Array<RecordOutcome | Error>> {
    if (records.length === 1) return [await settle(this.recordOne(records[0]!))];
    const actions: TransactionAction[] = records.flatMap(actionsOf);
    const result = await settle(
      this.table.run("inbox.record", async (options) => {
        try {
          await this.table.client.submitTransaction(actions, options);
          return "stored" as const;
        } catch (err) {
          // A refusal (409: one of them exists; 400/413: the service would not take this batch): record
          // one by one. No answer or a 5xx is thrown: the whole batch fails, to be retried by Meta.
          const status = statusOf(err);
          if (status !== undefined && status !== 408 && status !== 429 && status < 500) return "refused" as const;
          throw err;
        }
      }),
    );
    if (result instanceof Error) return records.map(() => result);
    if (result === "stored") return records.map(() => "created");
    return Promise.all(records.map((record) => settle(this.recordOne(record))));
  }
}

async function settle<T>(promise: Promise<T>): Promise<T | Error> {
  try {
    return await promise;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The transaction actions of one record: create the entry, write its index rows. */
function actionsOf(record: InboxRecord): TransactionAction[] {
  return [["create", record.entity], ...record.index.map((row): TransactionAction => ["upsert", row, "Replace"])];
}

/** About how many characters the entity takes on the wire (its properties as JSON). */
function approximateChars(entity: InboxEntity): number {
  let chars = 64;
  for (const [name, value] of Object.entries(entity)) chars += name.length + (typeof value === "string" ? value.length : 24) + 8;
  return chars;
}

const recordChars = (record: InboxRecord) => approximateChars(record.entity) * (1 + record.index.length);

/** Splits one partition's records into transactions of at most 100 operations and ~2 M characters. */
function chunkByLimits(indexes: readonly number[], records: readonly InboxRecord[]): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let operations = 0;
  let chars = 0;
  for (const index of indexes) {
    const record = records[index]!;
    const size = recordChars(record);
    const ops = 1 + record.index.length;
    if (current.length > 0 && (operations + ops > MAX_TRANSACTION_ITEMS || chars + size > MAX_TRANSACTION_CHARS)) {
      chunks.push(current);
      current = [];
      operations = 0;
      chars = 0;
    }
    current.push(index);
    operations += ops;
    chars += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
