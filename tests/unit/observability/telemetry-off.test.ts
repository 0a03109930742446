import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const DIST_SRC = resolve(__dirname, "../../../src");

/**
 * Runs in a fresh Node process (this one may have loaded anything): starts telemetry with `options`, then
 * loads the whole bridge (compose.js and everything it imports), and reports which telemetry modules
 * are loaded and whether the no-op telemetry came back.
 */
async function probe(options: object | undefined): Promise<{ noTelemetry: boolean; loaded: string[] }> {
  const script = `
    const { startTelemetry, NO_TELEMETRY } = require(${JSON.stringify(`${DIST_SRC}/observability/telemetry.js`)});
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    startTelemetry(${JSON.stringify(options ?? null)} ?? undefined, silent).then(async (telemetry) => {
      require(${JSON.stringify(`${DIST_SRC}/compose.js`)});
      const loaded = Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/](@opentelemetry|@azure[\\\\/]monitor-opentelemetry)/.test(k));
      process.stdout.write(JSON.stringify({ noTelemetry: telemetry === NO_TELEMETRY, loaded }));
      await telemetry.stop();
      process.exit(0);
    });`;
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { env: { PATH: process.env.PATH ?? "" }, timeout: 60_000 });
  return JSON.parse(stdout) as { noTelemetry: boolean; loaded: string[] };
}

describe("telemetry off (no APPLICATIONINSIGHTS_CONNECTION_STRING)", function () {
  this.timeout(90_000);

  it("starts nothing and loads no telemetry SDK, even with the whole bridge loaded", async () => {
    const result = await probe(undefined);
    assert.equal(result.noTelemetry, true);
    assert.deepEqual(result.loaded, []);
  });

  it("(the check can fail) with a connection string the SDK is loaded", async () => {
    // Port 9 on loopback: nothing listens, and nothing is exported before the process ends.
    const result = await probe({
      connectionString: "InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
      serviceInstanceId: "probe",
    });
    assert.equal(result.noTelemetry, false);
    assert.ok(
      result.loaded.some((k) => k.includes("monitor-opentelemetry")),
      "the distro is loaded",
    );
    assert.ok(
      result.loaded.some((k) => /@opentelemetry[\\/]api/.test(k)),
      "the OpenTelemetry API is loaded",
    );
  });
});
