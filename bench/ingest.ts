/**
 * Ingest: signed single-message webhooks acknowledged per second (and p50/p99 acknowledgement latency)
 * at concurrency 50, by the bridge as a child process, against the raw `createEntity` rate of the same
 * Azurite at the same concurrency (the storage limit). The bench holds the processing lease itself, so
 * the bridge only ingests (journal + inbox entry, then 200) and nothing else competes for storage.
 */
import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { BlobLeaseOps, LeaseLeadership } from "../src/storage/blob";
import { ChaosWorld, CHAOS_SECRET } from "../tests/chaos/support/chaos-world";
import { chaosBurst } from "../tests/chaos/support/workload";
import { CaptureLogger } from "../tests/support/capture-logger";
import { Poster, runAtConcurrency, type LoadResult } from "./load";

export interface IngestReport {
  readonly ingest: LoadResult;
  readonly rawCreateEntity: LoadResult;
  readonly ratio: number;
}

const CONCURRENCY = 50;
const PER_ROUND = 1_500;
const ROUNDS = 3;

export async function ingestBench(): Promise<IngestReport> {
  const world = await ChaosWorld.start({ businesses: 1 });
  const lease = new LeaseLeadership({
    ops: new BlobLeaseOps({ connectionString: world.azurite.connectionString }),
    logger: new CaptureLogger(),
    leaseDurationSeconds: 60,
  });
  const poster = new Poster(CONCURRENCY);
  try {
    await lease.start();
    if (!lease.isLeader()) throw new Error("the bench could not take the processing lease");
    await world.bridge.start();
    const table = TableClient.fromConnectionString(world.azurite.connectionString, "benchraw", { allowInsecureConnection: true });
    await table.createTable();
    // An entity about the size of an inbox entry (the event as JSON, state, times).
    const filler = randomBytes(300).toString("base64");
    const url = `${world.bridge.url}/api/whatsapp/webhook`;
    const ingests: LoadResult[] = [];
    const raws: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const burst = chaosBurst({ tag: `ing${round}`, contacts: PER_ROUND, perContact: 1, businesses: world.businesses, appSecret: CHAOS_SECRET });
      ingests.push(await runAtConcurrency(burst.length, CONCURRENCY, async (i) => (await poster.post(url, burst[i]!.body, burst[i]!.headers)) === 200));
      raws.push(
        await runAtConcurrency(PER_ROUND, CONCURRENCY, async (i) => {
          await table.createEntity({
            partitionKey: "106540352200000",
            rowKey: `msg:wamid.raw${round}x${i}`,
            event: filler,
            state: "pending",
            receivedAt: Date.now(),
          });
          return true;
        }),
      );
    }
    const ingest = median(ingests);
    const rawCreateEntity = median(raws);
    return { ingest, rawCreateEntity, ratio: ingest.perSecond / rawCreateEntity.perSecond };
  } finally {
    poster.close();
    await lease.stop();
    await world.dispose();
  }
}

/** The round with the median rate. */
function median(results: readonly LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(results.length / 2)]!;
}
