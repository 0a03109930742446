import assert from "node:assert/strict";
import { BlobLeaseOps, LeaseLeadership } from "../../../src/storage/blob";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { CaptureLogger } from "../../support/capture-logger";
import { sleep, waitUntil } from "./reliability-kit";

describe("leader election on an Azure Blob lease (Azurite)", function () {
  this.timeout(60_000);

  it("BlobLeaseOps: one holder at a time; renew keeps it; release frees it; another id is refused", async () => {
    const { connectionString } = await getAzurite();
    const container = `${uniqueTablePrefix("lease")}-l`;
    const a = new BlobLeaseOps({ connectionString, container });
    const b = new BlobLeaseOps({ connectionString, container });
    await Promise.all([a.prepare(), b.prepare()]);
    await a.prepare();
    assert.equal(await a.acquire(15), true);
    assert.equal(await a.acquire(15), true, "acquiring what it holds succeeds");
    assert.equal(await b.acquire(15), false);
    assert.equal(await a.renew(), true);
    assert.equal(await b.renew(), false, "renewing someone else's lease is refused");
    await b.release();
    assert.equal(await b.acquire(15), false, "a foreign release changed nothing");
    await a.release();
    assert.equal(await b.acquire(15), true);
    assert.equal(await a.renew(), false, "the old holder learns it lost the lease");
    await b.release();
  });

  it("when the holder dies, exactly one standby takes over within the lease duration plus one retry; a release hands over at once", async () => {
    const { connectionString } = await getAzurite();
    const container = `${uniqueTablePrefix("lease")}-l`;
    // A holder that takes the lease and dies: it never renews nor releases.
    const dead = new BlobLeaseOps({ connectionString, container });
    await dead.prepare();
    assert.equal(await dead.acquire(15), true);
    const diedAt = Date.now();

    const make = () =>
      new LeaseLeadership({
        ops: new BlobLeaseOps({ connectionString, container }),
        logger: new CaptureLogger(),
        leaseDurationSeconds: 15,
        renewIntervalMs: 1_000,
        retryIntervalMs: 250,
      });
    const a = make();
    const b = make();
    const tookOverAt: number[] = [];
    for (const l of [a, b]) l.onChange((leader) => leader && tookOverAt.push(Date.now()));
    try {
      await Promise.all([a.start(), b.start()]);
      assert.equal(a.isLeader() || b.isLeader(), false, "the dead holder's lease still runs");
      await waitUntil(() => a.isLeader() || b.isLeader(), "a take-over", 25_000);
      const waited = tookOverAt[0]! - diedAt;
      assert.ok(waited >= 14_000 && waited <= 15_000 + 250 + 1_500, `took over after ${waited} ms`);
      await sleep(2_500);
      assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1, "exactly one leader");
      assert.equal(tookOverAt.length, 1, "no flapping");

      const [holder, standby] = a.isLeader() ? [a, b] : [b, a];
      const released = Date.now();
      await holder.stop();
      await waitUntil(() => standby.isLeader(), "the hand-over after release", 3_000);
      assert.ok(Date.now() - released < 1_500, "a released lease is taken at the next retry");
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
