import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AadObjectId, BusinessNumberId, TeamsChannelId, TeamsMessageId, TenantId, threadRefOf, WaPhone, WaUserId } from "../../../src/core/ids";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { CaptureLogger } from "../../support/capture-logger";
import { DAY1, DAY2, keyOf, maria, writeJournalWorld } from "../../support/journal-world";
import { BUSINESS } from "../../support/webhook-bodies";
import { runOperatorCommand } from "./operator-command";

describe("npm run report (the command, against a journal and tables on Azurite)", function () {
  this.timeout(90_000);
  let azurite: EmbeddedAzurite;
  let env: Record<string, string>;
  let work: string;

  before(async () => {
    azurite = await startEmbeddedAzurite({ logger: new CaptureLogger() });
    await writeJournalWorld(azurite.connectionString, "report-journal");
    env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, JOURNAL_CONTAINER: "report-journal" };
    // The bridge's default table names: Maria's conversation lives in the "Sales desk" channel.
    const stores = await createTableStores({ connectionString: azurite.connectionString });
    const channelId = TeamsChannelId("19:sales@thread.tacv2");
    await stores.links.put({
      business: BusinessNumberId(BUSINESS),
      channel: { channelId, tenantId: TenantId("t"), serviceUrl: "https://smba.trafficmanager.net/emea/", channelName: "Sales desk" },
      linkedBy: AadObjectId("admin"),
      linkedAt: 0,
    });
    await stores.conversations.reserve({
      contact: keyOf(maria),
      business: BusinessNumberId(BUSINESS),
      state: "creating",
      phone: WaPhone(maria.phone),
      userId: WaUserId(maria.userId),
      createdAt: 0,
    });
    await stores.conversations.activate(keyOf(maria), { channelId, thread: threadRefOf(channelId, TeamsMessageId("1")), rootMessageId: TeamsMessageId("1") });
    work = mkdtempSync(join(tmpdir(), "report-"));
  });
  after(async () => {
    await azurite?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("prints CSV for the period from the journal and the tables, and writes the HTML page", async () => {
    const html = join(work, "report.html");
    const run = await runOperatorCommand("report", ["--from", DAY1, "--to", DAY2, "--html", html], env);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith("metric,dimension,value\nperiod_from,,2026-05-10\nperiod_to,,2026-05-11\n"));
    for (const row of [
      "conversations,all,2",
      "conversations,channel:Sales desk,1",
      "conversations,channel:(not linked),1",
      "replies,all,3",
      "response_median_seconds,all,84300",
      "windows_expired_before_reply,all,1",
      "opt_outs,all,1",
      "failures,code:131047,1",
      "internal_replies,why:note,1",
      "templates_sent,template:order_update|en_US,1",
    ]) {
      assert.ok(run.stdout.includes(`\n${row}\n`), row);
    }
    assert.ok(!run.stdout.includes(maria.phone) && !run.stdout.includes(maria.userId), "no customer's number or id");
    const page = readFileSync(html, "utf8");
    assert.match(page, /<h1>WhatsApp activity, 2026-05-10 to 2026-05-11 \(UTC\)<\/h1>/);
    assert.equal((page.match(/<svg /g) ?? []).length, 2);
    assert.ok(page.includes("<td>Sales desk</td><td>1</td>"));
  });

  it("--csv writes the file instead of stdout; by default the last 7 days, today included", async () => {
    const csv = join(work, "week.csv");
    const run = await runOperatorCommand("report", ["--csv", csv], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "");
    const today = new Date().toISOString().slice(0, 10);
    const weekAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    const text = readFileSync(csv, "utf8");
    assert.ok(text.includes(`\nperiod_from,,${weekAgo}\nperiod_to,,${today}\n`), text.slice(0, 200));
    assert.ok(text.includes("\nconversations,all,0\n"), "the journal's days are months ago");
    const bad = await runOperatorCommand("report", ["--from", DAY2, "--to", DAY1], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from must not be after --to\n\nusage: npm run report/);
  });
});
