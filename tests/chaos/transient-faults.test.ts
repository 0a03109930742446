import assert from "node:assert/strict";
import { ChaosWorld, CHAOS_SECRET } from "./support/chaos-world";
import { reportChaos } from "./support/report";
import { DELIVERY, runTag, size } from "./support/scale";
import { chaosBurst } from "./support/workload";

describe("chaos: a burst while 10% of Teams calls fail transiently", function () {
  const contacts = size(20, 1_000);
  const perContact = 5;
  this.timeout(size(60_000, 900_000));
  let world: ChaosWorld;

  before(async () => {
    world = await ChaosWorld.start({
      businesses: size(2, 10),
      connector: { limits: {}, faults: { errorRate: 0.1, latencyRate: 0.1, latencyMs: [20, 200] } },
    });
    await world.bridge.start();
  });
  let failed = false;
  afterEach(function () {
    failed ||= this.currentTest?.state === "failed";
  });
  after(async () => {
    await world?.dispose(failed);
  });

  it(`${contacts} contacts × ${perContact} messages: every message arrives, in order per contact, exactly once`, async () => {
    const tag = runTag("tf");
    const burst = chaosBurst({ tag, contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET });
    const started = Date.now();
    await world.deliver(burst, DELIVERY);
    const result = await world.settle(tag, burst, size(45_000, 840_000));
    const seconds = (Date.now() - started) / 1000;
    const counters = world.connector.counters;
    reportChaos({
      scenario: `10% Teams failures, ${contacts}×${perContact} (${DELIVERY})`,
      tally: result,
      notes: `${counters.injectedErrors} errors injected (${JSON.stringify(counters.faults.errors)}), 429s: ${counters.throttle.throttledThread} thread + ${counters.throttle.throttledTenant} tenant; ${(result.received / seconds).toFixed(1)} msg/s over ${seconds.toFixed(1)} s`,
    });
    assert.ok(counters.injectedErrors > 0, "the stand-in injected failures");
    assert.equal(world.sender.stats.acknowledged, burst.length, "every webhook was acknowledged");
    assert.equal(result.lost, 0, `lost: ${result.lostSample.join(", ")}`);
    assert.equal(result.duplicated, 0, "duplicates");
    assert.equal(result.outOfOrder, 0, "out of order");
    assert.equal(result.splitThreads, 0, "one thread per contact");
    assert.equal(world.connector.created.length, contacts, "one thread per contact, no extra roots");
  });
});
