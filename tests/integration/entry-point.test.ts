import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ENTRY = resolve(__dirname, "../../src/index.js");

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Runs the real entry point (`npm start` runs the same file) in an empty working directory. */
function start(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), "bridge-start-"));
  const child = spawn(process.execPath, [ENTRY], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  return { child, cwd, exited, out: () => stdout, err: () => stderr };
}

describe("the entry point (npm start)", function () {
  this.timeout(60_000);

  it("stops with one clear line naming the missing variables, and no stack trace", async () => {
    const run = start({});
    assert.equal(await run.exited, 1);
    const lines = run.err().trim().split("\n");
    assert.equal(lines.length, 1, run.err());
    assert.match(lines[0]!, /^Invalid configuration: WHATSAPP_APP_SECRET is required/);
    assert.doesNotMatch(run.err(), /\bat .*\.js:\d+/);
  });

  it("with no storage variable starts an embedded Azurite under .data/, says so, serves health, and stops on SIGTERM", async () => {
    const port = await freePort();
    const run = start({ BOT_AUTH_DISABLED: "true", WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", PORT: String(port), LOG_LEVEL: "info" });
    try {
      const deadline = Date.now() + 30_000;
      let ready = 0;
      while (Date.now() < deadline && ready !== 200) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(ready, 200, run.out() + run.err());
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      const started = run.out().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { event: string; location?: string; url?: string });
      const azurite = started.find((l) => l.event === "storage.azurite.started");
      assert.equal(azurite?.location, ".data/azurite");
      assert.ok(existsSync(join(run.cwd, ".data/azurite")));
      assert.equal(started.find((l) => l.event === "bridge.listening")?.url, `http://127.0.0.1:${port}`);
    } finally {
      run.child.kill("SIGTERM");
    }
    assert.equal(await run.exited, 0);
    assert.match(run.out(), /"event":"bridge.stopping"/);
    assert.match(run.out(), /"event":"storage.azurite.stopped"/);
  });
});
