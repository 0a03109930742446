import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ChaosWorld, CHAOS_SECRET } from "./support/chaos-world";
import { reportChaos } from "./support/report";
import { runTag, size } from "./support/scale";
import { chaosBurst } from "./support/workload";

/**
 * A backlog many times what the bridge holds in memory (INBOX_MAX_IN_MEMORY): every event beyond the
 * bound waits in the inbox and is loaded, oldest first, as the lanes drain. Nothing may be lost,
 * doubled or reordered by the loading in rounds; the whole burst arrives at once.
 */
describe("chaos: a backlog twenty times the in-memory bound", function () {
  const contacts = size(40, 1_000);
  const perContact = 5;
  const bound = size(10, 250);
  this.timeout(size(90_000, 900_000));
  let world: ChaosWorld;
  let failed = false;

  before(async () => {
    world = await ChaosWorld.start({ businesses: size(2, 10), connector: { limits: {} }, env: { INBOX_MAX_IN_MEMORY: String(bound) } });
    await world.bridge.start();
  });
  afterEach(function () {
    failed ||= this.currentTest?.state === "failed";
  });
  after(async () => {
    await world?.dispose(failed);
  });

  it(`${contacts}×${perContact} messages in one flood, at most ${bound} in memory: all arrive once, in order per contact`, async () => {
    const tag = runTag("bl");
    const burst = chaosBurst({ tag, contacts, perContact, businesses: world.businesses, appSecret: CHAOS_SECRET });
    await world.deliver(burst, "flood");
    const result = await world.settle(tag, burst, size(60_000, 800_000), 2_000);
    const backlogged = readFileSync(join(world.logDir, "bridge-1.log"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"event":"bridge.backlog"')).length;
    reportChaos({
      scenario: `backlog ×${Math.round(burst.length / bound)} the bound, ${contacts}×${perContact}`,
      tally: result,
      notes: `in-memory bound ${bound}; backlog entered ${backlogged} time(s)`,
    });
    assert.ok(backlogged >= 1, "the burst did exceed the bound");
    assert.equal(result.lost, 0, `lost: ${result.lostSample.join(", ")}`);
    assert.equal(result.duplicated, 0, `duplicated: ${result.duplicateSample.join(", ")}`);
    assert.equal(result.outOfOrder, 0, `out of order: ${result.orderSample.join("; ")}`);
    assert.equal(world.connector.created.length, contacts, "one thread per contact");
  });
});
