/**
 * A backlog far larger than what the bridge keeps in memory: 20,000 messages in one burst while Teams
 * (the stand-in) admits only 10 requests a second, so nearly all of them wait. The bridge runs as
 * `npm start` runs it (its V8 heap cap): waiting events stay in the inbox and are loaded, oldest first,
 * as the lanes drain (bridge-service.ts), so memory stays bounded whatever the backlog. Reports the peak
 * RSS while the burst is ingested and during a minute of draining, and whether the bridge survived.
 */
import { sleep } from "../tests/chaos/support/bridge-process";
import { ChaosWorld, CHAOS_SECRET } from "../tests/chaos/support/chaos-world";
import { chaosBurst } from "../tests/chaos/support/workload";
import { rssOf, sampleRss } from "./load";

export interface BacklogReport {
  readonly messages: number;
  readonly acknowledged: number;
  /** Posted to the stand-in by the end of the drain period (the rest still waits, as it should). */
  readonly posted: number;
  readonly peakRssMb: number;
  readonly survived: boolean;
  readonly drainSeconds: number;
}

const TENANT_LIMIT = 10;

export async function backlogBench(contacts = 2_000, perContact = 10, drainSeconds = 60): Promise<BacklogReport> {
  const world = await ChaosWorld.start({
    businesses: 10,
    connector: { limits: { tenantPerSecond: TENANT_LIMIT } },
    env: { LOG_LEVEL: "warn", TEAMS_TENANT_REQUESTS_PER_SECOND: String(TENANT_LIMIT) },
  });
  try {
    await world.bridge.start();
    const burst = chaosBurst({ tag: "backlog", contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET });
    const rss = sampleRss(world.bridge.pid!);
    await world.deliver(burst, "flood");
    await sleep(drainSeconds * 1000);
    const survived = world.bridge.running;
    const peakRssMb = Math.max(rss.stop(), (survived ? (await rssOf(world.bridge.pid!))?.peakMb : 0) ?? 0);
    return {
      messages: burst.length,
      acknowledged: world.sender.stats.acknowledged,
      posted: world.tally("backlog", burst).received,
      peakRssMb,
      survived,
      drainSeconds,
    };
  } finally {
    await world.dispose();
  }
}
