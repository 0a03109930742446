/**
 * End to end through real processes: signed webhooks into the bridge (a child process), posts out to the
 * Bot Connector stand-in enforcing Teams' limits. Reports the posting rate against the enforced limit,
 * the 429s our own bursts caused, the bridge's peak RSS, and its RSS across repeated bursts.
 */
import { productionNodeFlags, sleep } from "../tests/chaos/support/bridge-process";
import { ChaosWorld, CHAOS_SECRET } from "../tests/chaos/support/chaos-world";
import { chaosBurst } from "../tests/chaos/support/workload";
import { rssOf, sampleRss } from "./load";

export interface EndToEndReport {
  readonly messages: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Bot Connector requests admitted (thread creations, posts, card updates) per second, first to last (plus one window). */
  readonly requestsPerSecond: number;
  /** The tenant limit the stand-in enforced (the ceiling when many threads are busy). */
  readonly enforcedPerSecond: number;
  readonly ratio: number;
  readonly throttled: { readonly thread: number; readonly tenant: number };
  /** Seconds from the first webhook to the last post. */
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly idleRssMb: number;
}

export const TENANT_LIMIT = 50;

/** A world whose Bot Connector stand-in enforces Teams' limits (`TENANT_LIMIT` per tenant), as in the e2e section. */
export function limitedWorld(extra: { readonly azuriteInMemory?: boolean } = {}): Promise<ChaosWorld> {
  return ChaosWorld.start({
    businesses: 10,
    connector: { limits: { tenantPerSecond: TENANT_LIMIT } },
    env: { LOG_LEVEL: "warn", TEAMS_TENANT_REQUESTS_PER_SECOND: String(TENANT_LIMIT) },
    ...extra,
  });
}

/** The 5,000-message burst (500 contacts × 10, over 10 linked numbers) with Teams' limits enforced. */
export async function endToEndBench(contacts = 500, perContact = 10): Promise<EndToEndReport> {
  const world = await limitedWorld();
  try {
    await world.bridge.start();
    const idle = await rssOf(world.bridge.pid!);
    const figures = await drainBurst(world, "e2e", contacts, perContact);
    return { ...figures, idleRssMb: idle?.rssMb ?? Number.NaN };
  } finally {
    await world.dispose();
  }
}

/**
 * Floods a started world's bridge with `contacts` × `perContact` messages and measures the drain to the
 * Bot Connector stand-in: its rate against the enforced limit, 429s, losses, the bridge's peak RSS.
 * Contacts are numbered from `firstContact`: a later burst with new contacts opens new threads again.
 */
export async function drainBurst(
  world: ChaosWorld,
  tag: string,
  contacts: number,
  perContact: number,
  firstContact = 0,
): Promise<Omit<EndToEndReport, "idleRssMb">> {
  const burst = chaosBurst({ tag, contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET, firstContact });
  const rss = sampleRss(world.bridge.pid!);
  const admittedBefore = world.connector.counters.throttle.admitted;
  const throttledBefore = { thread: world.connector.counters.throttle.throttledThread, tenant: world.connector.counters.throttle.throttledTenant };
  const started = Date.now();
  const admittedAt: number[] = [];
  const watcher = setInterval(() => admittedAt.push(world.connector.counters.throttle.admitted - admittedBefore), 100);
  await world.deliver(burst, "flood");
  const result = await world.settle(tag, burst, 600_000, 0);
  const seconds = (Date.now() - started) / 1000;
  clearInterval(watcher);
  // The kernel's high-water mark (VmHWM) catches a peak between two samples; it covers the whole
  // process life, start-up included, so it can only overstate the burst's peak.
  const peakRssMb = Math.max(rss.stop(), (await rssOf(world.bridge.pid!))?.peakMb ?? 0);
  const counters = world.connector.counters.throttle;
  const admitted = counters.admitted - admittedBefore;
  // Rate while posting: from the first admitted request to the last.
  const first = admittedAt.findIndex((n) => n > 0);
  const last = admittedAt.findIndex((n) => n === admitted);
  const activeSeconds = Math.max(0.1, ((last < 0 ? admittedAt.length : last) - Math.max(0, first)) / 10);
  // N requests spread over D seconds occupy windows covering D + 1 s: a sliding limit of L per second
  // admits at most L × (D + 1) of them, so this is the share of the limit used (at most 1).
  const requestsPerSecond = admitted / (activeSeconds + 1);
  return {
    messages: burst.length,
    lost: result.lost,
    duplicated: result.duplicated,
    requestsPerSecond,
    enforcedPerSecond: TENANT_LIMIT,
    ratio: requestsPerSecond / TENANT_LIMIT,
    throttled: { thread: counters.throttledThread - throttledBefore.thread, tenant: counters.throttledTenant - throttledBefore.tenant },
    seconds,
    peakRssMb,
  };
}

export interface GrowthReport {
  /** RSS (MB) of the bridge after each burst, once it was idle again. */
  readonly rssAfterBurstMb: readonly number[];
  /** Last against the second (the first burst also warms everything up), in percent. */
  readonly growthPercent: number;
  readonly lost: number;
  /** The bridge was still running after the last burst (no out-of-memory crash). */
  readonly survived: boolean;
}

/** The node flags every bridge of these benchmarks runs with: production's, from `npm start`. */
export const bridgeNodeFlags = (): string => productionNodeFlags().join(" ") || "(none)";

/**
 * Repeated bursts (same contacts, so threads exist) through one bridge process with Teams' limits lifted,
 * so the run stays short. The bridge runs as in production, with its V8 old-space cap (`npm start`):
 * live memory that keeps growing would show as rising RSS or an out-of-memory crash.
 */
export async function memoryGrowthBench(bursts = 10, contacts = 100, perContact = 10): Promise<GrowthReport> {
  const world = await ChaosWorld.start({
    businesses: 10,
    connector: { limits: { tenantPerSecond: 1_000 } },
    env: { LOG_LEVEL: "warn", TEAMS_TENANT_REQUESTS_PER_SECOND: "1000" },
  });
  try {
    await world.bridge.start();
    const after: number[] = [];
    let lost = 0;
    for (let b = 0; b < bursts; b++) {
      const tag = `mem${b}`;
      const burst = chaosBurst({ tag, contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET });
      await world.deliver(burst, "flood");
      lost += (await world.settle(tag, burst, 300_000, 0)).lost;
      await sleep(1_500);
      after.push((await rssOf(world.bridge.pid!))?.rssMb ?? Number.NaN);
      // Timestamps are whole seconds: the next burst's messages must come after this one's.
      await sleep(1_000);
    }
    const base = after[Math.min(1, after.length - 1)]!;
    return { rssAfterBurstMb: after, growthPercent: ((after.at(-1)! - base) / base) * 100, lost, survived: world.bridge.running };
  } finally {
    await world.dispose();
  }
}
