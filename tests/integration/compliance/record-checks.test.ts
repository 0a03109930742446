import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { reportCsv } from "../../../src/compliance/report-render";
import type { PeriodEntry } from "../../../src/core/ports/record-checks";
import { JournalRecordChecks } from "../../../src/record-checks";
import { BlobJournalReader, createBlobWebhookJournal } from "../../../src/storage/blob";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { at, CURRENT_SECRET, DAY1, DAY2, writeJournalWorld } from "../../support/journal-world";
import { runOperatorCommand } from "./operator-command";

/**
 * What the compliance posts read (src/record-checks.ts), against the journal of two days and two writers
 * that the operator commands' tests use: the same facts as `npm run verify` and `npm run report`.
 */
describe("the record as the compliance channel reads it (journal on Azurite)", function () {
  this.timeout(90_000);
  let connectionString: string;
  let container: string;
  let checks: JournalRecordChecks;
  let prefix: string;

  before(async () => {
    ({ connectionString } = await getAzurite());
    prefix = uniqueTablePrefix("records");
    container = `${prefix.toLowerCase()}-j`;
    await writeJournalWorld(connectionString, container);
    // The default table names, as `npm run report` (compared with below) reads them.
    const tables = await createTableStores({ connectionString });
    checks = new JournalRecordChecks({
      reader: new BlobJournalReader({ connectionString, container }),
      tables,
      appSecret: CURRENT_SECRET,
      stopKeywords: ["STOP"],
    });
  });

  it("`npm run verify` prints each day's seal: the SHA-256 `dayManifest` gives, which the daily post shows", async () => {
    const journal = await createBlobWebhookJournal({
      connectionString,
      container,
      writer: { instance: "reader", bootId: "x" },
      now: () => at(DAY2, "23:00:00"),
    });
    const seals = await Promise.all([DAY1, DAY2].map(async (day) => (await journal.dayManifest(Date.parse(`${day}T12:00:00Z`)))!));
    const run = await runOperatorCommand("verify", ["--from", DAY1, "--to", DAY2, "--secret", "journal-world-rotated-app-secret"], {
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
      JOURNAL_CONTAINER: container,
      WHATSAPP_APP_SECRET: CURRENT_SECRET,
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const seal of seals) assert.ok(run.stdout.includes(`  ${seal.day}  ${seal.sha256}  (2 manifests)\n`), run.stdout);
    assert.notEqual(seals[0]!.sha256, seals[1]!.sha256);
  });

  it("gives each message received and each outbound record of a period, by receipt time", async () => {
    const entries: PeriodEntry[] = [];
    for await (const entry of checks.periodEntries(at(DAY1, "09:00:00"), at(DAY1, "10:00:30"))) entries.push(entry);
    const received = entries.flatMap((e) => (e.kind === "received" ? [e.message] : []));
    assert.deepEqual(
      received.map((m) => m.wamid),
      ["wamid.in.m1", "wamid.in.m2", "wamid.in.m3", "wamid.in.j1"],
      "messages, not statuses; 10:01 is past the end",
    );
    assert.ok(received.every((m) => m.key === `msg:${m.wamid}` && m.ref.startsWith(`journal/2026/05/10/`) && /#\d+$/.test(m.ref)));
    assert.deepEqual(
      entries.filter((e) => e.kind === "sent"),
      [{ kind: "sent", at: at(DAY1, "09:04:00"), business: received[0]!.business, wamids: 1, automatic: false }],
    );
    assert.deepEqual(
      entries.filter((e) => e.kind === "kept").map((e) => e.kind === "kept" && e.why),
      ["note"],
      "the reply kept in Teams, by its reason",
    );
    assert.deepEqual(
      entries.filter((e) => e.kind === "failed"),
      [],
      "a `sent` state is no failure",
    );
  });

  it("gives the failed delivery states of a period, with Meta's error code", async () => {
    const entries: PeriodEntry[] = [];
    for await (const entry of checks.periodEntries(at(DAY2, "11:00:00"), at(DAY2, "12:00:00"))) entries.push(entry);
    assert.deepEqual(
      entries.filter((e) => e.kind === "failed"),
      [{ kind: "failed", at: at(DAY2, "11:31:00"), errorCode: 131047 }],
    );
  });

  it("walks the chains as `npm run verify` does: intact, signatures of a rotated secret counted apart", async () => {
    const check = await checks.checkJournal(DAY1, DAY2);
    assert.deepEqual(
      { ...check, unsealed: [...check.unsealed] },
      { from: DAY1, to: DAY2, segments: 14, manifests: 4, entries: 14, intact: true, breaks: [], unsignedDeliveries: 2, unsealed: [] },
    );
    const blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
    const first = (await checks.periodEntries(at(DAY1, "09:00:00"), at(DAY1, "09:00:02"))[Symbol.asyncIterator]().next()).value as Extract<
      PeriodEntry,
      { kind: "received" }
    >;
    const segment = first.message.ref.slice(0, first.message.ref.indexOf("#"));
    const copy = await blobs.getBlobClient(segment).downloadToBuffer();
    await blobs.deleteBlob(segment);
    try {
      const broken = await checks.checkJournal(DAY1, DAY2);
      assert.equal(broken.intact, false);
      assert.ok(
        broken.breaks.some((b) => b.kind === "missing" && b.what === segment),
        JSON.stringify(broken.breaks),
      );
    } finally {
      await blobs.getBlockBlobClient(segment).uploadData(copy);
    }
  });

  it("the activity report is `npm run report`'s, figure for figure", async () => {
    const ours = reportCsv(await checks.activityReport(DAY1, DAY2, Date.now()));
    const run = await runOperatorCommand("report", ["--from", DAY1, "--to", DAY2], {
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
      JOURNAL_CONTAINER: container,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(ours, run.stdout);
    assert.match(ours, /customer_messages,all,\d+/);
  });
});
