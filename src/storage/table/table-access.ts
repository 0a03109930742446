import type { TableClient, TableEntity } from "@azure/data-tables";
import type { StoredEntity } from "./entity-codec";
import { hasStatus, serviceCodeOf, toStorageError } from "./table-errors";

/** Per-request options every call passes: a deadline, so a hung storage cannot hang the bridge. */
export interface RequestOptions {
  readonly abortSignal: AbortSignal;
}

/**
 * One table plus the plumbing every store needs: a deadline per operation and the translation of SDK
 * failures into core errors (table-errors.ts). Statuses that carry meaning (404, 409, 412) are inspected
 * by the stores inside `run` before anything is translated.
 */
export class TableAccess {
  constructor(
    readonly client: TableClient,
    private readonly timeoutMs: number,
  ) {}

  get name(): string {
    return this.client.tableName;
  }

  /**
   * Runs `action` with a fresh deadline; any failure leaves as a TransientError or PermanentError. The
   * deadline's timer is cleared as soon as the action settles: `AbortSignal.timeout` would keep a timer
   * (and its weak bookkeeping) alive for the whole timeout after every request, thousands at once under
   * load, all promoted to the old space.
   */
  async run<T>(operation: string, action: (options: RequestOptions) => Promise<T>): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException(`${operation} timed out`, "TimeoutError")), this.timeoutMs);
    try {
      return await action({ abortSignal: deadline.signal });
    } catch (err) {
      throw toStorageError(err, operation);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads one entity; `undefined` when it does not exist. */
  async get(operation: string, partitionKey: string, rowKey: string): Promise<StoredEntity | undefined> {
    return this.run(operation, (options) => getOrUndefined(this.client, partitionKey, rowKey, options));
  }

  /** All entities matching an OData `filter` (built with the `odata` tag), across pages. */
  async query(operation: string, filter: string): Promise<StoredEntity[]> {
    return this.run(operation, async (options) => {
      const rows: StoredEntity[] = [];
      for await (const row of this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: options.abortSignal })) rows.push(row);
      return rows;
    });
  }

  /** Creates or replaces an entity. */
  async upsert(operation: string, entity: TableEntity<Record<string, unknown>>): Promise<void> {
    await this.run(operation, (options) => this.client.upsertEntity(entity, "Replace", options));
  }
}

/** `getEntity`, with a missing entity as `undefined` (a missing table stays an error), inside a `run`. */
export async function getOrUndefined(client: TableClient, partitionKey: string, rowKey: string, options: RequestOptions): Promise<StoredEntity | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(partitionKey, rowKey, options);
  } catch (err) {
    if (hasStatus(err, 404) && serviceCodeOf(err) !== "TableNotFound") return undefined;
    throw err;
  }
}

/** What an atomic create found: it wrote the row (now, or in an SDK retry), someone else's row is there, or none is. */
export type CreateOutcome =
  | { readonly kind: "created"; readonly etag?: string; readonly row?: StoredEntity }
  | { readonly kind: "taken"; readonly row: StoredEntity }
  | { readonly kind: "vanished" };

/**
 * `createEntity` as an atomic claim (docs/reliability.md, "Table storage limits"), inside a `run`. On 409
 * the row is read back: if it carries `entity.opId` the SDK had retried a create that in fact succeeded,
 * so it is still ours (`created`, with the row); otherwise it is `taken`. `vanished`: deleted between
 * the 409 and the read.
 */
export async function createOwn(
  client: TableClient,
  entity: TableEntity<Record<string, unknown>> & { readonly opId: string },
  options: RequestOptions,
): Promise<CreateOutcome> {
  try {
    const created = await client.createEntity(entity, options);
    return created.etag ? { kind: "created", etag: created.etag } : { kind: "created" };
  } catch (err) {
    if (!hasStatus(err, 409)) throw err;
  }
  const row = await getOrUndefined(client, entity.partitionKey, entity.rowKey, options);
  if (!row) return { kind: "vanished" };
  return row["opId"] === entity.opId ? { kind: "created", row } : { kind: "taken", row };
}
