import assert from "node:assert/strict";
import { Agent } from "node:http";
import { request } from "node:http";
import { freePort, startEntry, waitForOk, type EntryProcess } from "../support/entry-process";

/** index.ts: SIGTERM forces an exit after this long whatever happens. */
const SHUTDOWN_BUDGET_MS = 25_000;

/** `n` GET /healthz (each writes a debug log line), 50 at a time; each may fail (the bridge may not answer). */
async function flood(url: string, n: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  let answered = 0;
  let next = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(`${url}/healthz`, { agent, timeout: 3_000 }, (res) => {
        res.resume();
        res.on("end", () => {
          answered++;
          resolve();
        });
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve());
      req.end();
    });
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next++ < n) await one();
    }),
  );
  agent.destroy();
  return answered;
}

/** Resolves with the exit code, or "hung" after `ms`. */
function exitWithin(run: EntryProcess, ms: number): Promise<number | null | "hung"> {
  return Promise.race([run.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), ms))]);
}

/**
 * A reader of stdout that stops reading can never freeze the bridge (src/observability/bounded-destination.ts):
 * the real entry point, its stdout piped to this test, which pauses it.
 */
describe("a stalled log reader", function () {
  this.timeout(SHUTDOWN_BUDGET_MS + 60_000);
  let run: EntryProcess | undefined;
  afterEach(() => {
    if (run && run.child.exitCode === null) run.child.kill("SIGKILL");
  });

  it("costs dropped (and counted) log lines, never the HTTP server or SIGTERM's shutdown budget", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    run = startEntry({
      BOT_AUTH_DISABLED: "true",
      WHATSAPP_APP_SECRET: "s",
      WHATSAPP_VERIFY_TOKEN: "v",
      WHATSAPP_ACCESS_TOKEN: "t",
      PORT: String(port),
      LOG_LEVEL: "debug",
    });
    assert.ok(await waitForOk(`${url}/readyz`, 30_000), run.out() + run.err());

    // 1. The reader stops; a flood of requests writes far more log than the pipe and the bridge's buffer hold.
    run.child.stdout.pause();
    const served = await flood(url, 12_000);
    assert.equal(served, 12_000, "every request was answered while nobody read the log");
    const seenWhilePaused = run.out().length;

    // 2. The reader resumes: the drops are counted and reported once the backlog has drained.
    run.child.stdout.resume();
    const deadline = Date.now() + 15_000;
    while (!/"event":"log.lines_dropped"/.test(run.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const report = run
      .out()
      .split("\n")
      .filter((l) => l.includes('"event":"log.lines_dropped"'))
      .map((l) => JSON.parse(l) as { level: number; count: number });
    assert.equal(report.length, 1, `one report of the drops (read ${seenWhilePaused} bytes before the pause)`);
    assert.ok(report[0]!.count > 1_000 && report[0]!.level === 40, JSON.stringify(report[0]));

    // 3. The reader stops again, the log fills up again, and SIGTERM still ends the process within budget.
    run.child.stdout.pause();
    await flood(url, 8_000);
    const signalled = Date.now();
    run.child.kill("SIGTERM");
    const code = await exitWithin(run, SHUTDOWN_BUDGET_MS + 2_000);
    const tookMs = Date.now() - signalled;
    assert.notEqual(code, "hung", "the bridge exited after SIGTERM");
    assert.ok(tookMs < SHUTDOWN_BUDGET_MS, `exited in ${tookMs} ms`);
    assert.equal(code, 0, "a graceful stop, not the budget's forced exit");
  });
});
