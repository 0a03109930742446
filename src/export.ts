import { existsSync, readdirSync } from "node:fs";
import { writeExport } from "./compliance/export-writer";
import { ProgressBar } from "./compliance/progress";
import { ContactFilter, timeline, type SourceEntry } from "./compliance/timeline";
import { dayArgument, dayOffset, operatorConfig, parseFlags, runCommand, single, UsageError } from "./operator-cli";
import { BlobJournalReader } from "./storage/blob";
import { createTableStores } from "./storage/table/table-stores";
import { decodeJournaledBody } from "./whatsapp/meta/journal-decode";

/**
 * `npm run export -- (--contact <number|user id|group id> | --all) [--from] [--to] --out <dir>`: the
 * record of one customer (or of everyone) from the journal, for a regulator, an auditor or a subject
 * access request (docs/data-and-compliance.md). Exit codes: 0 written, 1 storage could not be read,
 * 2 bad arguments or configuration.
 */
const USAGE = `usage: npm run export -- (--contact <number|user id|group id> | --all) [--from YYYY-MM-DD] [--to YYYY-MM-DD] --out <dir>

Reads the webhook journal from --from to --to (UTC days; default: its first day to today) and writes
into <dir> (new or empty): events.jsonl (one event per line: messages received, decoded from Meta's
signed bodies; messages sent; delivery states; replies kept in Teams; every field), one printable HTML
transcript per conversation (transcripts/), and manifest.json and SHA256SUMS with the SHA-256 of each
file. --contact takes a phone number (digits, + allowed), a WhatsApp user id (BSUID) or a group id.
Progress goes to stderr; the files hold personal data: keep them as the record they are.`;

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), {
    "--contact": true,
    "--all": false,
    "--from": true,
    "--to": true,
    "--out": true,
    "--help": false,
    "-h": false,
  });
  if (flags.has("--help") || flags.has("-h")) {
    console.log(USAGE);
    return 0;
  }
  const contact = single(flags, "--contact");
  if ((contact === undefined) === !flags.has("--all")) throw new UsageError("give either --contact <number|user id|group id> or --all");
  if (contact !== undefined && contact.trim().length < 3) throw new UsageError("--contact needs a phone number, a user id or a group id");
  const out = single(flags, "--out");
  if (!out) throw new UsageError("--out <dir> is required");
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--out ${out} is not empty: an export never overwrites`);
  const fromArg = single(flags, "--from");
  const toArg = single(flags, "--to");
  const to = toArg === undefined ? dayOffset(Date.now()) : dayArgument("--to", toArg);
  const { config, storage } = operatorConfig("export");
  // What the tables know of the contact (a number's BSUID, its conversations) finds events keyed by either.
  const seed = contact === undefined ? undefined : await (await createTableStores(storage)).findContact(contact);
  const reader = new BlobJournalReader({ ...storage, container: config.reliability.journalContainer });
  const from = fromArg === undefined ? ((await reader.days())[0] ?? to) : dayArgument("--from", fromArg);
  if (from > to) throw new UsageError("--from must not be after --to");

  const reading = new ProgressBar(process.stderr, "reading the journal ");
  let read = 0;
  const source = async function* (): AsyncGenerator<SourceEntry> {
    for await (const entry of reader.entries(from, to, (done, total) => reading.update(done, total, `${read} entries`))) {
      read++;
      yield entry.kind === "delivery"
        ? { kind: "delivery", ref: entry.ref, receivedAt: entry.receivedAt, body: entry.body }
        : { kind: "record", ref: entry.ref, record: entry.record };
    }
    reading.done(`${read} entries`);
  };
  const summary = await writeExport(
    timeline(source(), (body, receivedAt) => decodeJournaledBody(body, receivedAt).events),
    {
      outDir: out,
      ...(contact === undefined ? {} : { filter: new ContactFilter(contact, seed) }),
      request: { ...(contact === undefined ? {} : { contact }), from, to, container: reader.containerName },
      generatedAt: Date.now(),
      progress: new ProgressBar(process.stderr, "writing transcripts "),
    },
  );
  const manifest = summary.files.find((f) => f.name === "manifest.json")!;
  process.stdout.write(
    `Exported ${summary.events} event(s) of ${summary.conversations} conversation(s), ${from} to ${to}, into ${out}\n` +
      `  events.jsonl, ${summary.conversations} transcript(s), manifest.json (SHA-256 ${manifest.sha256}), SHA256SUMS\n`,
  );
  return 0;
}

runCommand("export", USAGE, main);
