import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startEntry as start, waitForOk } from "../support/entry-process";

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
    const run = start({
      BOT_AUTH_DISABLED: "true",
      WHATSAPP_APP_SECRET: "s",
      WHATSAPP_VERIFY_TOKEN: "v",
      WHATSAPP_ACCESS_TOKEN: "t",
      PORT: String(port),
      LOG_LEVEL: "info",
    });
    try {
      assert.ok(await waitForOk(`http://127.0.0.1:${port}/readyz`, 30_000), run.out() + run.err());
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      const started = run
        .out()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string; level: number; location?: string; url?: string });
      const azurite = started.find((l) => l.event === "storage.azurite.started");
      assert.equal(azurite?.location, ".data/azurite");
      assert.ok(existsSync(join(run.cwd, ".data/azurite")));
      assert.equal(started.find((l) => l.event === "bridge.listening")?.url, `http://127.0.0.1:${port}`);
      // Auth off and no ALLOWED_TENANT_IDS: said loudly (pino level 40 = warn) at start.
      const anyTenant = started.find((l) => l.event === "teams.any_tenant_accepted");
      assert.ok(anyTenant && anyTenant.level >= 40, "the any-tenant warning is logged at warn or above");
    } finally {
      run.child.kill("SIGTERM");
    }
    assert.equal(await run.exited, 0);
    assert.match(run.out(), /"event":"bridge.stopping"/);
    assert.match(run.out(), /"event":"storage.azurite.stopped"/);
  });

  it("refuses BOT_AUTH_DISABLED=true on a non-loopback HOST with one line naming the variable and why", async () => {
    const run = start({ BOT_AUTH_DISABLED: "true", HOST: "0.0.0.0", WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t" });
    assert.equal(await run.exited, 1);
    assert.equal(run.err().trim().split("\n").length, 1, run.err());
    assert.match(run.err(), /^Invalid configuration: BOT_AUTH_DISABLED=true is refused unless the bridge listens on loopback only \(HOST=0\.0\.0\.0/);
  });

  it("in production does not read .env: its settings do not count", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "bridge-start-"));
    writeFileSync(
      join(cwd, ".env"),
      "WHATSAPP_APP_SECRET=3f9a2c1b04de7e55a1\nWHATSAPP_VERIFY_TOKEN=verify-7d1e0c55b2a94f\nWHATSAPP_ACCESS_TOKEN=EAAG-system-user-token\n",
    );
    // Outside production the file is read: only the (deliberately) bad REPLY_MODE is named.
    const local = start({ BOT_AUTH_DISABLED: "true", REPLY_MODE: "bogus" }, cwd);
    assert.equal(await local.exited, 1);
    assert.match(local.err(), /^Invalid configuration: REPLY_MODE must be all or mention\n$/);
    const production = start({ NODE_ENV: "production" }, cwd);
    assert.equal(await production.exited, 1);
    assert.match(
      production.err(),
      /^Invalid configuration: WHATSAPP_APP_SECRET is required.*WHATSAPP_VERIFY_TOKEN is required.*WHATSAPP_ACCESS_TOKEN is required/,
    );
  });
});
