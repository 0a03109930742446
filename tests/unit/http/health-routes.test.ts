import assert from "node:assert/strict";
import { healthRoutes, READY_PROBE_MAX_AGE_MS } from "../../../src/http/health-routes";

/** A storage ping that counts its calls; `fail` makes the next ones throw, `hold` keeps them pending. */
function countingPing() {
  const ping = Object.assign(
    async () => {
      ping.calls++;
      if (ping.hold) await new Promise<void>((resolve) => ping.release.push(resolve));
      if (ping.fail) throw new Error("storage down");
    },
    { calls: 0, fail: false, hold: false, release: [] as Array<() => void> },
  );
  return ping;
}

const request = { method: "GET", path: "/readyz", headers: {}, query: {}, rawBody: Buffer.alloc(0) };

describe("/readyz answers from a cached probe", () => {
  it("concurrent calls share one ping; the answer is reused for at most a second", async () => {
    let now = 1_000_000;
    const ping = countingPing();
    const readyz = healthRoutes({ ready: ping, now: () => now }).find((r) => r.path === "/readyz")!;
    const answers = await Promise.all(Array.from({ length: 200 }, () => readyz.handle(request)));
    assert.equal(ping.calls, 1);
    assert.ok(answers.every((a) => a.status === 200));
    now += READY_PROBE_MAX_AGE_MS - 1;
    await readyz.handle(request);
    assert.equal(ping.calls, 1, "still fresh 999 ms later");
    now += 1;
    ping.fail = true;
    const [first, second] = await Promise.all([readyz.handle(request), readyz.handle(request)]);
    assert.equal(ping.calls, 2, "one new ping once the answer is a second old");
    assert.deepEqual([first.status, second.status], [503, 503]);
    assert.deepEqual(first.body, { status: "storage unavailable" });
  });

  it("callers during a slow ping wait for it instead of starting more; a ping that never answers is 'not ready'", async () => {
    let now = 0;
    const ping = countingPing();
    ping.hold = true;
    const readyz = healthRoutes({ ready: ping, now: () => now, timeoutMs: 50 }).find((r) => r.path === "/readyz")!;
    const waiting = [readyz.handle(request), readyz.handle(request), readyz.handle(request)];
    assert.equal(ping.calls, 1);
    assert.deepEqual(
      (await Promise.all(waiting)).map((a) => a.status),
      [503, 503, 503],
      "timed out",
    );
    now = 1_000;
    ping.hold = false;
    assert.equal((await readyz.handle(request)).status, 200);
    assert.equal(ping.calls, 2);
    for (const release of ping.release) release();
  });

  it("the backlog report rides on the same cached answer; a report that fails or hangs is 'unavailable', still ready", async () => {
    let now = 0;
    let reports = 0;
    let report: () => Promise<unknown> = async () => {
      reports++;
      return [{ business: "106540352242922", waiting: 2 }];
    };
    const readyz = healthRoutes({ ready: async () => {}, report: () => report(), now: () => now, timeoutMs: 50 }).find((r) => r.path === "/readyz")!;
    const answers = await Promise.all(Array.from({ length: 20 }, () => readyz.handle(request)));
    assert.equal(reports, 1);
    assert.deepEqual(answers[19]!.body, { status: "ready", backlog: [{ business: "106540352242922", waiting: 2 }] });
    now = 1_000;
    report = () => new Promise(() => {});
    assert.deepEqual((await readyz.handle(request)).body, { status: "ready", backlog: "unavailable" });
  });
});
