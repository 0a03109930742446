import { dayArgument, dayOffset, operatorConfig, parseFlags, runCommand, single, UsageError } from "./operator-cli";
import { BlobJournalReader, verifyJournal, type Break, type VerifyReport } from "./storage/blob";
import { verifySignature } from "./whatsapp/meta/signature";

/**
 * `npm run verify -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--secret <earlier app secret>]...`: proves
 * the journal (docs/data-and-compliance.md). Exit codes: 0 intact, 1 a break or a signature failure (or
 * storage could not be read), 2 bad arguments or configuration.
 */
const USAGE = `usage: npm run verify -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--secret <earlier app secret>]...

Reads every segment and manifest of the webhook journal from --from to --to (UTC days; default: the
first day in the journal to today) and checks that nothing is missing, altered or inserted: each line
against its SHA-256, each segment against the one its successor names, each manifest's list, each
manifest against the one it names. Prints each day's seal (the SHA-256 of its manifests, as the
compliance channel's daily post shows it). Every received webhook body is checked against its
X-Hub-Signature-256 with WHATSAPP_APP_SECRET and each --secret given (app secrets used before a
rotation); the report says which one verified each segment. Exit code 1 on any break or failure.`;

const CURRENT = "WHATSAPP_APP_SECRET";

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), { "--from": true, "--to": true, "--secret": true, "--help": false, "-h": false });
  if (flags.has("--help") || flags.has("-h")) {
    console.log(USAGE);
    return 0;
  }
  const fromArg = single(flags, "--from");
  const toArg = single(flags, "--to");
  const from = fromArg === undefined ? undefined : dayArgument("--from", fromArg);
  const to = toArg === undefined ? dayOffset(Date.now()) : dayArgument("--to", toArg);
  if (from !== undefined && from > to) throw new UsageError("--from must not be after --to");
  const earlier = flags.get("--secret") ?? [];
  if (earlier.some((s) => s.length === 0)) throw new UsageError("--secret needs a value");
  const { config, storage } = operatorConfig("verify");
  const secrets: Array<[string, string]> = [[CURRENT, config.whatsapp.appSecret], ...earlier.map((s, i): [string, string] => [`--secret #${i + 1}`, s])];
  const reader = new BlobJournalReader({ ...storage, container: config.reliability.journalContainer });
  const first = from ?? (await reader.days())[0] ?? to;
  const report = await verifyJournal(reader, { from: first, to }, (body, header) => secrets.find(([, secret]) => verifySignature(body, header, secret))?.[0]);
  process.stdout.write(render(report, reader.containerName));
  return report.breaks.length > 0 ? 1 : 0;
}

const iso = (at: number | undefined) => (at === undefined ? "-" : new Date(at).toISOString());

/** The report as text: a summary, the segments by secret, then every break (none prints a secret or a number). */
function render(report: VerifyReport, container: string): string {
  const out: string[] = [];
  const e = report.entries;
  out.push(`Journal verification of ${container}, ${report.from} to ${report.to}`);
  out.push(
    `  segments:   ${report.segments} (${report.writers} writer(s)${report.legacySegments ? `, ${report.legacySegments} from before the chain` : ""}), manifests: ${report.manifests}`,
  );
  out.push(
    `  entries:    ${e.delivery + e.outbound + e.status + e.internal} — ${e.delivery} inbound deliveries, ${e.outbound} outbound, ${e.status} status, ${e.internal} internal`,
  );
  out.push(`  first/last: ${iso(report.first)} / ${iso(report.last)}`);
  const verified = report.signatures.verifiedBy.map(([label, n]) => `${n} by ${label}`).join(", ") || "none";
  out.push(`  signatures: ${verified}; ${report.signatures.failed} failed`);
  if (report.secretRuns.length > 0) {
    out.push("", "Segments and the secret that verified them:");
    for (const run of report.secretRuns) {
      out.push(
        run.count === 1
          ? `  ${run.first}: ${run.secrets}`
          : `  ${run.first} … ${run.last.slice(run.last.lastIndexOf("/") + 1)} (${run.count} segments): ${run.secrets}`,
      );
    }
  }
  if (report.unsealed.length > 0) {
    out.push("", "Not sealed yet (the writer is still running, or ended without sealing; a removal of its last segments could not be seen):");
    for (const u of report.unsealed) out.push(`  writer ${u.writer}: ${u.segments} segment(s) on ${u.days.join(", ")}`);
  }
  if (report.days.length > 0) {
    out.push("", "Day seals, from the manifests as stored (each must equal the SHA-256 posted for its day in the compliance channel):");
    for (const d of report.days) out.push(`  ${d.day}  ${d.sha256}  (${d.manifests} manifest${d.manifests === 1 ? "" : "s"})`);
  }
  if (report.notes.length > 0) out.push("", "Notes:", ...report.notes.map((n) => `  ${n}`));
  const breaks = groupBreaks(report.breaks);
  out.push("", `Chain breaks and failures: ${breaks.length}`);
  for (const b of breaks) out.push(`  ${b.kind.toUpperCase().padEnd(9)} ${b.what}: ${b.detail}`);
  out.push(
    "",
    report.breaks.length === 0
      ? "Result: INTACT — nothing missing, altered or inserted; every delivery signed by a given app secret."
      : "Result: FAILED — the journal does not prove itself (see the breaks above).",
  );
  return `${out.join("\n")}\n`;
}

/** One line per blob and kind: a removed segment is named by its successor and by its manifest. */
function groupBreaks(breaks: readonly Break[]): Break[] {
  const grouped = new Map<string, Break>();
  for (const b of breaks) {
    const key = `${b.kind}\u0000${b.what}`;
    const seen = grouped.get(key);
    grouped.set(key, seen ? { ...seen, detail: `${seen.detail}; ${b.detail}` } : b);
  }
  return [...grouped.values()];
}

runCommand("verify", USAGE, main);
