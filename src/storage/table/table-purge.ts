import type { TransactionAction } from "@azure/data-tables";
import type { StoredEntity } from "./entity-codec";
import type { TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";

/** Most operations in one entity group transaction. */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * `<property> lt <epoch ms>` for an Edm.Double property (how the stores keep times): a literal with a
 * decimal point is a Double, so the service compares numbers, not types.
 */
export function before(property: string, epochMs: number): string {
  if (!/^[A-Za-z]\w*$/.test(property) || !Number.isFinite(epochMs)) throw new RangeError("bad purge filter");
  return `${property} lt ${Math.floor(epochMs).toFixed(1)}`;
}

/**
 * Visits every row of `table` that `filter` selects (all rows without one), page by page (1,000 a
 * page, each request with its own deadline), so memory does not grow with the table.
 */
export async function forEachRow(
  table: TableAccess,
  operation: string,
  filter: string | undefined,
  visit: (row: StoredEntity) => Promise<void> | void,
): Promise<void> {
  let continuationToken: string | undefined;
  do {
    const page = await table.run(operation, async (options) => {
      const pages = table.client
        .listEntities<Record<string, unknown>>({ ...(filter ? { queryOptions: { filter } } : {}), abortSignal: options.abortSignal })
        .byPage({ maxPageSize: 1000, ...(continuationToken ? { continuationToken } : {}) });
      return (await pages.next()).value as (StoredEntity[] & { continuationToken?: string }) | undefined;
    });
    continuationToken = page?.continuationToken;
    for (const row of page ?? []) await visit(row);
  } while (continuationToken);
}

/**
 * Deletes every row of `table` that `filter` (OData, built with the `odata` tag or `before`) selects and
 * `confirm` accepts (checked again here: the service's filter is a first cut), streaming: rows are
 * deleted in transactions of up to 100 per partition as the listing goes. A row already gone is not an
 * error (two purges may run at once). `dryRun` counts without deleting. Returns how many rows. Scans what
 * the filter selects: for a periodic purge or an operator command, not the hot path.
 */
export async function deleteWhere(
  table: TableAccess,
  operation: string,
  filter: string | undefined,
  confirm: (row: StoredEntity) => boolean,
  dryRun = false,
): Promise<number> {
  const pending = new Map<string, string[]>();
  let deleted = 0;
  const flush = (partition: string) =>
    table.run(operation, async (options) => {
      const rows = pending.get(partition) ?? [];
      pending.delete(partition);
      if (rows.length === 0) return;
      try {
        await table.client.submitTransaction(
          rows.map((rowKey): TransactionAction => ["delete", { partitionKey: partition, rowKey }]),
          options,
        );
        deleted += rows.length;
        return;
      } catch (err) {
        // A transaction is all or nothing: one row deleted meanwhile fails it. One by one, then.
        if (!hasStatus(err, 404) && !hasStatus(err, 400)) throw err;
      }
      for (const rowKey of rows) {
        try {
          await table.client.deleteEntity(partition, rowKey, options);
          deleted++;
        } catch (err) {
          if (!hasStatus(err, 404)) throw err;
        }
      }
    });
  await forEachRow(table, operation, filter, async (row) => {
    const { partitionKey, rowKey } = row;
    if (partitionKey === undefined || rowKey === undefined || !confirm(row)) return;
    if (dryRun) return void deleted++;
    const rows = pending.get(partitionKey) ?? [];
    rows.push(rowKey);
    pending.set(partitionKey, rows);
    if (rows.length >= MAX_TRANSACTION_ITEMS) await flush(partitionKey);
  });
  for (const partition of [...pending.keys()]) await flush(partition);
  return deleted;
}

/** A number property as stored (Edm.Double, or Int64 written by other tools), or undefined. */
export function numberOf(row: StoredEntity, property: string): number | undefined {
  const value = row[property];
  const n = typeof value === "bigint" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}
