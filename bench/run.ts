/**
 * Benchmarks that report ratios measured side by side in one run (a report, not a pass/fail test: the
 * machines are shared and noisy, so absolute numbers mean little). `npm run bench` runs everything (a
 * few minutes); `npm run bench -- micro ingest e2e memory` picks sections.
 *
 * - micro: webhook intake against HMAC + JSON.parse and against whatsapp-api-js; core cost per message.
 * - ingest: webhooks acknowledged per second at concurrency 50 against raw createEntity on the same Azurite.
 * - e2e: the 5,000-message burst through to the Bot Connector stand-in with Teams' limits enforced.
 * - memory: the bridge's RSS across 10 bursts.
 * - backlog: 20,000 messages while Teams admits 10 requests/s: peak RSS and survival (bounded memory).
 * - history: the poll round and the end-to-end rate with 0 and with 1,000,000 finished rows in the
 *   tables (HISTORY_ROWS, HISTORY_BURST=<contacts>x<per contact>, HISTORY_ROUNDS change the sizes).
 */
import { cpus, totalmem } from "node:os";
import { bridgeNodeFlags, endToEndBench, memoryGrowthBench } from "./end-to-end";
import { backlogBench } from "./backlog";
import { historyBench } from "./history";
import { historyRows } from "./history-rows";
import { ingestBench } from "./ingest";
import { coreCost, intakeVsLibrary, intakeVsMinimum } from "./micro";
import { printRow, printTitle, type Row } from "./report";

const SECTIONS = ["micro", "ingest", "e2e", "memory", "backlog", "history"] as const;
type Section = (typeof SECTIONS)[number];

async function run(section: Section): Promise<Row[]> {
  switch (section) {
    case "micro": {
      const minimum = await intakeVsMinimum();
      const library = await intakeVsLibrary();
      const core = await coreCost();
      return [
        {
          name: "webhook intake (verify+parse+validate+map) vs HMAC+JSON.parse",
          ours: `${minimum.ours.toFixed(0)}/s`,
          baseline: `${minimum.baseline.toFixed(0)}/s`,
          ratio: minimum.ratio,
        },
        {
          name: "webhook intake vs whatsapp-api-js 6.3.0 post(), same bodies",
          ours: `${library.ours.toFixed(0)}/s`,
          baseline: `${library.baseline.toFixed(0)}/s`,
          ratio: library.ratio,
          target: "≥ 1.0",
          met: library.ratio >= 1,
        },
        {
          name: "core: message through the core vs recording it (in memory)",
          ours: `${core.ours.toFixed(0)} msg/s`,
          baseline: `${core.baseline.toFixed(0)}/s`,
          ratio: core.ratio,
          target: "≥ 5,000 msg/s",
          met: core.ours >= 5_000,
        },
      ];
    }
    case "ingest": {
      const r = await ingestBench();
      return [
        {
          name: "ingest at concurrency 50 vs raw createEntity (same Azurite)",
          ours: `${r.ingest.perSecond.toFixed(0)}/s`,
          baseline: `${r.rawCreateEntity.perSecond.toFixed(0)}/s`,
          ratio: r.ratio,
          target: "≥ 0.7",
          met: r.ratio >= 0.7,
        },
        {
          name: "ingest acknowledgement latency p50 / p99",
          ours: `${r.ingest.p50Ms.toFixed(0)} / ${r.ingest.p99Ms.toFixed(0)} ms`,
          baseline: `${r.rawCreateEntity.p50Ms.toFixed(0)} / ${r.rawCreateEntity.p99Ms.toFixed(0)} ms`,
          target: "p99 ≤ 100 ms",
          met: r.ingest.p99Ms <= 100,
        },
      ];
    }
    case "e2e": {
      const r = await endToEndBench();
      return [
        {
          name: `end to end: ${r.messages} messages, Teams limits enforced`,
          ours: `${r.requestsPerSecond.toFixed(1)} req/s`,
          baseline: `${r.enforcedPerSecond}/s limit`,
          ratio: r.ratio,
          target: "≥ 0.9",
          met: r.ratio >= 0.9,
        },
        {
          name: "  429s caused by our own burst (thread / tenant)",
          ours: `${r.throttled.thread} / ${r.throttled.tenant}`,
          baseline: "",
          target: "0",
          met: r.throttled.thread + r.throttled.tenant === 0,
        },
        {
          name: "  lost / duplicated; burst drained in",
          ours: `${r.lost} / ${r.duplicated}`,
          baseline: `${r.seconds.toFixed(0)} s`,
          met: r.lost === 0 && r.duplicated === 0,
          target: "0 / 0",
        },
        {
          name: `  bridge peak RSS during the burst (idle after start); node ${bridgeNodeFlags()}`,
          ours: `${r.peakRssMb.toFixed(0)} MB`,
          baseline: `${r.idleRssMb.toFixed(0)} MB`,
          target: "≤ 250 MB",
          met: r.peakRssMb <= 250,
        },
      ];
    }
    case "memory": {
      const r = await memoryGrowthBench();
      return [
        {
          name: `memory: RSS after each of 10 bursts of 1,000 (node ${bridgeNodeFlags()})`,
          ours: r.rssAfterBurstMb.map((m) => m.toFixed(0)).join(" "),
          baseline: "MB",
          target: "no growth",
          met: r.growthPercent <= 10 && r.lost === 0 && r.survived,
        },
        {
          name: "  growth from burst 2 to burst 10; lost; still running",
          ours: `${r.growthPercent.toFixed(1)} %`,
          baseline: `${r.lost}; ${r.survived ? "yes" : "NO"}`,
          target: "≤ 10 %",
          met: r.growthPercent <= 10,
        },
      ];
    }
    case "backlog": {
      const r = await backlogBench();
      return [
        {
          name: `backlog: ${r.messages.toLocaleString("en")} messages while Teams admits 10/s (node ${bridgeNodeFlags()})`,
          ours: `${r.peakRssMb.toFixed(0)} MB`,
          baseline: "peak RSS",
          target: "no crash",
          met: r.survived,
        },
        {
          name: `  acknowledged; posted in the first ${r.drainSeconds} s of draining; still running`,
          ours: `${r.acknowledged}; ${r.posted}`,
          baseline: r.survived ? "yes" : "NO",
          met: r.survived && r.acknowledged === r.messages,
        },
      ];
    }
    case "history": {
      const [contacts, perContact] = (process.env.HISTORY_BURST ?? "200x5").split("x").map(Number);
      return historyRows(
        await historyBench({
          rows: Number(process.env.HISTORY_ROWS ?? 1_000_000),
          contacts: contacts!,
          perContact: perContact!,
          rounds: Number(process.env.HISTORY_ROUNDS ?? 15),
        }),
      );
    }
  }
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a): a is Section => (SECTIONS as readonly string[]).includes(a));
  const sections = asked.length > 0 ? asked : [...SECTIONS];
  const cpu = cpus();
  printTitle(`node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}`);
  for (const section of sections) {
    const started = Date.now();
    for (const row of await run(section)) printRow(row);
    console.log(`  (${section}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
