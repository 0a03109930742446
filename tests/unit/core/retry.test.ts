import assert from "node:assert/strict";
import { PermanentError, TransientError } from "../../../src/core/errors";
import { withRetry } from "../../../src/core/retry";
import type { RetryPolicy } from "../../../src/core/retry-policy";
import { ManualClock } from "../../fakes/manual-clock";
import { RecordingMetrics } from "../../fakes/recording-metrics";

const policy: RetryPolicy = { name: "test", attempts: 4, baseMs: 100, factor: 2, capMs: 1000, jitter: "full", budgetMs: 10_000 };

describe("withRetry", () => {
  it("retries transient errors with exponential backoff and returns the result", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new TransientError("x.busy", "busy");
        return "ok";
      },
      policy,
      clock,
      () => 1,
    );
    assert.equal(result, "ok");
    assert.deepEqual(clock.sleeps, [100, 200]);
  });

  it("never retries a permanent error", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new PermanentError("x.bad", "bad");
        },
        policy,
        new ManualClock(),
      ),
      /bad/,
    );
    assert.equal(calls, 1);
  });

  it("honours retryAfterMs when it is longer than the backoff", async () => {
    const clock = new ManualClock();
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1) throw new TransientError("x.throttled", "429", { retryAfterMs: 2500 });
        return 1;
      },
      policy,
      clock,
      () => 0.5,
    );
    assert.deepEqual(clock.sleeps, [2500]);
  });

  it("gives up when attempts or the time budget run out", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new TransientError("x.down", "down");
        },
        policy,
        new ManualClock(),
        () => 1,
      ),
      /down/,
    );
    assert.equal(calls, 4);
    calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new TransientError("x.down", "down", { retryAfterMs: 60_000 });
        },
        policy,
        new ManualClock(),
      ),
      /down/,
    );
    assert.equal(calls, 1);
  });

  it("counts each retry by the policy's name when given metrics (the bridge context), none for a first success", async () => {
    const clock = new ManualClock();
    const metrics = new RecordingMetrics();
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls < 3) throw new TransientError("x.busy", "busy");
        return "ok";
      },
      policy,
      { clock, metrics },
      () => 1,
    );
    assert.equal(metrics.total("bridge.retries", { "retry.policy": "test" }), 2);
    await withRetry(async () => "ok", policy, { clock, metrics });
    assert.equal(metrics.total("bridge.retries"), 2);
  });
});
