import assert from "node:assert/strict";
import { ContactLanes, type LaneItem, type LaneResult } from "../../../src/core/bridge/scheduling/contact-lanes";
import { ManualClock } from "../../fakes/manual-clock";

const item = (id: string, timestamp: number, receivedAt = 0): LaneItem => ({ id, timestamp, receivedAt });

describe("ContactLanes", () => {
  it("handles one lane's items in timestamp order, one at a time", async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const lanes = new ContactLanes<LaneItem>(async (i) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 2));
      seen.push(i.id);
      active--;
      return "done";
    }, new ManualClock());
    lanes.enqueue("a", item("first", 10));
    lanes.enqueue("a", item("third", 30));
    lanes.enqueue("a", item("second", 20));
    await lanes.idle();
    // The first was already running when the others came; the rest are sorted by timestamp.
    assert.deepEqual(seen, ["first", "second", "third"]);
    assert.equal(maxActive, 1);
  });

  it("runs different lanes in parallel", async () => {
    let active = 0;
    let maxActive = 0;
    const lanes = new ContactLanes<LaneItem>(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return "done";
    }, new ManualClock());
    for (const lane of ["a", "b", "c"]) lanes.enqueue(lane, item(lane, 1));
    await lanes.idle();
    assert.equal(maxActive, 3);
  });

  it("keeps a failing item at the head so later items never overtake it", async () => {
    const seen: string[] = [];
    let failuresLeft = 2;
    const clock = new ManualClock();
    const lanes = new ContactLanes<LaneItem>(
      async (i): Promise<LaneResult> => {
        if (i.id === "one" && failuresLeft-- > 0) return "retry";
        seen.push(i.id);
        return "done";
      },
      clock,
      { baseMs: 100, capMs: 1000 },
    );
    lanes.enqueue("a", item("one", 1));
    lanes.enqueue("a", item("two", 2));
    await lanes.idle();
    assert.deepEqual(seen, ["one", "two"]);
    assert.deepEqual(clock.sleeps, [100, 200]);
  });

  it("treats a thrown error as retry, and ignores an id already waiting", async () => {
    let calls = 0;
    const lanes = new ContactLanes<LaneItem>(async () => {
      if (++calls === 1) throw new Error("boom");
      return "done";
    }, new ManualClock());
    lanes.enqueue("a", item("x", 1));
    lanes.enqueue("a", item("x", 1));
    await lanes.idle();
    assert.equal(calls, 2);
    assert.equal(lanes.size, 0);
  });

  it("stop() waits for the item in hand and takes no new work", async () => {
    let release!: () => void;
    const seen: string[] = [];
    const lanes = new ContactLanes<LaneItem>(async (i) => {
      await new Promise<void>((r) => (release = r));
      seen.push(i.id);
      return "done";
    }, new ManualClock());
    lanes.enqueue("a", item("in-hand", 1));
    lanes.enqueue("a", item("waiting", 2));
    await new Promise((r) => setImmediate(r));
    const stopped = lanes.stop();
    lanes.enqueue("b", item("late", 3));
    release();
    await stopped;
    assert.deepEqual(seen, ["in-hand"]);
  });
});

describe("ContactLanes reorder hold", () => {
  /** A clock whose sleeps take real (short) time, so a second webhook can arrive during the hold. */
  const shortClock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 50))) };

  async function order(holdMs: number): Promise<string[]> {
    const seen: string[] = [];
    const lanes = new ContactLanes<LaneItem>(
      async (i) => {
        seen.push(i.id);
        return "done";
      },
      shortClock,
      undefined,
      holdMs,
    );
    lanes.enqueue("a", item("later", 20));
    await new Promise((r) => setTimeout(r, 10)); // a separate webhook, a moment later
    lanes.enqueue("a", item("earlier", 10));
    await lanes.idle();
    return seen;
  }

  it("holds an idle lane so that items arriving separately but together are taken in timestamp order", async () => {
    assert.deepEqual(await order(500), ["earlier", "later"]);
  });

  it("without the hold the first arrival is taken at once (what the hold prevents)", async () => {
    assert.deepEqual(await order(0), ["later", "earlier"]);
  });
});
