import type { Row } from "./report";
import type { HistoryReport } from "./history";

const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The history section's lines: N against an empty history, side by side. */
export function historyRows(r: HistoryReport): Row[] {
  const { empty, seeded } = r.poll;
  const pollRatio = seeded.roundMs / empty.roundMs;
  const overFloor = { empty: empty.roundMs - empty.floorMs, seeded: seeded.roundMs - seeded.floorMs };
  const keyed = (k: typeof empty.keyed) => `${k.insertMs.toFixed(1)} / ${k.readMs.toFixed(1)} / ${k.mergeMs.toFixed(1)} / ${k.deleteMs.toFixed(1)} ms`;
  const rows: Row[] = [
    {
      name: `history: ${r.seed.rows.toLocaleString("en")} finished rows, ${r.seed.contacts.toLocaleString("en")} contacts (seeded in ${r.seed.seconds.toFixed(0)} s)`,
      ours: `${(r.seed.rows / r.seed.seconds).toFixed(0)} rows/s`,
      baseline: "templates + batches",
    },
    {
      name: "  Azurite RSS with N / with 0 rows; machine MemAvailable before / after seeding",
      ours: `${r.azuriteRssMb.seeded.toFixed(0)} / ${r.azuriteRssMb.empty.toFixed(0)} MB`,
      baseline: `${r.memAvailableMb.before.toFixed(0)} / ${r.memAvailableMb.after.toFixed(0)} MB`,
    },
    {
      name: `  poll round (inbox.oldest + outbox sweep + links), median of ${r.rounds}: N vs 0`,
      ours: ms(seeded.roundMs),
      baseline: ms(empty.roundMs),
      ratio: pollRatio,
      target: "≤ 1.2",
      met: pollRatio <= 1.2,
    },
    {
      name: "    inbox / outbox / links parts with N (with 0)",
      ours: `${seeded.inboxMs.toFixed(0)} / ${seeded.outboxMs.toFixed(0)} / ${seeded.linksMs.toFixed(0)} ms`,
      baseline: `${empty.inboxMs.toFixed(0)} / ${empty.outboxMs.toFixed(0)} / ${empty.linksMs.toFixed(0)} ms`,
    },
    {
      name: "  Azurite's floor: the round's queries on empty partitions, N vs 0",
      ours: ms(seeded.floorMs),
      baseline: ms(empty.floorMs),
      ratio: seeded.floorMs / empty.floorMs,
    },
    { name: "  poll round above that floor, N vs 0", ours: ms(overFloor.seeded), baseline: ms(overFloor.empty) },
    {
      name: "  one round's requests / bytes returned, N vs 0; requests not keyed",
      ours: `${seeded.requests} / ${seeded.responseBytes} B`,
      baseline: `${empty.requests} / ${empty.responseBytes} B`,
      target: "same; 0 scans",
      met: seeded.requests === empty.requests && seeded.responseBytes === empty.responseBytes && seeded.scans.length + empty.scans.length === 0,
    },
    { name: "  Azurite keyed insert / read / merge / delete in the inbox, N vs 0", ours: keyed(seeded.keyed), baseline: keyed(empty.keyed) },
  ];
  for (const burst of r.e2e) {
    const rate = burst.seeded.requestsPerSecond / burst.empty.requestsPerSecond;
    const tail = (b: typeof burst.empty) => `${b.lost} / ${b.duplicated}; ${b.throttled.thread} / ${b.throttled.tenant}; ${b.seconds.toFixed(0)} s`;
    rows.push(
      {
        name: `  end to end: ${burst.seeded.messages} messages, Teams limits, ${burst.label}: N vs 0`,
        ours: `${burst.seeded.requestsPerSecond.toFixed(1)} req/s`,
        baseline: `${burst.empty.requestsPerSecond.toFixed(1)} req/s`,
        ratio: rate,
        target: "≥ 0.9",
        met: rate >= 0.9,
      },
      { name: "    lost / duplicated; 429s (thread / tenant); drained in", ours: tail(burst.seeded), baseline: tail(burst.empty) },
    );
  }
  return rows;
}
