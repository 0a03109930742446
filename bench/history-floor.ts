/**
 * Azurite's own cost per request on a table, whatever the bridge asks: the baseline of the history
 * benchmark. Azurite keeps each table as a LokiJS collection and evaluates a query by testing every row of
 * it (`LokiTableMetadataStore.queryTableEntities`: `chain().where(predicate)`), so even a query of an
 * empty partition costs time in proportion to the table; its key indexes are sorted arrays, kept up to
 * date on every insert and delete. Azure Table storage serves the same requests from its key index.
 */
import type { TableClient } from "@azure/data-tables";

export interface TableClients {
  readonly inbox: TableClient;
  readonly outbox: TableClient;
  readonly links: TableClient;
}

/** The queries of a poll round (the number index, one per number, the outbox index, the links), each of an empty partition. */
export async function floorRound(clients: TableClients, numbers: number): Promise<number> {
  const nothing = async (client: TableClient) => {
    for await (const row of client.listEntities({ queryOptions: { filter: "PartitionKey eq '~nothing'" } }))
      throw new Error(`a row in the empty partition: ${String(row.rowKey)}`);
  };
  const started = performance.now();
  for (let i = 0; i < 1 + numbers; i++) await nothing(clients.inbox);
  await nothing(clients.outbox);
  await nothing(clients.links);
  return performance.now() - started;
}

export interface WriteCosts {
  readonly insertMs: number;
  readonly readMs: number;
  readonly mergeMs: number;
  readonly deleteMs: number;
}

/**
 * One keyed insert, point read, Merge and delete of an entry-sized row in a number's partition of the
 * inbox (where the bridge writes), leaving the table as it was.
 */
export async function keyedRound(inbox: TableClient, partition: string, n: number): Promise<WriteCosts> {
  const rowKey = `msg:wamid.BENCHFLOOR${n}`;
  const t0 = performance.now();
  await inbox.createEntity({
    partitionKey: partition,
    rowKey,
    state: "pending",
    detail: "",
    event: "x".repeat(400),
    receivedAt: { value: Date.now(), type: "Double" },
  });
  const t1 = performance.now();
  await inbox.getEntity(partition, rowKey);
  const t2 = performance.now();
  await inbox.updateEntity({ partitionKey: partition, rowKey, state: "done" }, "Merge");
  const t3 = performance.now();
  await inbox.deleteEntity(partition, rowKey);
  const t4 = performance.now();
  return { insertMs: t1 - t0, readMs: t2 - t1, mergeMs: t3 - t2, deleteMs: t4 - t3 };
}
