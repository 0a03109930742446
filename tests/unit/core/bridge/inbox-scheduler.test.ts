import assert from "node:assert/strict";
import { InboxScheduler, laneOf } from "../../../../src/core/bridge/scheduling/inbox-scheduler";
import { groupKeyOf, WaGroupId } from "../../../../src/core/ids";
import { eventKeyOf } from "../../../../src/core/messages";
import type { InboxEntry } from "../../../../src/core/model";
import { MemoryInboxStore } from "../../../../src/storage/memory/memory-stores";
import { CaptureLogger } from "../../../support/capture-logger";
import { ManualClock } from "../../../fakes/manual-clock";
import { StepClock } from "../../../fakes/step-clock";
import { BUSINESS, customerText } from "../../../fakes/world";

/** An inbox entry of a text from one of a few customers, at WhatsApp time `t`. */
function entry(t: number, who = "1", text = `m${t}`): InboxEntry {
  const event = customerText(text, { phone: `4477009000${who}`, userId: `GB.${who}`, timestamp: 1_789_300_000 + t, id: `wamid.${who}.${t}` });
  return { business: BUSINESS, key: eventKeyOf(event), event, state: "pending", receivedAt: 1_000 + t };
}

function world(options: { maxInMemory?: number; leading?: boolean; pollIntervalMs?: number; clock?: StepClock } = {}) {
  const inbox = new MemoryInboxStore();
  const processed: string[] = [];
  const background = new Set<Promise<unknown>>();
  let leading = options.leading ?? true;
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  const scheduler = new InboxScheduler({
    inbox,
    clock: options.clock ?? new ManualClock(),
    logger: new CaptureLogger(),
    process: async (e) => {
      if (gate) await gate;
      processed.push(e.event.type === "message" && e.event.content.kind === "text" ? e.event.content.raw : e.key);
      await inbox.setState(e.business, e.key, "done");
      return "done";
    },
    mayWork: () => leading,
    background: (work) => {
      background.add(work);
      void work.finally(() => background.delete(work));
    },
    maxInMemory: options.maxInMemory ?? 100,
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const idle = async () => {
    do {
      await scheduler.lanesIdle();
      await Promise.all([...background]);
      if (background.size === 0) scheduler.continueBacklog();
    } while (scheduler.size > 0 || background.size > 0);
  };
  return {
    inbox,
    scheduler,
    processed,
    idle,
    setLeading: (v: boolean) => {
      leading = v;
    },
    /** Holds processing until `open()`: entries pile up in the lanes. */
    hold: () => {
      gate = new Promise((r) => {
        release = r;
      });
    },
    open: () => {
      gate = undefined;
      release();
    },
  };
}

describe("inbox scheduling (its own unit)", () => {
  it("puts a conversation's entries in one lane, in WhatsApp order, whatever order they come in together", async () => {
    const w = world();
    const together = [entry(3), entry(1), entry(2)];
    for (const e of together) await w.inbox.record(e);
    for (const e of together) w.scheduler.schedule(e);
    await w.idle();
    assert.deepEqual(w.processed, ["m1", "m2", "m3"]);
  });

  it("a group's messages share the group's lane whoever wrote them; statuses of a group send too", () => {
    const group = WaGroupId("Y2FwaV9ncm91cDo=");
    const a = { ...entry(1, "1").event, group };
    const b = { ...entry(2, "2").event, group };
    assert.equal(laneOf(a as never), laneOf(b as never));
    assert.equal(laneOf(a as never), groupKeyOf(BUSINESS, group));
    assert.equal(
      laneOf({ type: "status", business: BUSINESS, id: "wamid.x", state: "read", timestamp: 1, errors: [], group, participant: "GB.1" } as never),
      groupKeyOf(BUSINESS, group),
    );
  });

  it("beyond the in-memory bound new events wait in the inbox and are loaded, oldest first, as the lanes drain", async () => {
    const w = world({ maxInMemory: 3 });
    w.hold();
    const all = Array.from({ length: 10 }, (_, i) => entry(i + 1, String(i % 4)));
    for (const e of all) {
      await w.inbox.record(e);
      w.scheduler.schedule(e);
    }
    assert.ok(w.scheduler.size <= 3, `at most the bound in memory (${w.scheduler.size})`);
    w.open();
    await w.idle();
    assert.deepEqual(
      [...w.processed].sort(),
      all.map((e) => (e.event.type === "message" && e.event.content.kind === "text" ? e.event.content.raw : "")).sort(),
    );
    assert.equal((await w.inbox.list("pending")).length, 0);
  });

  it("during a backlog, a late event older than everything left in the inbox joins its lane (it can overtake nothing)", async () => {
    const w = world({ maxInMemory: 2 });
    w.hold();
    const first = [entry(10, "1"), entry(20, "1"), entry(30, "2"), entry(40, "2")];
    for (const e of first) {
      await w.inbox.record(e);
      w.scheduler.schedule(e);
    }
    // m10 and m20 are in memory; m30 and m40 wait in the inbox. A late m15 of customer 1 arrives.
    const late = entry(15, "1");
    await w.inbox.record(late);
    await w.scheduler.loadOldest(["pending"]);
    w.scheduler.schedule(late);
    w.open();
    await w.idle();
    const ofOne = w.processed.filter((t) => ["m10", "m15", "m20"].includes(t));
    assert.deepEqual(ofOne, ["m10", "m15", "m20"], "customer 1's messages in WhatsApp order");
    assert.equal(w.processed.length, 5);
  });

  it("takes no work while not leading: entries stay pending for the leader", async () => {
    const w = world({ leading: false });
    const e = entry(1);
    await w.inbox.record(e);
    w.scheduler.schedule(e);
    assert.equal(await w.scheduler.loadOldest(["pending"]), 1);
    await w.idle();
    assert.deepEqual(w.processed, []);
    assert.equal((await w.inbox.get(BUSINESS, e.key))?.state, "pending");
  });

  it("while leading, the poll loads entries other instances recorded", async () => {
    const clock = new StepClock();
    const w = world({ pollIntervalMs: 5_000, clock });
    w.scheduler.startPolling();
    const e = entry(1);
    await w.inbox.record(e);
    await clock.advance(4_000);
    assert.deepEqual(w.processed, []);
    await clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    await w.idle();
    assert.deepEqual(w.processed, ["m1"]);
    w.setLeading(false);
    await clock.advance(5_000);
  });
});
