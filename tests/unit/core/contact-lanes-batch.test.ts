import assert from "node:assert/strict";
import { ContactLanes, type LaneItem } from "../../../src/core/bridge/scheduling/contact-lanes";
import { ManualClock } from "../../fakes/manual-clock";

describe("ContactLanes: items enqueued together", () => {
  it("are all sorted by timestamp before the first is taken (a restart resuming a backlog out of order)", async () => {
    const seen: string[] = [];
    const lanes = new ContactLanes<LaneItem>(async (i) => {
      seen.push(i.id);
      return "done";
    }, new ManualClock());
    // As a restart lists them: the pending ones first, then the one cut short while posting (the earliest).
    for (const [id, timestamp] of [
      ["m2", 2],
      ["m3", 3],
      ["m1", 1],
    ] as const)
      lanes.enqueue("contact", { id, timestamp, receivedAt: 0 });
    await lanes.idle();
    assert.deepEqual(seen, ["m1", "m2", "m3"]);
  });

  it("an item arriving while the head runs still waits behind it, in order", async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const lanes = new ContactLanes<LaneItem>(async (i) => {
      if (i.id === "m2") await gate;
      seen.push(i.id);
      return "done";
    }, new ManualClock());
    lanes.enqueue("contact", { id: "m2", timestamp: 2, receivedAt: 0 });
    await Promise.resolve();
    await Promise.resolve();
    lanes.enqueue("contact", { id: "m1", timestamp: 1, receivedAt: 0 });
    lanes.enqueue("contact", { id: "m3", timestamp: 3, receivedAt: 0 });
    release();
    await lanes.idle();
    // m2 had started: it is never displaced; what came later is sorted behind it.
    assert.deepEqual(seen, ["m2", "m1", "m3"]);
  });
});
