import { writeFileSync } from "node:fs";
import { reportCsv, reportHtml } from "./compliance/report-render";
import { dayArgument, dayOffset, operatorConfig, parseFlags, runCommand, single, UsageError } from "./operator-cli";
import { BlobJournalReader } from "./storage/blob";
import { createTableStores } from "./storage/table/table-stores";
import { buildActivityReport } from "./record-checks";

/**
 * `npm run report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv <file>] [--html <file>]`: the activity
 * report (src/compliance/report-builder.ts) from the journal and the tables. Exit codes: 0 written,
 * 1 storage could not be read, 2 bad arguments or configuration.
 */
const USAGE = `usage: npm run report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv <file>] [--html <file>]

Computes, for the UTC days from --from to --to (default: the last 7 days, today included), from the
webhook journal and the tables: conversations per channel and per staff member, first-response and
median response times, conversations left unanswered, 24-hour windows that expired before a reply,
templates sent, policy blocks, opt-outs, failures by Meta error code, and replies kept in Teams counted
apart. CSV (metric,dimension,value) goes to stdout, or to --csv <file>; --html <file> writes a
self-contained page with charts (volume per day, response-time distribution).`;

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), { "--from": true, "--to": true, "--csv": true, "--html": true, "--help": false, "-h": false });
  if (flags.has("--help") || flags.has("-h")) {
    console.log(USAGE);
    return 0;
  }
  const now = Date.now();
  const toArg = single(flags, "--to");
  const fromArg = single(flags, "--from");
  const to = toArg === undefined ? dayOffset(now) : dayArgument("--to", toArg);
  const from = fromArg === undefined ? dayOffset(Date.parse(`${to}T00:00:00Z`), -6) : dayArgument("--from", fromArg);
  if (from > to) throw new UsageError("--from must not be after --to");
  const csvFile = single(flags, "--csv");
  const htmlFile = single(flags, "--html");
  if (csvFile === "" || htmlFile === "") throw new UsageError("--csv and --html need a file name");
  const { config, storage } = operatorConfig("report");

  const stores = await createTableStores(storage);
  const reader = new BlobJournalReader({ ...storage, container: config.reliability.journalContainer });
  const report = await buildActivityReport(reader, stores, { from, to, now, stopKeywords: config.bridge.consentKeywords.stop });
  if (htmlFile) writeFileSync(htmlFile, reportHtml(report));
  if (csvFile) writeFileSync(csvFile, reportCsv(report));
  else process.stdout.write(reportCsv(report));
  return 0;
}

runCommand("report", USAGE, main);
