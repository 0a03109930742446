/**
 * History: does the bridge slow down as finished work piles up? Two worlds side by side in one run, each
 * with its own Azurite (in memory): one with an empty history, one with about `rows` finished rows
 * (history-seed.ts). Both get the same template contacts written through the ports, so both list the
 * same ten business numbers. Measured on both:
 * - the leader's poll round as the bridge runs it: `inbox.oldest(["pending"], 2,000)` (the poll), the
 *   outbox sweep's `outbox.list(["queued", "sending"])`, and the link probe's `links.list()` (made only
 *   while a link is suspended; counted here every round), in alternating rounds, medians;
 * - Azurite's floor for the same round: as many queries on the same tables, each of a partition that
 *   holds nothing. Azurite evaluates every query by testing each row of the table (its LokiJS store runs
 *   `where(predicate)` over the collection), so its time per query grows with the table whatever the
 *   filter; Azure Table storage serves a query of one partition from its key index;
 * - the requests one poll round makes and the bytes they return, through the recording proxy of the
 *   access-pattern test, each judged keyed or not;
 * - Azurite's keyed insert, read, Merge and delete in a number's inbox partition;
 * - the end-to-end drain of a burst (bench/end-to-end.ts) through the bridge as a child process, with
 *   the poll every second (as the e2e section) and every five (its default), new contacts each time.
 */
import { readdir, readFile } from "node:fs/promises";
import { TableClient } from "@azure/data-tables";
import { TableStores } from "../src/storage/table/table-stores";
import type { ChaosWorld } from "../tests/chaos/support/chaos-world";
import { chaosChannelOf } from "../tests/chaos/support/workload";
import { judge, scansAmong } from "../tests/support/table-access-pattern";
import { TableRequestRecorder } from "../tests/support/table-request-recorder";
import { drainBurst, limitedWorld, type EndToEndReport } from "./end-to-end";
import { floorRound, keyedRound, type WriteCosts } from "./history-floor";
import { seedHistory, writeTemplates, type SeedResult } from "./history-seed";
import { rssOf } from "./load";

/** INBOX_MAX_IN_MEMORY's default: how many entries the poll loads at most. */
const MAX_IN_MEMORY = 2_000;
const PREFIX = "bridge";
/** Azurite holds every row in its V8 heap: room for a million of them. */
const AZURITE_HEAP_MB = 8_192;

export interface PollFigures {
  /** Median ms of the whole round and of its parts. */
  readonly roundMs: number;
  readonly inboxMs: number;
  readonly outboxMs: number;
  readonly linksMs: number;
  /** Median ms of Azurite's floor: the same number of queries on the same tables, of empty partitions. */
  readonly floorMs: number;
  /** One round through the recording proxy. */
  readonly requests: number;
  readonly responseBytes: number;
  readonly scans: readonly string[];
  /** Medians of Azurite's keyed insert, read, Merge and delete in a number's inbox partition. */
  readonly keyed: WriteCosts;
}

/** One burst setting, drained by an empty-history and a long-history bridge in turn. */
export interface BurstComparison {
  readonly label: string;
  readonly empty: Omit<EndToEndReport, "idleRssMb">;
  readonly seeded: Omit<EndToEndReport, "idleRssMb">;
}

/** The poll as in the e2e section (the chaos worlds poll every second), and at its default. */
const BURST_SETTINGS: ReadonlyArray<{ readonly label: string; readonly env: Readonly<Record<string, string>> }> = [
  { label: "poll 1 s (as e2e)", env: {} },
  { label: "poll 5 s (its default)", env: { INBOX_POLL_SECONDS: "5" } },
];

export interface HistoryReport {
  readonly seed: SeedResult;
  readonly azuriteRssMb: { readonly empty: number; readonly seeded: number };
  readonly memAvailableMb: { readonly before: number; readonly after: number };
  readonly rounds: number;
  readonly poll: { readonly empty: PollFigures; readonly seeded: PollFigures };
  readonly e2e: readonly BurstComparison[];
}

export async function historyBench(options: { rows: number; contacts: number; perContact: number; rounds: number }): Promise<HistoryReport> {
  const memBefore = await memAvailableMb();
  const worlds = await startWorlds();
  const [empty, seeded] = worlds;
  try {
    const businesses = empty.businesses.map((b) => b.phoneNumberId);
    const channelOf = (id: string) => chaosChannelOf(empty.businesses.find((b) => b.phoneNumberId === id)!);
    for (const world of worlds) await writeTemplates(storesOf(world.azurite.connectionString), businesses, channelOf);
    const seed = await seedHistory(seeded.azurite.connectionString, PREFIX, businesses, channelOf, options.rows);
    console.log(
      `  (history: ${seed.rows.toLocaleString("en")} rows seeded in ${seed.seconds.toFixed(0)} s: ${Object.entries(seed.perTable)
        .map(([t, n]) => `${t} ${n.toLocaleString("en")}`)
        .join(", ")})`,
    );
    const azuriteRssMb = { empty: await azuriteRss(empty), seeded: await azuriteRss(seeded) };
    const memAfter = await memAvailableMb();

    const poll = await measurePolls(empty, seeded, businesses, options.rounds);
    // One bridge at a time: the other side's idle poll would take CPU from the burst. Each setting
    // brings new contacts (new threads), so that every burst does the same work.
    const e2e: BurstComparison[] = [];
    for (const [i, setting] of BURST_SETTINGS.entries()) {
      const from = i * options.contacts;
      const emptySide = await burst(empty, `hist0s${i}`, options, from, setting.env);
      const seededSide = await burst(seeded, `histNs${i}`, options, from, setting.env);
      e2e.push({ label: setting.label, empty: emptySide, seeded: seededSide });
    }
    return { seed, azuriteRssMb, memAvailableMb: { before: memBefore, after: memAfter }, rounds: options.rounds, poll, e2e };
  } finally {
    await Promise.all(worlds.map((w) => w.dispose()));
  }
}

