import { afterAllTests } from "../../support/root-hooks";
import type { Tally } from "./tally";

/** One row of the chaos table. */
export interface ChaosRow {
  readonly scenario: string;
  readonly tally: Tally;
  /** Longest time from a fault (crash, outage) to the bridge posting again, ms; undefined: no discrete fault. */
  readonly maxRecoveryMs?: number;
  /** Anything else worth a line (429s seen, faults injected, …). */
  readonly notes?: string;
}

const rows: ChaosRow[] = [];

const COLUMNS = ["scenario", "sent", "received", "lost", "duplicated", "out of order", "max recovery"] as const;
const WIDTHS = [44, 7, 9, 6, 11, 13, 13];

function line(cells: readonly string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join(" ");
}

/** Prints the row at once (and keeps it for the summary printed by `printChaosTable`). */
export function reportChaos(row: ChaosRow): void {
  // The whole table once more after the run, so the rows sit together under mocha's output.
  if (rows.length === 0) afterAllTests(async () => printChaosTable());
  rows.push(row);
  const t = row.tally;
  const dup = t.duplicated === 0 ? "0" : `${t.duplicated} (${t.duplicatesFlagged} flagged)`;
  const recovery = row.maxRecoveryMs === undefined ? "-" : `${(row.maxRecoveryMs / 1000).toFixed(1)} s`;
  console.log(`      ${line(COLUMNS)}`);
  console.log(`      ${line([row.scenario, String(t.sent), String(t.received), String(t.lost), dup, String(t.outOfOrder), recovery])}`);
  if (t.flags > 0) console.log(`      notices flagging a possible duplicate: ${t.flags}`);
  if (t.splitThreads > 0) console.log(`      contacts split over several threads: ${t.splitThreads}`);
  if (t.orderSample.length > 0) console.log(`      out of order (posting order, sample): ${t.orderSample.join("; ")}`);
  if (t.duplicateSample.length > 0) console.log(`      duplicated (sample): ${t.duplicateSample.join(", ")}`);
  if (t.lostSample.length > 0) console.log(`      lost (sample): ${t.lostSample.join(", ")}`);
  if (row.notes) console.log(`      ${row.notes}`);
}

/** All rows so far, as one table. */
export function printChaosTable(): void {
  if (rows.length === 0) return;
  console.log(`\nchaos summary (duplicated/flagged)\n${line(COLUMNS)}`);
  for (const row of rows) {
    const t = row.tally;
    console.log(
      line([
        row.scenario,
        String(t.sent),
        String(t.received),
        String(t.lost),
        `${t.duplicated}/${t.duplicatesFlagged}f`,
        String(t.outOfOrder),
        row.maxRecoveryMs === undefined ? "-" : `${(row.maxRecoveryMs / 1000).toFixed(1)} s`,
      ]),
    );
  }
}
