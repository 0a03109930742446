import assert from "node:assert/strict";
import {
  BACKGROUND_RETRY,
  CAPACITY_UPGRADE_RESEND,
  CONTACT_LANE_RETRY,
  delayFor,
  INTERACTIVE_RETRY,
  MEDIA_RETRY,
  PAIR_RATE_RESEND,
  PAIR_RATE_RETRY,
  THROUGHPUT_RESEND,
  WHATSAPP_SEND_RETRY,
  type RetryPolicy,
} from "../../../src/core/retry-policy";

const waits = (policy: RetryPolicy, count: number, random?: () => number) =>
  Array.from({ length: count }, (_, i) => delayFor(policy, i + 1, undefined, random));

describe("retry policies (retry-policy.ts)", () => {
  it("delayFor grows by the factor from the base, up to the cap", () => {
    const policy: RetryPolicy = { name: "test", attempts: 10, baseMs: 100, factor: 3, capMs: 1_000, jitter: "none" };
    assert.deepEqual(waits(policy, 5), [100, 300, 900, 1_000, 1_000]);
  });

  it("full jitter draws between 0 and the computed wait; none is exact", () => {
    const policy: RetryPolicy = { name: "test", attempts: 3, baseMs: 1_000, factor: 2, capMs: 10_000, jitter: "full" };
    assert.deepEqual(
      waits(policy, 3, () => 0.25),
      [250, 500, 1_000],
    );
    assert.deepEqual(
      waits(policy, 2, () => 0),
      [0, 0],
    );
    assert.deepEqual(
      waits({ ...policy, jitter: "none" }, 3, () => 0.25),
      [1_000, 2_000, 4_000],
      "no jitter ignores the draw",
    );
  });

  it("never waits less than a retryAfterMs the failure carried, jitter or not", () => {
    const policy: RetryPolicy = { name: "test", attempts: 3, baseMs: 1_000, factor: 2, capMs: 10_000, jitter: "full" };
    assert.equal(
      delayFor(policy, 1, { retryAfterMs: 6_000 }, () => 0.5),
      6_000,
    );
    assert.equal(
      delayFor(policy, 3, { retryAfterMs: 100 }, () => 1),
      4_000,
      "a shorter hint does not shorten the backoff",
    );
    assert.equal(
      delayFor(policy, 1, { retryAfterMs: undefined }, () => 1),
      1_000,
    );
  });

  it("stays finite and never NaN however many failures (a lane may fail for hours)", () => {
    for (const policy of [CONTACT_LANE_RETRY, MEDIA_RETRY, WHATSAPP_SEND_RETRY, THROUGHPUT_RESEND]) {
      assert.equal(delayFor(policy, 5_000), policy.capMs);
    }
    assert.equal(delayFor({ ...CONTACT_LANE_RETRY, baseMs: 0 }, 5_000), 0, "a zero base stays zero");
  });

  it("the named policies keep the bridge's waits", () => {
    assert.deepEqual(waits(WHATSAPP_SEND_RETRY, 6), [1_000, 2_000, 4_000, 8_000, 16_000, 30_000], "pacer: exponential, 30 s at most");
    assert.deepEqual(waits(PAIR_RATE_RETRY, 4), [1_000, 4_000, 16_000, 64_000], "pacer, pair rate: Meta's 4^X s");
    assert.deepEqual(waits(PAIR_RATE_RESEND, 3), [1_000, 4_000, 16_000]);
    assert.deepEqual(waits(THROUGHPUT_RESEND, 8), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    assert.deepEqual(waits(CAPACITY_UPGRADE_RESEND, 2), [60_000, 60_000]);
    assert.deepEqual(waits(CONTACT_LANE_RETRY, 8), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    assert.deepEqual(waits(MEDIA_RETRY, 9), [2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000]);
    assert.deepEqual(
      [INTERACTIVE_RETRY, BACKGROUND_RETRY].map((p) => [p.attempts, p.budgetMs, p.jitter]),
      [
        [3, 6_000, "full"],
        [5, 30_000, "full"],
      ],
    );
    assert.equal(
      delayFor(BACKGROUND_RETRY, 10, undefined, () => 1),
      8_000,
    );
    assert.deepEqual(
      [WHATSAPP_SEND_RETRY.attempts, PAIR_RATE_RETRY.attempts, THROUGHPUT_RESEND.attempts - 1, MEDIA_RETRY.attempts, CONTACT_LANE_RETRY.attempts],
      [5, 5, 3, 8, Infinity],
    );
  });
});
