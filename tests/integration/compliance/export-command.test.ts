import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { DAY1, DAY2, IMAGE_SHA256, john, maria, writeJournalWorld } from "../../support/journal-world";
import { runOperatorCommand } from "./operator-command";

interface Line {
  type: string;
  at: string;
  ref: string;
  conversation?: string;
  event?: { type: string; id?: string };
  record?: { kind: string };
}

describe("npm run export (the command, against a journal on Azurite)", function () {
  this.timeout(90_000);
  let env: Record<string, string>;
  let work: string;

  before(async () => {
    const { connectionString } = await getAzurite();
    const container = `${uniqueTablePrefix("export")}-j`;
    await writeJournalWorld(connectionString, container);
    env = { AZURE_STORAGE_CONNECTION_STRING: connectionString, JOURNAL_CONTAINER: container };
    work = mkdtempSync(join(tmpdir(), "export-test-"));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const exportTo = (name: string, ...args: string[]) => runOperatorCommand("export", [...args, "--out", join(work, name)], env);
  const lines = (dir: string) =>
    readFileSync(join(work, dir, "events.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

  it("one contact: every event of theirs (received bodies decoded, outbound, statuses, notes) in events.jsonl, a transcript, a manifest of SHA-256", async () => {
    const run = await exportTo("maria", "--contact", `+${maria.phone}`, "--from", DAY1, "--to", DAY2);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Exported 9 event\(s\) of 1 conversation\(s\), 2026-05-10 to 2026-05-11, into /);
    assert.match(run.stderr, /reading the journal +\[#+\] 100% {2}14 entries\n/);
    assert.match(run.stderr, /writing transcripts +\[#+\] 100% {2}1 transcript\(s\)\n/);
    const events = lines("maria");
    assert.deepEqual(
      events.map((e) => `${e.type}:${e.event?.type ?? e.record?.kind}`),
      [
        "inbound:message",
        "outbound:outbound",
        "status:status",
        "inbound:message",
        "inbound:status",
        "internal:internal",
        "inbound:message",
        "inbound:message",
        "outbound:outbound",
      ],
    );
    assert.ok(events.every((e) => e.conversation === `106540352242922|${maria.userId}`));
    assert.ok(!readFileSync(join(work, "maria", "events.jsonl"), "utf8").includes(john.phone), "nobody else's events");
    const first = events[0] as unknown as {
      at: string;
      receivedAt: string;
      event: { contact: { phone: string; userId: string; profileName: string }; content: { raw: string } };
    };
    assert.deepEqual([first.at, first.receivedAt], ["2026-05-10T09:00:00.000Z", "2026-05-10T09:00:01.000Z"]);
    assert.deepEqual(first.event.contact, { key: `106540352242922|${maria.userId}`, userId: maria.userId, phone: maria.phone, profileName: "Maria Souza" });
    assert.equal(first.event.content.raw, "Hello, my order #4471 has not arrived <b>yet</b>");

    const transcripts = readdirSync(join(work, "maria", "transcripts"));
    assert.equal(transcripts.length, 1);
    const html = readFileSync(join(work, "maria", "transcripts", transcripts[0]!), "utf8");
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /Hello, my order #4471 has not arrived &lt;b&gt;yet&lt;\/b&gt;/, "escaped");
    assert.doesNotMatch(html, /<script|<img|<link|src=|href=|https?:\/\//i, "nothing fetched, nothing linked");
    assert.ok(html.includes(IMAGE_SHA256), "the media's SHA-256");
    for (const text of [
      "Maria Souza",
      `+${maria.phone}`,
      "Ana Staff",
      "Checking *now*",
      "reacted 👍 to",
      "edited an earlier message",
      "Not sent to the customer (note): // call her back",
      "template:order_update|en_US",
      "read · ",
      "Bo Staff",
    ]) {
      assert.ok(html.includes(text.replace(/&/g, "&amp;")), `the transcript shows ${text}`);
    }
    const order = ["09:00:00", "09:04:00", "09:04:05", "09:05:00", "09:06:00", "09:10:00", "09:20:00", "2026-05-11 08:00:00", "2026-05-11 08:30:00"].map((t) =>
      html.indexOf(t),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      "rows in time order",
    );
    assert.ok(order.every((i) => i > 0));

    const manifest = JSON.parse(readFileSync(join(work, "maria", "manifest.json"), "utf8")) as {
      events: number;
      request: { contact: string };
      files: Array<{ name: string; bytes: number; sha256: string }>;
    };
    assert.equal(manifest.events, 9);
    assert.equal(manifest.request.contact, `+${maria.phone}`);
    assert.deepEqual(
      manifest.files.map((f) => f.name),
      ["events.jsonl", `transcripts/${transcripts[0]}`],
    );
    for (const file of manifest.files) assert.equal(file.sha256, sha(join(work, "maria", file.name)), file.name);
    const sums = readFileSync(join(work, "maria", "SHA256SUMS"), "utf8");
    assert.ok(sums.includes(`${sha(join(work, "maria", "manifest.json"))}  manifest.json\n`));
  });

  it("the same contact by BSUID; a group or nobody gives nothing; --all gives every conversation", async () => {
    const byId = await exportTo("maria-by-id", "--contact", maria.userId);
    assert.equal(byId.code, 0, byId.stderr);
    assert.deepEqual(
      lines("maria-by-id").map((e) => e.ref),
      lines("maria").map((e) => e.ref),
    );
    const nobody = await exportTo("nobody", "--contact", "441234567890");
    assert.match(nobody.stdout, /^Exported 0 event\(s\) of 0 conversation\(s\)/);
    const all = await exportTo("all", "--all");
    assert.equal(all.code, 0, all.stderr);
    assert.equal(lines("all").length, 14);
    assert.equal(readdirSync(join(work, "all", "transcripts")).length, 2);
    const johns = lines("all").filter((e) => e.conversation?.endsWith(john.userId));
    assert.deepEqual(
      johns.map((e) => e.event?.id ?? e.record?.kind),
      ["wamid.in.j1", "wamid.in.j2", "wamid.in.j3", "outbound", "status"],
    );
  });

  it("refuses a folder that is not empty, and arguments that do not make sense (exit 2)", async () => {
    const again = await exportTo("maria", "--contact", maria.phone);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /is not empty: an export never overwrites/);
    const both = await exportTo("x", "--contact", maria.phone, "--all");
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give either --contact <number\|user id\|group id> or --all\n\nusage: npm run export/);
    const noOut = await runOperatorCommand("export", ["--all"], env);
    assert.match(noOut.stderr, /--out <dir> is required/);
  });
});
