import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ReconcileReport } from "../../../src/core/bridge/recovery/reconcile";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { MIN, seedReconcileCases } from "../../fakes/reconcile-seed";
import { CaptureLogger } from "../../support/capture-logger";

const COMMAND = resolve(__dirname, "../../../src/reconcile.js");

describe("npm run reconcile (the command, against seeded Azurite tables)", function () {
  this.timeout(60_000);
  let azurite: EmbeddedAzurite;
  let cwd: string;

  function run(args: string[], env: Record<string, string> = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }) {
    const child = spawn(process.execPath, [COMMAND, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "",
        WHATSAPP_APP_SECRET: "s",
        WHATSAPP_VERIFY_TOKEN: "v",
        WHATSAPP_ACCESS_TOKEN: "t",
        BOT_AUTH_DISABLED: "true",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => child.on("close", (code) => ok({ code, stdout, stderr })));
  }

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), "reconcile-"));
    azurite = await startEmbeddedAzurite({ logger: new CaptureLogger() });
    // The bridge's default table names, as the command reads them.
    await seedReconcileCases(await createTableStores({ connectionString: azurite.connectionString }), Date.now());
  });
  after(async () => {
    await azurite?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("prints readable tables of what needs a look, and exits 0", async () => {
    const { code, stdout, stderr } = await run(["--older-than", "15m"]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Reconciliation at \S+Z: 8 item\(s\) to look at\n/);
    assert.match(stdout, /Received events without a Teams message \(4\)\n {2}age\s+state\s+type\s+business\s+event\s+journal\s+detail\n/);
    assert.match(
      stdout,
      /\n {2}2d( \d+s)?\s+unrouted\s+message\s+106540352242922\s+msg:wamid\.\S+\s+journal\/\S+\.jsonl#\d+\s+business number not linked to a channel\n/,
    );
    assert.match(stdout, /\n {2}1h 30m\s+pending\s+message/);
    assert.match(stdout, /\n {2}1h( \d+s)?\s+accepted\s+106540352242922\s+wamid\.out\.\*+pted\s/);
    assert.match(stdout, /\n {2}30m( \d+s)?\s+posting\s+message/);
    assert.match(stdout, /\n {2}5m( \d+s)?\s+failed\s+message\s+.*teams\.rejected: 403 Forbidden/);
    assert.match(stdout, /Kept until their number is linked to a channel \(expected\)/);
    assert.match(stdout, /Outbound messages without a final status after 15m \(3\)/);
    assert.match(stdout, /Possible duplicate posts, flagged in their thread \(1\)/);
    assert.doesNotMatch(stdout, /wamid\.out\.accepted|5511987654321/);
    assert.equal(stderr, "");
  });

  it("--json gives the same report for machines; --older-than moves the outbound cut-off", async () => {
    const { code, stdout } = await run(["--json", "--older-than=1h"]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as ReconcileReport;
    assert.equal(report.outboundOlderThanMs, 60 * MIN);
    assert.deepEqual(
      report.unfinished.map((e) => e.state),
      ["unrouted", "pending", "posting", "failed"],
    );
    assert.equal(report.awaitingLink[0]?.count, 2);
    // Only the one sent an hour ago (and a little more, by the time the command runs) is past 1h.
    assert.ok(report.unsettledOutbound.length <= 1);
    assert.equal(report.duplicateFlags.length, 1);
  });

  it("a bad argument or configuration exits 2 with a usage line; unreachable storage exits 1", async () => {
    const bad = await run(["--older-than", "soon"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--older-than needs a duration/);
    assert.match(bad.stderr, /usage: npm run reconcile/);
    const embedded = await run([], {});
    assert.equal(embedded.code, 2);
    assert.match(embedded.stderr, /set AZURE_STORAGE_CONNECTION_STRING/);
    const dead = await run([], {
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, "TableEndpoint=http://127.0.0.1:9"),
    });
    assert.equal(dead.code, 1);
    assert.match(dead.stderr, /^reconcile failed: storage\.unavailable/);
  });
});
