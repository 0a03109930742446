/**
 * The security suite's table: one row per adversarial case and per finding, with what the product must
 * do and what the test saw. `securityCase` declares a mocha test whose body returns its observation (built
 * from what it measured at run time); a failing test's row says so.
 */

interface Row {
  readonly id: string;
  readonly expected: string;
  observed: string;
}

const rows: Row[] = [];

/** One test: `body` asserts the outcome and the absence of side effects, and describes what it saw. */
export function securityCase(id: string, title: string, expected: string, body: () => Promise<string>): void {
  const row: Row = { id, expected, observed: "not run" };
  rows.push(row);
  it(`${id}: ${title}`, async function () {
    try {
      row.observed = await body();
    } catch (err) {
      row.observed = `TEST FAILED: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`;
      throw err;
    }
  });
}

/** Cases first (by number), then findings (F1, F2, … with F6b after F6). */
function ordered(): Row[] {
  const rank = (id: string) => {
    const finding = /^F(\d+)(b?)$/.exec(id);
    return /^\d+$/.test(id) ? Number(id) : finding ? 1_000 + Number(finding[1]) * 2 + (finding[2] ? 1 : 0) : 10_000;
  };
  return [...rows].sort((a, b) => rank(a.id) - rank(b.id));
}

/** The table as Markdown, widths following the longest cell (cells are single lines). */
export function casebookTable(): string {
  const header = ["case", "expected", "observed"];
  const body = ordered().map((r) => [r.id, r.expected, r.observed].map((c) => c.replace(/\|/g, "/").replace(/\s+/g, " ")));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

/** How many rows were run and passed (observed not failed or not run). */
export function casebookCounts(): { rows: number; passed: number } {
  return { rows: rows.length, passed: rows.filter((r) => !r.observed.startsWith("TEST FAILED") && r.observed !== "not run").length };
}
