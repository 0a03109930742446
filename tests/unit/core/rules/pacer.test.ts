import assert from "node:assert/strict";
import { PermanentError, WhatsAppSendError } from "../../../../src/core/errors";
import { BusinessNumberId, type ContactKey } from "../../../../src/core/ids";
import { OutboundPacer } from "../../../../src/core/bridge/outbox/pacer";
import { ManualClock } from "../../../fakes/manual-clock";

const BUSINESS = BusinessNumberId("1");
const ALICE = "1|alice" as ContactKey;
const BOB = "1|bob" as ContactKey;

describe("OutboundPacer", () => {
  it("lets a burst through, then spaces one customer's messages by the pair interval, in order", async () => {
    const clock = new ManualClock();
    const pacer = new OutboundPacer({ pairIntervalMs: 6000, pairBurst: 3, perNumberPerSecond: 1000, attempts: 3 }, clock);
    const sentAt: Array<{ n: number; at: number }> = [];
    const start = clock.now();
    await Promise.all(Array.from({ length: 8 }, (_, n) => pacer.send(BUSINESS, ALICE, async () => sentAt.push({ n, at: clock.now() - start }))));
    assert.deepEqual(
      sentAt.map((s) => s.n),
      [0, 1, 2, 3, 4, 5, 6, 7],
      "order kept",
    );
    assert.deepEqual(
      sentAt.slice(0, 3).map((s) => s.at),
      [0, 0, 0],
      "the burst goes at once",
    );
    for (let i = 3; i < 8; i++) assert.ok(sentAt[i]!.at - sentAt[i - 1]!.at >= 6000 - 1, `message ${i} waited for the pair interval`);
  });

  it("does not hold one customer back by another's queue", async () => {
    const clock = new ManualClock();
    const pacer = new OutboundPacer({ pairIntervalMs: 6000, pairBurst: 1, perNumberPerSecond: 1000, attempts: 1 }, clock);
    const order: string[] = [];
    await Promise.all([
      pacer.send(BUSINESS, ALICE, async () => order.push("alice-1")),
      pacer.send(BUSINESS, ALICE, async () => order.push("alice-2")),
      pacer.send(BUSINESS, BOB, async () => order.push("bob-1")),
    ]);
    assert.ok(order.indexOf("bob-1") < order.indexOf("alice-2"), order.join(","));
  });

  it("retries 131056 after 4^X seconds and other retryable errors with backoff; never a permanent error", async () => {
    const clock = new ManualClock();
    const pacer = new OutboundPacer({ pairIntervalMs: 0.001, pairBurst: 45, perNumberPerSecond: 1000, attempts: 4 }, clock);
    let calls = 0;
    const result = await pacer.send(BUSINESS, ALICE, async () => {
      if (++calls < 3) throw new WhatsAppSendError("pair-rate", "pair rate", { metaCode: 131056, notApplied: true, retryable: true, userMessage: "slow down" });
      return "ok";
    });
    assert.equal(result, "ok");
    assert.deepEqual(
      clock.sleeps.filter((ms) => ms >= 1000),
      [1000, 4000],
    );
    calls = 0;
    await assert.rejects(
      pacer.send(BUSINESS, ALICE, async () => {
        calls++;
        throw new PermanentError("x", "bad request");
      }),
      /bad request/,
    );
    assert.equal(calls, 1);
  });

  it("gives up after the configured attempts and reports the last error", async () => {
    const clock = new ManualClock();
    const pacer = new OutboundPacer({ pairIntervalMs: 1, pairBurst: 45, perNumberPerSecond: 1000, attempts: 3 }, clock);
    let calls = 0;
    await assert.rejects(
      pacer.send(BUSINESS, ALICE, async () => {
        calls++;
        throw new WhatsAppSendError("throughput", "throughput", { metaCode: 130429, notApplied: true, retryable: true, userMessage: "busy" });
      }),
      /throughput/,
    );
    assert.equal(calls, 3);
  });
});
