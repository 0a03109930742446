import assert from "node:assert/strict";
import { createTableStores } from "../../src/storage/table/table-stores";
import { sleep } from "./support/bridge-process";
import { ChaosWorld, CHAOS_SECRET } from "./support/chaos-world";
import { reportChaos } from "./support/report";
import { DELIVERY, runTag, size } from "./support/scale";
import { chaosBurst } from "./support/workload";

describe("chaos: Azurite stopped for 10 s in the middle of a burst", function () {
  const contacts = size(20, 400);
  const perContact = 5;
  const outageMs = 10_000;
  this.timeout(size(120_000, 900_000));
  let world: ChaosWorld;

  before(async () => {
    world = await ChaosWorld.start({ businesses: size(2, 10), connector: { limits: {} } });
    await world.bridge.start();
  });
  let failed = false;
  afterEach(function () {
    failed ||= this.currentTest?.state === "failed";
  });
  after(async () => {
    await world?.dispose(failed);
  });

  it(`${contacts}×${perContact} messages: webhooks get 5xx meanwhile, nothing half-recorded, everything completes once storage is back`, async () => {
    const tag = runTag("so");
    const burst = chaosBurst({ tag, contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET });
    const delivering = world.deliver(burst, DELIVERY);
    // Mid-burst: once about a third was acknowledged.
    while (world.sender.stats.acknowledged < burst.length / 3) await sleep(20);
    const ackedBefore = world.sender.stats.acknowledged;
    await world.azurite.stop();
    await sleep(outageMs / 2);
    const readyDuringOutage = await fetch(`${world.bridge.url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    await sleep(outageMs / 2);
    const failuresDuringOutage = { ...world.sender.stats.failures };
    await world.azurite.start();
    const backAt = Date.now();
    const recovery = await world.firstPostAfter(backAt, 60_000);
    await delivering;
    const result = await world.settle(tag, burst, size(30_000, 600_000), 2_000);

    // Nothing half-recorded: every recorded event reached a final state (none left pending or mid-post).
    const stores = await createTableStores({ connectionString: world.azurite.connectionString });
    const unfinished = [...(await stores.inbox.list("pending")), ...(await stores.inbox.list("posting"))];
    const fiveXx = Object.entries(failuresDuringOutage)
      .filter(([status]) => Number(status) >= 500)
      .reduce((n, [, c]) => n + c, 0);
    reportChaos({
      scenario: `Azurite down ${outageMs / 1000} s, ${contacts}×${perContact} (${DELIVERY})`,
      tally: result,
      ...(recovery === undefined ? {} : { maxRecoveryMs: recovery }),
      notes: `acked before the outage ${ackedBefore}; answers during it: ${JSON.stringify(failuresDuringOutage)}; /readyz during it ${readyDuringOutage}; unfinished inbox entries after: ${unfinished.length}; bridge still up: ${world.bridge.running}`,
    });
    assert.ok(fiveXx > 0, `webhooks got 5xx during the outage (${JSON.stringify(failuresDuringOutage)})`);
    assert.equal(readyDuringOutage, 503, "/readyz says not ready while storage is down");
    assert.ok(world.bridge.running, "the bridge survived the outage");
    assert.equal(world.sender.stats.acknowledged, burst.length, "every webhook was finally acknowledged");
    assert.equal(result.lost, 0, `lost: ${result.lostSample.join(", ")}`);
    assert.equal(result.duplicated, 0, `duplicated: ${result.duplicateSample.join(", ")}`);
    assert.equal(result.outOfOrder, 0, `out of order: ${result.orderSample.join("; ")}`);
    assert.equal(unfinished.length, 0, "no inbox entry left half-processed");
  });
});
