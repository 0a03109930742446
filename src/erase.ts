import { maskId } from "./core/ids";
import { LocalMediaStore } from "./media";
import { operatorConfig, parseFlags, runCommand, single, UsageError } from "./operator-cli";
import { createTableStores } from "./storage/table/table-stores";

/**
 * `npm run erase -- --contact <id> [--dry-run]`: removes a customer's personal data from the bridge's own
 * storage, and says what it cannot remove and why (docs/data-and-compliance.md, "Erasure"). Exit codes:
 * 0 done, 1 storage could not be read, 2 bad arguments or configuration.
 */
const USAGE = `usage: npm run erase -- --contact <number|user id|group id|conversation key> [--dry-run]

Removes the contact's personal data from the bridge's own tables (their conversations, the thread index
and message map rows of those conversations, their inbox entries and outbox rows) and the bridge's own
copies of their media files (local media store), then lists what it cannot remove, and why: the
webhook journal (immutable, the firm's record), Teams and SharePoint (the tenant's record, under its
retention policies), Meta. --dry-run counts without removing anything.`;

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), { "--contact": true, "--dry-run": false, "--help": false, "-h": false });
  if (flags.has("--help") || flags.has("-h")) {
    console.log(USAGE);
    return 0;
  }
  const contact = single(flags, "--contact")?.trim();
  if (!contact) throw new UsageError("--contact <number|user id|group id|conversation key> is required");
  if (contact.replace(/[\s+().-]/g, "").length < 6) throw new UsageError("--contact is too short to name one person");
  const dryRun = flags.has("--dry-run");
  const { config, storage } = operatorConfig("erase");
  const stores = await createTableStores(storage);
  if ((await stores.links.list()).some((link) => link.business === contact || link.displayNumber?.replace(/\D/g, "") === contact.replace(/\D/g, ""))) {
    throw new UsageError("--contact names one of the bridge's own business numbers, not a customer");
  }
  const report = await stores.eraseContact(contact, { dryRun });
  const media =
    config.media.kind === "local"
      ? await new LocalMediaStore({ directory: config.media.directory, publicBaseUrl: () => "" }).eraseConversations(report.conversations, dryRun)
      : undefined;

  const r = report.removed;
  const out: string[] = [];
  // A number as typed (`+55 11 98765-4321`) is masked as digits: groups of four would show through.
  const digits = contact.replace(/[\s+().-]/g, "");
  const shown = maskId(/^\d+$/.test(digits) ? digits : contact);
  out.push(`${dryRun ? "Would erase" : "Erased"} the personal data of ${shown} from the bridge's own storage: ${report.conversations.length} conversation(s)`);
  out.push(
    `  conversations ${r.conversations}, thread index ${r.threads}, message map ${r.messages}, inbox ${r.inbox}, outbox ${r.outbox}, media files ${media ?? "- (kept in SharePoint, see below)"}`,
  );
  if (report.mentions.length > 0) {
    out.push("", "Still named in rows kept (other people's records that mention this contact, e.g. a group's or a message quoting the number):");
    for (const m of report.mentions) out.push(`  ${m.table}: ${m.rows} row(s)`);
  }
  out.push("", "Not removed by the bridge, and why:");
  out.push(
    `  - The webhook journal (container ${config.reliability.journalContainer}): the signed originals of what was received and the records of what was sent. It is the firm's record (SEC 17a-4, FINRA 4511, FCA SYSC 10A): write-once by design, kept for its retention period and then deleted by the storage's lifecycle, not by this command.`,
  );
  out.push(
    "  - Teams: the thread posts and staff replies are the tenant's record, governed by Microsoft Purview retention policies; an administrator removes them there (or Purview's own subject-request tools), if the firm's record-keeping duty allows.",
  );
  out.push(
    config.media.kind === "sharepoint"
      ? "  - Media files in SharePoint (the channel's files): the tenant's, under its retention policies; remove them in SharePoint."
      : "  - Media files already shared into Teams or downloaded by staff: the tenant's.",
  );
  out.push("  - Meta: WhatsApp's own copies are Meta's (WhatsApp keeps message content for up to 30 days; media ids expire).");
  out.push("  - Exports already made with npm run export: wherever they were handed over.");
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}

runCommand("erase", USAGE, main);
