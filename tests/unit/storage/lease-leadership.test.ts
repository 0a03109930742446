import assert from "node:assert/strict";
import sinon from "sinon";
import { TransientError } from "../../../src/core/errors";
import { LeaseLeadership, type LeaseOps } from "../../../src/storage/blob/lease-leadership";
import { CaptureLogger } from "../../support/capture-logger";

/** Lease operations whose answers a test scripts; records every call with the (fake) time. */
class ScriptedOps implements LeaseOps {
  readonly calls: Array<{ op: string; at: number }> = [];
  acquireAnswer: boolean | Error = true;
  renewAnswer: boolean | Error = true;

  async prepare(): Promise<void> {
    this.calls.push({ op: "prepare", at: Date.now() });
  }
  async acquire(): Promise<boolean> {
    return this.answer("acquire", this.acquireAnswer);
  }
  async renew(): Promise<boolean> {
    return this.answer("renew", this.renewAnswer);
  }
  async release(): Promise<void> {
    this.calls.push({ op: "release", at: Date.now() });
  }
  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private answer(op: string, answer: boolean | Error): Promise<boolean> {
    this.calls.push({ op, at: Date.now() });
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

describe("LeaseLeadership (leader election on a lease)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_800_000_000_000, toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => clock.restore());

  function make(ops: LeaseOps, options: { renewIntervalMs?: number; retryIntervalMs?: number } = {}) {
    const logger = new CaptureLogger();
    const leadership = new LeaseLeadership({ ops, logger, leaseDurationSeconds: 15, ...options });
    const changes: boolean[] = [];
    leadership.onChange((leader) => changes.push(leader));
    return { leadership, logger, changes };
  }

  it("takes a free lease at start, tells its listeners, and renews every renew interval", async () => {
    const ops = new ScriptedOps();
    const { leadership, changes } = make(ops, { renewIntervalMs: 5_000 });
    await leadership.start();
    assert.equal(leadership.isLeader(), true);
    assert.deepEqual(changes, [true]);
    await clock.tickAsync(60_000);
    assert.equal(ops.count("renew"), 12);
    assert.equal(leadership.isLeader(), true, "renewals keep it past the lease duration");
    assert.deepEqual(changes, [true]);
    await leadership.stop();
  });

  it("a standby keeps trying and leads as soon as the lease is free", async () => {
    const ops = new ScriptedOps();
    ops.acquireAnswer = false;
    const { leadership, changes } = make(ops, { renewIntervalMs: 5_000, retryIntervalMs: 2_000 });
    await leadership.start();
    assert.equal(leadership.isLeader(), false);
    await clock.tickAsync(10_000);
    assert.equal(ops.count("acquire"), 6);
    ops.acquireAnswer = true;
    await clock.tickAsync(2_000);
    assert.equal(leadership.isLeader(), true);
    assert.deepEqual(changes, [true]);
    await leadership.stop();
  });

  it("a refused renewal (someone else holds the lease) ends leadership at once, then it competes again", async () => {
    const ops = new ScriptedOps();
    const { leadership, changes, logger } = make(ops, { renewIntervalMs: 5_000 });
    await leadership.start();
    ops.renewAnswer = false;
    ops.acquireAnswer = false;
    await clock.tickAsync(5_000);
    assert.equal(leadership.isLeader(), false);
    assert.deepEqual(changes, [true, false]);
    assert.ok(logger.lines.some((l) => l.event === "bridge.leadership.lost"));
    await clock.tickAsync(5_000);
    assert.equal(ops.count("acquire"), 2, "tries to take it back");
    await leadership.stop();
    assert.equal(ops.count("release"), 0, "nothing to release");
  });

  it("storage not answering: keeps leading while the lease surely runs, and steps down before it could lapse", async () => {
    const ops = new ScriptedOps();
    const { leadership, changes } = make(ops, { renewIntervalMs: 5_000 });
    const acquiredAt = Date.now();
    await leadership.start();
    ops.renewAnswer = new TransientError("storage.unavailable", "lease.renew: blob storage is unreachable");
    ops.acquireAnswer = new TransientError("storage.unavailable", "lease.acquire: blob storage is unreachable");
    await clock.tickAsync(12_000);
    assert.equal(leadership.isLeader(), true, "the lease taken at start still runs");
    await clock.tickAsync(1_500);
    // 15 s lease, 1.5 s safety margin: leadership ends at 13.5 s, before anyone else could take the lease.
    assert.equal(leadership.isLeader(), false);
    assert.deepEqual(changes, [true, false]);
    assert.ok(Date.now() - acquiredAt < 15_000);
    await leadership.stop();
  });

  it("stop releases a held lease and tells listeners; renewals end", async () => {
    const ops = new ScriptedOps();
    const { leadership, changes, logger } = make(ops);
    await leadership.start();
    await leadership.stop();
    assert.equal(leadership.isLeader(), false);
    assert.deepEqual(changes, [true, false]);
    assert.equal(ops.count("release"), 1);
    assert.ok(logger.lines.some((l) => l.event === "bridge.leadership.released"));
    const before = ops.calls.length;
    await clock.tickAsync(60_000);
    assert.equal(ops.calls.length, before);
  });

  it("refuses lease durations outside 15–60 s and renew intervals over half the lease", () => {
    const ops = new ScriptedOps();
    const logger = new CaptureLogger();
    assert.throws(() => new LeaseLeadership({ ops, logger, leaseDurationSeconds: 10 }), RangeError);
    assert.throws(() => new LeaseLeadership({ ops, logger, leaseDurationSeconds: 61 }), RangeError);
    assert.throws(() => new LeaseLeadership({ ops, logger, leaseDurationSeconds: 30, renewIntervalMs: 20_000 }), RangeError);
  });
});
