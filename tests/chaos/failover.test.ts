import assert from "node:assert/strict";
import { sleep } from "./support/bridge-process";
import { ChaosWorld, CHAOS_SECRET } from "./support/chaos-world";
import { reportChaos } from "./support/report";
import { DELIVERY, runTag, size } from "./support/scale";
import { chaosBurst } from "./support/workload";

describe("chaos: two bridge instances, the lease holder killed", function () {
  const contacts = size(20, 400);
  const perContact = 5;
  // Full runs use the default lease (30 s) to show the 60-second takeover as deployed; light runs the shortest.
  const leaseSeconds = size(15, 30);
  this.timeout(size(120_000, 900_000));
  let world: ChaosWorld;

  before(async () => {
    world = await ChaosWorld.start({ businesses: size(2, 10), connector: { limits: {} }, env: { LEASE_DURATION_SECONDS: String(leaseSeconds) } });
    await world.bridge.start();
  });
  let failed = false;
  afterEach(function () {
    failed ||= this.currentTest?.state === "failed";
  });
  after(async () => {
    await world?.dispose(failed);
  });

  it(`${contacts}×${perContact} messages: the other instance takes over within 60 s and nothing is lost`, async () => {
    const second = await world.secondBridge();
    await second.start();
    // A load balancer in front of both: Meta's webhook reaches either instance.
    world.sender.addTarget(`${second.url}/api/whatsapp/webhook`);
    assert.ok(world.bridge.leader && !second.leader, "the first instance leads, the second stands by");
    const tag = runTag("fo");
    const burst = chaosBurst({ tag, contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET });
    const delivering = world.deliver(burst, DELIVERY);
    while (world.connector.posts.length < size(10, 200)) await sleep(20);
    const killedAt = Date.now();
    await world.bridge.kill9();
    const takeover = await world.firstPostAfter(killedAt, 90_000);
    await delivering;
    const result = await world.settle(tag, burst, size(30_000, 600_000), 2_000);
    reportChaos({
      scenario: `lease holder killed, ${contacts}×${perContact} (${DELIVERY})`,
      tally: result,
      ...(takeover === undefined ? {} : { maxRecoveryMs: takeover }),
      notes: `lease ${leaseSeconds} s; second instance leads: ${second.leader}; webhook answers not 200: ${JSON.stringify(world.sender.stats.failures)}`,
    });
    assert.ok(takeover !== undefined && takeover <= 60_000, `the standby took over within 60 s (${takeover} ms)`);
    assert.ok(second.leader, "the second instance holds the lease");
    assert.equal(world.sender.stats.acknowledged, burst.length, "every webhook was finally acknowledged");
    assert.equal(result.lost, 0, `lost: ${result.lostSample.join(", ")}`);
    assert.ok(result.duplicated <= 1 || result.duplicated === result.duplicatesFlagged, `duplicates ${result.duplicated}, flagged ${result.duplicatesFlagged}`);
    assert.equal(result.duplicatesFlagged, result.duplicated, "every duplicate is flagged");
    assert.equal(result.outOfOrder, 0, `out of order: ${result.orderSample.join("; ")}`);
  });
});
