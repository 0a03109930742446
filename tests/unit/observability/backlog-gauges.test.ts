import assert from "node:assert/strict";
import { BusinessNumberId } from "../../../src/core/ids";
import { backlogTotals } from "../../../src/observability/backlog-gauges";

describe("the backlog gauges' values", () => {
  const now = 1_800_000_000_000;

  it("sums what waits and failed over the numbers, ages the oldest in seconds, counts suspended links", () => {
    const totals = backlogTotals(
      [
        { business: BusinessNumberId("1"), waiting: 3, failed: 1, oldestWaitingAt: now - 90_000 },
        { business: BusinessNumberId("2"), waiting: 2, failed: 0, oldestWaitingAt: now - 600_000, suspendedSince: now - 700_000 },
        { business: BusinessNumberId("3"), waiting: 0, failed: 4 },
      ],
      now,
    );
    assert.deepEqual(totals, { "bridge.inbox.depth": 5, "bridge.inbox.oldest_age": 600, "bridge.inbox.failed": 5, "bridge.links.suspended": 1 });
  });

  it("reports zeros when nothing waits", () => {
    assert.deepEqual(backlogTotals([], now), { "bridge.inbox.depth": 0, "bridge.inbox.oldest_age": 0, "bridge.inbox.failed": 0, "bridge.links.suspended": 0 });
  });
});
