import assert from "node:assert/strict";
import { formatAge, parseDuration, reconcile, renderReport } from "../../../src/core/bridge/recovery/reconcile";
import { MemoryStores } from "../../../src/storage/memory/memory-stores";
import { MIN, NOW, seedReconcileCases, UNLINKED } from "../../fakes/reconcile-seed";

const seededStores = () => seedReconcileCases(new MemoryStores());

describe("reconcile (nothing stranded: docs/reliability.md, Reconciliation)", () => {
  it("lists events without a Teams message, outbound messages without a final status, and duplicate flags", async () => {
    const report = await reconcile(await seededStores(), { now: NOW, outboundOlderThanMs: 15 * MIN });
    assert.deepEqual(
      report.unfinished.map((e) => [e.state, Math.round(e.ageMs / MIN)]),
      [
        ["unrouted", 2880],
        ["pending", 90],
        ["posting", 30],
        ["failed", 5],
      ],
    );
    assert.equal(report.unfinished.find((e) => e.state === "failed")?.detail, "teams.rejected: 403 Forbidden");
    assert.ok(report.unfinished.every((e) => e.journalRef?.startsWith("journal/")));
    assert.deepEqual(report.awaitingLink, [{ business: UNLINKED, count: 2, oldestAgeMs: 180 * MIN }]);
    assert.deepEqual(
      report.unsettledOutbound.map((o) => [o.state, Math.round(o.ageMs / MIN)]),
      [
        ["accepted", 60],
        ["sent", 20],
        ["accepted", 16],
      ],
    );
    assert.deepEqual(
      report.duplicateFlags.map((d) => d.state),
      ["done"],
    );
  });

  it("the time limit for outbound statuses is the caller's", async () => {
    const stores = await seededStores();
    assert.equal((await reconcile(stores, { now: NOW, outboundOlderThanMs: 0 })).unsettledOutbound.length, 4);
    assert.equal((await reconcile(stores, { now: NOW, outboundOlderThanMs: 2 * 60 * MIN })).unsettledOutbound.length, 0);
  });

  it("an empty inbox reports nothing", async () => {
    const report = await reconcile(new MemoryStores(), { now: NOW, outboundOlderThanMs: 15 * MIN });
    assert.deepEqual([report.unfinished, report.awaitingLink, report.unsettledOutbound, report.duplicateFlags], [[], [], [], []]);
    assert.match(renderReport(report), /nothing to report/);
  });

  it("renders readable tables without revealing wamids or phone numbers in full", async () => {
    const text = renderReport(await reconcile(await seededStores(), { now: NOW, outboundOlderThanMs: 15 * MIN }));
    assert.match(text, /^Reconciliation at 2026-11-30T12:00:00.000Z: 8 item\(s\) to look at/);
    assert.match(text, /Received events without a Teams message \(4\)/);
    assert.match(
      text,
      /\n {2}2d\s+unrouted\s+message\s+106540352242922\s+msg:wamid\.\*tray\s+journal\/2026\/11\/30\/\d{9}-[0-9a-f]{16}\.jsonl#0\s+business number not linked/,
    );
    assert.match(text, /Kept until their number is linked to a channel \(expected\)\n.*\n.*\n {2}209876543210987\s+2\s+3h/);
    assert.match(text, /Outbound messages without a final status after 15m \(3\)/);
    assert.match(text, /Possible duplicate posts, flagged in their thread \(1\)/);
    assert.doesNotMatch(text, /wamid\.pending|5511987654321/);
  });

  it("parses and prints durations", () => {
    assert.deepEqual(["15m", "90s", "2h", "1d", "250", "1.5h", "x", "5 m"].map(parseDuration), [
      900_000,
      90_000,
      7_200_000,
      86_400_000,
      250,
      5_400_000,
      undefined,
      undefined,
    ]);
    assert.deepEqual([500, 61_000, 3_600_000 * 26 + 60_000].map(formatAge), ["500ms", "1m 1s", "1d 2h"]);
  });
});
