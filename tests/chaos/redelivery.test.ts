import assert from "node:assert/strict";
import { ChaosWorld, CHAOS_SECRET } from "./support/chaos-world";
import { reportChaos } from "./support/report";
import { runTag, size } from "./support/scale";
import { byContact, chaosBurst } from "./support/workload";

describe("chaos: every webhook delivered twice, some 10 times concurrently", function () {
  const contacts = size(20, 500);
  const perContact = 5;
  this.timeout(size(60_000, 900_000));
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

  it(`${contacts}×${perContact} messages, each redelivered: no duplicates, nothing lost, order kept`, async () => {
    const tag = runTag("rd");
    const burst = chaosBurst({ tag, contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET });
    // Every 10th message comes 10 times at once; every other odd one twice at once; the rest twice, the
    // second copy only after everything was posted (a late redelivery of a finished event).
    const copiesNow = (i: number) => (i % 10 === 0 ? 10 : i % 2 === 1 ? 2 : 1);
    const index = new Map(burst.map((m, i) => [m.wamid, i]));
    let next = 0;
    const streams = byContact(burst);
    const worker = async () => {
      while (next < streams.length) {
        for (const m of streams[next++]!) {
          const copies = copiesNow(index.get(m.wamid)!);
          await Promise.all(Array.from({ length: copies }, () => world.sender.deliver(m.body, m.headers)));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(50, streams.length) }, worker));
    await world.settle(tag, burst, size(30_000, 600_000), 500);
    const late = burst.filter((m) => copiesNow(index.get(m.wamid)!) === 1);
    await world.sender.deliverAll(late);
    const result = await world.settle(tag, burst, size(30_000, 600_000), 2_000);
    reportChaos({
      scenario: `redelivery ×2/×10, ${contacts}×${perContact}`,
      tally: result,
      notes: `${world.sender.stats.deliveries} deliveries of ${burst.length} webhooks, all answered 200: ${world.sender.stats.acknowledged === world.sender.stats.deliveries}`,
    });
    assert.equal(world.sender.stats.acknowledged, world.sender.stats.deliveries, "every delivery, duplicate or not, is answered 200");
    assert.equal(result.lost, 0, `lost: ${result.lostSample.join(", ")}`);
    assert.equal(result.duplicated, 0, `duplicated: ${result.duplicateSample.join(", ")}`);
    assert.equal(result.flags, 0, "no duplicate was suspected (no crash, no uncertain post)");
    assert.equal(result.outOfOrder, 0, `out of order: ${result.orderSample.join("; ")}`);
    assert.equal(world.connector.created.length, contacts, "one thread per contact");
  });
});
