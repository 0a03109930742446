import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { CURRENT_SECRET, DAY1, DAY2, john, maria, OLD_SECRET, writeJournalWorld } from "../../support/journal-world";
import { runOperatorCommand } from "./operator-command";

describe("npm run verify (the command, against a journal on Azurite)", function () {
  this.timeout(90_000);
  let connectionString: string;

  /** A fresh journal of two days and two writers in a container of its own. */
  async function world() {
    ({ connectionString } = await getAzurite());
    const container = `${uniqueTablePrefix("verify")}-j`;
    const refs = await writeJournalWorld(connectionString, container);
    const blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
    const verify = (...args: string[]) =>
      runOperatorCommand("verify", args, {
        AZURE_STORAGE_CONNECTION_STRING: connectionString,
        JOURNAL_CONTAINER: container,
        WHATSAPP_APP_SECRET: CURRENT_SECRET,
      });
    return {
      container,
      blobs,
      verify,
      segmentsA: refs.refsA.map((r) => r.slice(0, r.indexOf("#"))),
      segmentsB: refs.refsB.map((r) => r.slice(0, r.indexOf("#"))),
    };
  }

  function assertNothingSecret(output: string): void {
    for (const secret of [CURRENT_SECRET, OLD_SECRET, maria.phone, john.phone]) assert.ok(!output.includes(secret), `printed ${secret.slice(0, 6)}…`);
  }

  it("passes on inbound deliveries and outbound, status and internal records over two days and two writers; says which secret verified each segment", async () => {
    const w = await world();
    const run = await w.verify("--from", DAY1, "--to", DAY2, "--secret", OLD_SECRET);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /segments: {3}14 \(2 writer\(s\)\), manifests: 4/);
    assert.match(run.stdout, /entries: {4}14 — 8 inbound deliveries, 3 outbound, 2 status, 1 internal/);
    assert.match(run.stdout, /first\/last: 2026-05-10T09:00:01\.000Z \/ 2026-05-11T11:31:00\.000Z/);
    assert.match(run.stdout, /signatures: 2 by --secret #1, 6 by WHATSAPP_APP_SECRET; 0 failed/);
    // Writer B's first day was signed with the rotated secret: its two segments say so.
    assert.match(
      run.stdout,
      new RegExp(`  ${w.segmentsB[0]!.replace(/\./g, "\\.")} … ${w.segmentsB[1]!.slice(19).replace(/\./g, "\\.")} \\(2 segments\\): --secret #1\\n`),
    );
    assert.match(run.stdout, new RegExp(`  ${w.segmentsA[1]!.replace(/\./g, "\\.")} … .* \\(2 segments\\): no signed delivery\\n`));
    assert.match(run.stdout, /Chain breaks and failures: 0\n\nResult: INTACT/);
    assert.doesNotMatch(run.stdout, /Not sealed/);
    assertNothingSecret(run.stdout + run.stderr);
    const all = await w.verify("--secret", OLD_SECRET);
    assert.equal(all.code, 0, "by default, from the first day of the journal to today");
    assert.match(all.stdout, new RegExp(`of ${w.container}, ${DAY1} to \\d{4}-\\d{2}-\\d{2}\\n`));
  });

  it("without the rotated secret, the deliveries it signed fail (exit 1), each named", async () => {
    const w = await world();
    const run = await w.verify("--from", DAY1, "--to", DAY2);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /signatures: 6 by WHATSAPP_APP_SECRET; 2 failed/);
    assert.match(run.stdout, new RegExp(`SIGNATURE ${w.segmentsB[0]!.replace(/\./g, "\\.")}#1: no given app secret verifies`));
    assert.match(run.stdout, new RegExp(`SIGNATURE ${w.segmentsB[1]!.replace(/\./g, "\\.")}#1: `));
    assert.match(run.stdout, /\(2 segments\): NO GIVEN SECRET\n/);
    assert.match(run.stdout, /Result: FAILED/);
    assertNothingSecret(run.stdout + run.stderr);
  });

  it("one altered stored body fails, naming the line and the segment", async () => {
    const w = await world();
    const name = w.segmentsA[3]!;
    const lines = (await w.blobs.getBlobClient(name).downloadToBuffer()).toString("utf8").split("\n");
    const line = JSON.parse(lines[1]!) as { body: string };
    line.body = Buffer.from(Buffer.from(line.body, "base64").toString("utf8").replace("What arrived", "What arrivad")).toString("base64");
    lines[1] = JSON.stringify(line);
    const altered = lines.join("\n");
    await w.blobs.getBlockBlobClient(name).upload(altered, Buffer.byteLength(altered));
    const run = await w.verify("--secret", OLD_SECRET, "--from", DAY1);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`ALTERED {3}${name.replace(/\./g, "\\.")}#1: the body does not match the SHA-256 kept with it`));
    assert.match(
      run.stdout,
      new RegExp(
        `ALTERED {3}${name.replace(/\./g, "\\.")}: does not match the SHA-256 that ${w.segmentsA[4]!.replace(/\./g, "\\.")} names; does not match the SHA-256 that journal/2026/05/10/manifest-web0\\.boot1-1\\.json lists`,
      ),
    );
    assert.match(run.stdout, /Result: FAILED/);
  });

  it("one deleted segment fails, naming it", async () => {
    const w = await world();
    const name = w.segmentsB[1]!;
    await w.blobs.deleteBlob(name);
    const run = await w.verify("--secret", OLD_SECRET, "--from", DAY1, "--to", DAY2);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      new RegExp(
        `MISSING {3}${name.replace(/\./g, "\\.")}: named by ${w.segmentsB[2]!.replace(/\./g, "\\.")} as segment 2 of writer web1\\.boot1; listed by journal/2026/05/10/manifest-web1\\.boot1-1\\.json`,
      ),
    );
  });

  it("one inserted segment fails, naming it (a second claimant of a place in the chain, or one after the writer's final manifest)", async () => {
    const w = await world();
    const first = w.segmentsA[0]!;
    const firstBytes = await w.blobs.getBlobClient(first).downloadToBuffer();
    const { createHash } = await import("node:crypto");
    const forged = (seq: number, prev: { name: string; sha256: string }, day: string) =>
      [
        JSON.stringify({ kind: "segment", v: 1, writer: "web0.boot1", seq, prev }),
        JSON.stringify({
          kind: "record",
          record: {
            kind: "internal",
            at: Date.parse(`${day}T12:00:00Z`),
            conversation: "x",
            teamsMessageId: "1",
            author: { aadObjectId: "a", name: "Mallory" },
            why: "note",
          },
        }),
      ].join("\n") + "\n";
    const planted = `journal/${DAY1.replace(/-/g, "/")}/091500000-00000000000000ff.jsonl`;
    const content = forged(2, { name: first, sha256: createHash("sha256").update(firstBytes).digest("hex") }, DAY1);
    await w.blobs.getBlockBlobClient(planted).upload(content, content.length);
    const run = await w.verify("--secret", OLD_SECRET);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      new RegExp(
        `INSERTED {2}${planted.replace(/\./g, "\\.")}: claims to be segment 2 of writer web0\\.boot1, which ${w.segmentsA[1]!.replace(/\./g, "\\.")} is`,
      ),
    );

    const w2 = await world();
    const last = w2.segmentsA.at(-1)!;
    const lastBytes = await w2.blobs.getBlobClient(last).downloadToBuffer();
    const tail = `journal/${DAY2.replace(/-/g, "/")}/235900000-00000000000000ee.jsonl`;
    const tailContent = forged(10, { name: last, sha256: createHash("sha256").update(lastBytes).digest("hex") }, DAY2);
    await w2.blobs.getBlockBlobClient(tail).upload(tailContent, tailContent.length);
    const run2 = await w2.verify("--secret", OLD_SECRET);
    assert.equal(run2.code, 1);
    assert.match(run2.stdout, new RegExp(`INSERTED {2}${tail.replace(/\./g, "\\.")}: claims writer web0\\.boot1, whose final manifest ended it before`));
  });

  it("bad arguments exit 2 with the usage; unreachable storage exits 1 with one line", async () => {
    const bad = await runOperatorCommand("verify", ["--from", "2026-02-30"], { AZURE_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true" });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from needs a day as YYYY-MM-DD \(got 2026-02-30\)\n\nusage: npm run verify/);
    const dead = await runOperatorCommand("verify", [], {
      AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${"A".repeat(86)}==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;`,
    });
    assert.equal(dead.code, 1, dead.stderr);
    assert.match(dead.stderr, /^verify failed: storage\.unavailable: [^\n]*\n$/);
  });
});
