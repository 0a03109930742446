import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { packageForDeploy } from "../../../tools/package-deploy";
import { getAzurite } from "../../support/azurite";
import { unzip } from "./unzip";
import { freePort } from "../../support/entry-process";

const ROOT = resolve(__dirname, "../../../..");

/** npm as the test runner was started with it (npm test), else the one on PATH. */
function npmCommand(args: string[]): [string, string[]] {
  const cli = process.env.npm_execpath;
  return cli && basename(cli) === "npm-cli.js" ? [process.execPath, [cli, ...args]] : ["npm", args];
}

/**
 * Runs a command in the unpacked app with only `env` (and a PATH whose node is this test's node), as the
 * leader of its own process group (see `stopGroup`).
 */
function run(cwd: string, command: [string, string[]], env: Record<string, string>) {
  const path = [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter);
  const child = spawn(command[0], command[1], {
    cwd,
    env: { PATH: path, HOME: process.env.HOME ?? cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * SIGTERM to every process of the group, as a terminal's Ctrl-C or a container stop reaching them all:
 * npm forwards a signal only to the shell running the script, and a shell that does not exec its
 * command (Debian's dash) dies without passing it on. Resolves once the group is gone (SIGKILL after 30 s).
 */
async function stopGroup(pid: number): Promise<boolean> {
  process.kill(-pid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!groupAlive(pid)) return true;
  process.kill(-pid, "SIGKILL");
  return false;
}

const SECRETS = {
  WHATSAPP_APP_SECRET: "deploy-test-app-secret-0123456789",
  WHATSAPP_VERIFY_TOKEN: "deploy-test-verify-token-0123456789",
  WHATSAPP_ACCESS_TOKEN: "deploy-test-access-token-0123456789",
};

describe("the deployment zip (npm run package:deploy)", function () {
  // npm ci --omit=dev (from npm's cache) and zipping about 56,000 files (most of them the Azure Monitor
  // OpenTelemetry distribution's) take most of it: 90 s alone on a 2-core machine, up to three times as
  // long beside the other test workers.
  this.timeout(420_000);
  let work: string;
  let app: string;
  let files: number;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "bridge-deploy-"));
    const zip = packageForDeploy(ROOT, { outDir: work, npmCli: process.env.npm_execpath, quiet: true });
    app = join(work, "app");
    files = await unzip(zip.path, app);
    assert.equal(files, zip.entries);
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("holds the compiled bridge, package.json, the lock file and production dependencies only", () => {
    for (const path of [
      "package.json",
      "package-lock.json",
      "dist/src/index.js",
      "dist/src/storage/azurite/exit-with-parent.js",
      "node_modules/botbuilder/package.json",
      "node_modules/@azure/identity/package.json",
    ]) {
      assert.ok(existsSync(join(app, path)), `${path} is missing`);
    }
    for (const path of [
      "node_modules/azurite",
      "node_modules/typescript",
      "node_modules/mocha",
      "node_modules/.bin",
      "dist/tests",
      "dist/tools",
      "src",
      "dist/src/index.js.map",
    ]) {
      assert.ok(!existsSync(join(app, path)), `${path} should not be in the zip`);
    }
    // `exec`: the shell npm runs the script in becomes node, so App Service's SIGTERM to npm reaches the bridge.
    assert.equal(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).scripts.start, "exec node --max-old-space-size=160 dist/src/index.js");
  });

  it("starts with npm start in production mode, answers /healthz and /readyz, and stops on SIGTERM", async () => {
    const port = await freePort();
    const { connectionString } = await getAzurite();
    const bridge = run(app, npmCommand(["start"]), {
      ...SECRETS,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
      // Production keeps files in SharePoint unless the local store is chosen explicitly.
      MEDIA_STORE: "local",
      MicrosoftAppType: "UserAssignedMsi",
      MicrosoftAppId: "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b",
      MicrosoftAppTenantId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      BRIDGE_ADMINS: "00000000-0000-0000-0000-000000000000",
      LOG_LEVEL: "info",
    });
    try {
      const deadline = Date.now() + 30_000;
      let ready = 0;
      while (Date.now() < deadline && ready !== 200) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(ready, 200, bridge.out() + bridge.err());
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      assert.match(bridge.out(), /"event":"bridge.listening"/);
      assert.doesNotMatch(bridge.out(), /"event":"storage.azurite.started"/);
      // Azurite's container has no immutability policy: production says so at start.
      assert.match(bridge.out(), /"level":40,[^\n]*"event":"journal\.not_immutable"[^\n]*CAN BE OVERWRITTEN OR DELETED/);
    } finally {
      assert.ok(await stopGroup(bridge.child.pid!), "the app did not stop within 30 s of SIGTERM");
    }
    for (const event of ["bridge.stopping", "bridge.leadership.released", "bridge.stopped"]) {
      assert.match(bridge.out(), new RegExp(`"event":"${event}"`), bridge.out() + bridge.err());
    }
  });

  it("in local mode, where it has no Azurite, stops with one line saying what to set", async () => {
    const bridge = run(app, [process.execPath, ["dist/src/index.js"]], { ...SECRETS, BOT_AUTH_DISABLED: "true", PORT: String(await freePort()) });
    assert.equal(await bridge.exited, 1);
    const lines = bridge.err().trim().split("\n");
    assert.equal(lines.length, 1, bridge.err());
    assert.match(lines[0]!, /Embedded Azurite is not installed.*set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME/);
    assert.doesNotMatch(bridge.err(), /\bat .*\.js:\d+/);
  });
});
