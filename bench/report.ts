/** One line of the benchmark report. */
export interface Row {
  readonly name: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio?: number;
  readonly target?: string;
  /** Whether the target was met (shown only with a target). */
  readonly met?: boolean;
}

const W = [64, 22, 18, 7, 16];

export function printTitle(machine: string): void {
  console.log(machine);
  console.log(["benchmark".padEnd(W[0]!), "ours".padStart(W[1]!), "baseline".padStart(W[2]!), "ratio".padStart(W[3]!), "  target"].join(" "));
}

export function printRow(row: Row): void {
  const ratio = row.ratio === undefined ? "" : row.ratio.toFixed(2);
  const target = row.target === undefined ? "" : `  ${row.target} ${row.met ? "met" : "NOT met"}`;
  console.log([row.name.padEnd(W[0]!), row.ours.padStart(W[1]!), row.baseline.padStart(W[2]!), ratio.padStart(W[3]!), target].join(" "));
}