/** Two worlds whose Azurites (children of this process) get a heap large enough for the history. */
async function startWorlds(): Promise<[ChaosWorld, ChaosWorld]> {
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${before ?? ""} --max-old-space-size=${AZURITE_HEAP_MB}`.trim();
  try {
    const empty = await limitedWorld({ azuriteInMemory: true });
    const seeded = await limitedWorld({ azuriteInMemory: true }).catch(async (err: unknown) => {
      await empty.dispose();
      throw err;
    });
    return [empty, seeded];
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
}

const storesOf = (connectionString: string) => new TableStores({ connectionString, tablePrefix: PREFIX });

async function burst(
  world: ChaosWorld,
  tag: string,
  options: { contacts: number; perContact: number },
  firstContact: number,
  env: Readonly<Record<string, string>>,
): Promise<Omit<EndToEndReport, "idleRssMb">> {
  await world.bridge.start(120_000, env);
  try {
    return await drainBurst(world, tag, options.contacts, options.perContact, firstContact);
  } finally {
    await world.bridge.terminate();
  }
}

interface RoundTimes {
  round: number;
  inbox: number;
  outbox: number;
  links: number;
}

/** What the leader's poll round reads (inbox-scheduler.ts `startPolling`, outbox-recovery.ts `sweepOutbox`, link-recovery.ts `probeAll`). */
async function pollRound(stores: TableStores): Promise<RoundTimes> {
  const t0 = performance.now();
  await stores.inbox.oldest(["pending"], MAX_IN_MEMORY);
  const t1 = performance.now();
  await stores.outbox.list(["queued", "sending"]);
  const t2 = performance.now();
  await stores.links.list();
  const t3 = performance.now();
  return { round: t3 - t0, inbox: t1 - t0, outbox: t2 - t1, links: t3 - t2 };
}

async function measurePolls(empty: ChaosWorld, seeded: ChaosWorld, businesses: readonly string[], rounds: number): Promise<HistoryReport["poll"]> {
  const numbers = businesses.length;
  const partition = businesses[Math.floor(numbers / 2)]!;
  const sides = [empty, seeded].map((world) => {
    const cs = world.azurite.connectionString;
    const client = (t: string) => TableClient.fromConnectionString(cs, `${PREFIX}${t}`, { allowInsecureConnection: true });
    return {
      world,
      stores: storesOf(cs),
      clients: { inbox: client("inbox"), outbox: client("outbox"), links: client("links") },
      times: [] as RoundTimes[],
      floors: [] as number[],
      keyed: [] as WriteCosts[],
    };
  });
  for (const side of sides) {
    await pollRound(side.stores);
    await floorRound(side.clients, numbers);
  }
  // Alternating, so that whatever else the machine does hits both sides alike.
  for (let r = 0; r < rounds; r++) {
    for (const side of sides) {
      side.times.push(await pollRound(side.stores));
      side.floors.push(await floorRound(side.clients, numbers));
      side.keyed.push(await keyedRound(side.clients.inbox, partition, r));
    }
  }
  const figures = async (side: (typeof sides)[number]): Promise<PollFigures> => {
    const recorder = await TableRequestRecorder.start(side.world.azurite.endpoints);
    try {
      await pollRound(storesOf(recorder.connectionString));
      const requests = recorder.requests;
      if (requests.some((r) => judge(r).kind === "create-table")) throw new Error("the poll round created a table");
      return {
        roundMs: median(side.times.map((t) => t.round)),
        inboxMs: median(side.times.map((t) => t.inbox)),
        outboxMs: median(side.times.map((t) => t.outbox)),
        linksMs: median(side.times.map((t) => t.links)),
        floorMs: median(side.floors),
        requests: requests.length,
        responseBytes: requests.reduce((sum, r) => sum + r.responseBytes, 0),
        scans: scansAmong(requests),
        keyed: {
          insertMs: median(side.keyed.map((k) => k.insertMs)),
          readMs: median(side.keyed.map((k) => k.readMs)),
          mergeMs: median(side.keyed.map((k) => k.mergeMs)),
          deleteMs: median(side.keyed.map((k) => k.deleteMs)),
        },
      };
    } finally {
      await recorder.close();
    }
  };
  return { empty: await figures(sides[0]!), seeded: await figures(sides[1]!) };
}

function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
}

/** RSS of a world's Azurite process (found by its table port in /proc; Linux only). */
async function azuriteRss(world: ChaosWorld): Promise<number> {
  const port = String(world.azurite.endpoints.tablePort);
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\u0000");
    const at = args.indexOf("--tablePort");
    if (at >= 0 && args[at + 1] === port) return (await rssOf(Number(entry)))?.rssMb ?? Number.NaN;
  }
  return Number.NaN;
}

async function memAvailableMb(): Promise<number> {
  const meminfo = await readFile("/proc/meminfo", "utf8").catch(() => "");
  return Number(/^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? Number.NaN) / 1024;
}
