import type { TransactionAction } from "@azure/data-tables";
import { GroupCommit } from "../../core/group-commit";
import { createOwn, type TableAccess } from "./table-access";
import { statusOf } from "./table-errors";

/** An inbox entity ready to create; `opId` is random per record call (see `TableInboxStore`). */
export interface InboxEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly opId: string;
  readonly [property: string]: unknown;
}

export type RecordOutcome = "created" | "duplicate";

/**
 * Limits of one entity group transaction (reliability.md §3.3): at most 100 operations, one partition,
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
  private readonly commits: GroupCommit<InboxEntity, RecordOutcome>;

  constructor(private readonly table: TableAccess, options: { readonly maxInFlight?: number } = {}) {
    this.commits = new GroupCommit<InboxEntity, RecordOutcome>((entities) => this.commitBatch(entities), {
      maxItems: 500,
      maxBytes: 8 * MAX_TRANSACTION_CHARS,
      sizeOf: approximateChars,
      maxInFlight: options.maxInFlight ?? 2,
    });
  }

  /** Creates `entity` unless its key exists; resolves once stored. Throws a core error on failure. */
  record(entity: InboxEntity): Promise<RecordOutcome> {
    return this.commits.submit(entity);
  }

  /** One `createEntity`; 409 → "created" if our own opId is there (an SDK retry of a success), else "duplicate". */
  async recordOne(entity: InboxEntity): Promise<RecordOutcome> {
    return this.table.run("inbox.record", async (options) => ((await createOwn(this.table.client, entity, options)).kind === "created" ? "created" : "duplicate"));
  }

  private async commitBatch(entities: readonly InboxEntity[]): Promise<Array<RecordOutcome | Error>> {
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

    const chunks = [...byPartition.values()].flatMap((indexes) => chunkByLimits(indexes, entities));
    await Promise.all(chunks.map(async (chunk) => {
      const results = await this.commitChunk(chunk.map((i) => entities[i]!));
      chunk.forEach((index, n) => (outcomes[index] = results[n]!));
    }));
    for (const [follower, leader] of followers) {
      const outcome = outcomes[leader]!;
      outcomes[follower] = outcome instanceof Error ? outcome : "duplicate";
    }
    return outcomes.map((o) => o ?? new Error("inbox.record: no outcome"));
  }

  /** One partition, within the transaction limits. */
  private async commitChunk(entities: readonly InboxEntity[]): Promise<Array<RecordOutcome | Error>> {
    if (entities.length === 1) return [await settle(this.recordOne(entities[0]!))];
    const actions: TransactionAction[] = entities.map((entity) => ["create", entity]);
    const result = await settle(this.table.run("inbox.record", async (options) => {
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
    }));
    if (result instanceof Error) return entities.map(() => result);
    if (result === "stored") return entities.map(() => "created");
    return Promise.all(entities.map((entity) => settle(this.recordOne(entity))));
  }
}

async function settle<T>(promise: Promise<T>): Promise<T | Error> {
  try {
    return await promise;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** About how many characters the entity takes on the wire (its properties as JSON). */
function approximateChars(entity: InboxEntity): number {
  let chars = 64;
  for (const [name, value] of Object.entries(entity)) chars += name.length + (typeof value === "string" ? value.length : 24) + 8;
  return chars;
}

/** Splits one partition's records into transactions of at most 100 operations and ~2 M characters. */
function chunkByLimits(indexes: readonly number[], entities: readonly InboxEntity[]): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let chars = 0;
  for (const index of indexes) {
    const size = approximateChars(entities[index]!);
    if (current.length > 0 && (current.length >= MAX_TRANSACTION_ITEMS || chars + size > MAX_TRANSACTION_CHARS)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(index);
    chars += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
