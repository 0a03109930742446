import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { writeBulkJournal } from "../../support/bulk-journal";
import { runOperatorCommand } from "./operator-command";

/**
 * The export streams: memory does not grow with the journal. EXPORT_EVENTS sets the size (default
 * 100 000, the size asked of it); the command runs with the limits `npm run export` gives it (a 128 MB
 * heap, and an 8 MB young generation: Node 24's larger default adds some 140 MB of resident memory that
 * is never used for more than garbage) and its peak resident set size, read from /proc, must stay under
 * 200 MB.
 */
const EVENTS = Number(process.env.EXPORT_EVENTS ?? 100_000);

describe(`npm run export -- --all on a journal of ${EVENTS} events`, function () {
  this.timeout(300_000);
  let out: string;
  after(() => out && rmSync(out, { recursive: true, force: true }));

  it("stays under 200 MB of resident memory and writes every event", async () => {
    const { connectionString } = await getAzurite();
    const container = `${uniqueTablePrefix("bulk")}-j`;
    const started = Date.now();
    const written = await writeBulkJournal(connectionString, container, { events: EVENTS, contacts: 500, start: Date.UTC(2026, 2, 1) });
    const wroteMs = Date.now() - started;
    out = join(mkdtempSync(join(tmpdir(), "export-bulk-")), "out");
    const run = await runOperatorCommand(
      "export",
      ["--all", "--from", "2026-03-01", "--to", "2026-03-31", "--out", out],
      { AZURE_STORAGE_CONNECTION_STRING: connectionString, JOURNAL_CONTAINER: container },
      (process.env.EXPORT_NODE_ARGS ?? "--max-old-space-size=128 --max-semi-space-size=8").split(" ").filter(Boolean),
    );
    const exportMs = Date.now() - started - wroteMs;
    assert.equal(run.code, 0, run.stderr);
    const lines = readFileSync(join(out, "events.jsonl"), "utf8").split("\n").filter(Boolean).length;
    assert.equal(lines, written.events);
    assert.match(run.stdout, new RegExp(`Exported ${EVENTS} event\\(s\\) of 500 conversation\\(s\\)`));
    assert.ok(run.peakRssBytes > 0, "the command's peak RSS was read from /proc");
    const mb = (run.peakRssBytes / 1024 / 1024).toFixed(1);
    console.log(
      `      ${EVENTS} events: journal written in ${(wroteMs / 1000).toFixed(1)} s, exported in ${(exportMs / 1000).toFixed(1)} s, peak RSS ${mb} MB, events.jsonl ${(statSync(join(out, "events.jsonl")).size / 1e6).toFixed(1)} MB`,
    );
    assert.ok(run.peakRssBytes < 200 * 1024 * 1024, `peak RSS ${mb} MB`);
  });
});
