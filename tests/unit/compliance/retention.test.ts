import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../src/config";
import { purgeExpired, scheduleRetention } from "../../../src/compliance/retention";
import { CaptureLogger } from "../../support/capture-logger";

const LOCAL = { WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", BOT_AUTH_DISABLED: "true" };
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

/** Targets that remember what they were asked to purge. */
function targets(result = { inbox: 3, outbox: 2 }, media = 4) {
  const asked: string[] = [];
  return {
    asked,
    targets: {
      tables: {
        purgeFinished: async (olderThan: number) => {
          asked.push(`tables<${new Date(olderThan).toISOString()}`);
          return result;
        },
      },
      media: {
        purgeOlderThan: async (olderThan: number) => {
          asked.push(`media<${new Date(olderThan).toISOString()}`);
          return media;
        },
      },
    },
  };
}

describe("retention (RETENTION_DAYS)", () => {
  it("defaults to 30 days, takes 7 or more, and refuses fewer than 7 with one line naming Meta's retry window", () => {
    assert.equal(loadConfig(LOCAL).retentionDays, 30);
    assert.equal(loadConfig({ ...LOCAL, RETENTION_DAYS: "7" }).retentionDays, 7);
    assert.equal(loadConfig({ ...LOCAL, RETENTION_DAYS: "2555" }).retentionDays, 2555);
    for (const bad of ["6", "0", "-30"]) {
      assert.throws(
        () => loadConfig({ ...LOCAL, RETENTION_DAYS: bad }),
        (err: unknown) =>
          err instanceof ConfigError && err.message === "Invalid configuration: RETENTION_DAYS must be at least 7 (Meta retries a webhook for up to 7 days)",
      );
    }
    assert.throws(() => loadConfig({ ...LOCAL, RETENTION_DAYS: "7.5" }), /RETENTION_DAYS must be whole days/);
    assert.throws(() => loadConfig({ ...LOCAL, RETENTION_DAYS: "a month" }), /RETENTION_DAYS must be a number of days/);
  });

  it("purges what finished before now minus the retention, tables and media alike, and never under 7 days", async () => {
    const t = targets();
    const run = await purgeExpired(t.targets, 30, NOW);
    assert.deepEqual(run, { olderThan: NOW - 30 * DAY, inbox: 3, outbox: 2, media: 4 });
    assert.deepEqual(t.asked, ["tables<2026-11-01T00:00:00.000Z", "media<2026-11-01T00:00:00.000Z"]);
    await assert.rejects(purgeExpired(t.targets, 6, NOW), RangeError);
    assert.equal(t.asked.length, 2, "nothing purged below 7 days");
    assert.deepEqual(await purgeExpired({ tables: t.targets.tables }, 7, NOW), { olderThan: NOW - 7 * DAY, inbox: 3, outbox: 2, media: 0 });
  });

  it("runs on a schedule, logs each run's counts or its failure, and stops", async () => {
    const t = targets();
    const logger = new CaptureLogger();
    let fail = false;
    const tables = {
      purgeFinished: async (olderThan: number) => {
        if (fail) throw new Error("storage down");
        return t.targets.tables.purgeFinished(olderThan);
      },
    };
    const job = scheduleRetention({ tables }, { retentionDays: 10, everyMs: 30, firstAfterMs: 10, now: () => NOW }, logger);
    await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(
      logger.lines.map((l) => l.event),
      ["retention.purged"],
    );
    assert.deepEqual(logger.lines[0]!.fields, { olderThan: "2026-11-21T00:00:00.000Z", inbox: 3, outbox: 2, media: 0, retentionDays: 10 });
    fail = true;
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(logger.lines[1]?.event, "retention.failed");
    assert.match(String(logger.lines[1]?.fields["error"]), /storage down/);
    job.stop();
    const count = logger.lines.length;
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(logger.lines.length, count, "no run after stop");
  });
});
