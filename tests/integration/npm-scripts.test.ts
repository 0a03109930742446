import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { acceptsConnections, findFreePort } from "../../src/storage/azurite/free-port";
import { isRunning, listeningPorts, processTree } from "../support/process-tree";

const ROOT = resolve(__dirname, "../../..");

/**
 * A throw-away project running the repository's own `start`, `prestart` and `demo` scripts (read from
 * its package.json) against its built `dist/` and `node_modules/` (symlinked), so that `.data/` lands in
 * a temporary folder. `build` is a no-op there: `dist/` is built already.
 */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "npm-scripts-"));
  const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const { start, prestart, demo } = scripts;
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "npm-scripts-test", private: true, scripts: { start, prestart, demo, build: "true" } }));
  symlinkSync(join(ROOT, "dist"), join(dir, "dist"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

interface NpmRun {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** The bridge's JSON log lines (npm's own lines are not JSON). */
  logLines(): Array<{ level: number; event: string; [key: string]: unknown }>;
  waitFor(what: string, test: (output: string) => boolean, timeoutMs?: number): Promise<void>;
}

/**
 * Runs `npm <args>` in `cwd` as a process manager or a terminal would: in its own process group, with
 * none of the calling npm's `npm_*` variables (they would point the inner npm at this repository).
 */
function runNpm(cwd: string, args: string[], env: Record<string, string> = {}): NpmRun {
  const npmCli = process.env.npm_execpath;
  const [command, argv] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli, ...args]] : ["npm", args];
  const child = spawn(command, argv, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once("exit", (code, signal) => done({ code, signal })));
  return {
    child,
    pid: child.pid!,
    exited,
    output: () => output,
    logLines: () =>
      output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; event: string }),
    waitFor: async (what, test, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!test(output)) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}. Output:\n${output}`);
        if (child.exitCode !== null || child.signalCode !== null) assert.fail(`npm exited while waiting for ${what}. Output:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`not within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What `run` started: every process below npm (npm included) and the ports they listen on. */
function snapshot(run: NpmRun): { pids: number[]; ports: number[] } {
  const pids = processTree(run.pid);
  return { pids, ports: listeningPorts(pids) };
}

/** Asserts that nothing of `started` is left: no process running, no port accepting connections. */
async function assertNothingLeft(started: { pids: number[]; ports: number[] }, timeoutMs = 5_000): Promise<void> {
  await eventually(`every process has exited (${started.pids.join(", ")})`, () => started.pids.every((pid) => !isRunning(pid)), timeoutMs);
  const open: number[] = [];
  for (const port of started.ports) if (await acceptsConnections("127.0.0.1", port, 250)) open.push(port);
  assert.deepEqual(open, [], "every port it listened on is closed");
}

/** Last resort after a failed test: nothing may outlive it. */
function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

describe("npm scripts stop cleanly when signalled as a process manager or a terminal does", function () {
  this.timeout(120_000);
  let project: string;
  let started: number[] = [];

  beforeEach(() => {
    project = scratchProject();
  });
  afterEach(() => {
    killAll(started);
    started = [];
    rmSync(project, { recursive: true, force: true });
  });

  const localModeEnv = async () => ({
    BOT_AUTH_DISABLED: "true",
    WHATSAPP_APP_SECRET: "s",
    WHATSAPP_VERIFY_TOKEN: "v",
    WHATSAPP_ACCESS_TOKEN: "t",
    PORT: String(await findFreePort("127.0.0.1")),
    LOG_LEVEL: "info",
  });

  /**
   * `npm start` in local mode, once it holds the lease. The port is one the OS called free; another test
   * worker may bind it first (the bridge then stops, EADDRINUSE), so that start is tried again on another.
   */
  const startLocal = async (): Promise<NpmRun> => {
    for (let attempt = 1; ; attempt++) {
      const run = runNpm(project, ["start"], await localModeEnv());
      try {
        await run.waitFor("the lease to be held", (out) => out.includes('"event":"bridge.leadership.acquired"'));
        return run;
      } catch (err) {
        if (attempt >= 3 || !run.output().includes("EADDRINUSE")) throw err;
        await run.exited;
      }
    }
  };

  it("npm start: SIGTERM to the npm process alone stops the bridge gracefully (its start script execs node, so no shell swallows the signal)", async () => {
    const run = await startLocal();
    const before = snapshot(run);
    started = before.pids;
    assert.ok(before.pids.length >= 3, `npm, the bridge and Azurite: ${before.pids.join(", ")}`);

    process.kill(run.pid, "SIGTERM");
    const exit = await withinMs(run.exited, 15_000, "npm exits");
    assert.equal(exit.code, 0, run.output());
    const events = run.logLines().map((l) => l.event);
    assert.ok(events.includes("bridge.stopping"), run.output());
    assert.ok(events.includes("bridge.stopped"), run.output());
    await assertNothingLeft(before);
  });

  it("npm start (local mode): Ctrl-C to the whole process group releases the lease before the embedded Azurite stops, with no warning", async () => {
    const run = await startLocal();
    const before = snapshot(run);
    started = before.pids;

    // A terminal's Ctrl-C: SIGINT to every process of the foreground group at once.
    process.kill(-run.pid, "SIGINT");
    await withinMs(run.exited, 15_000, "npm exits");
    const lines = run.logLines();
    const stopping = lines.findIndex((l) => l.event === "bridge.stopping");
    assert.ok(stopping >= 0, run.output());
    const afterSignal = lines.slice(stopping);
    assert.deepEqual(
      afterSignal.filter((l) => l.level >= 40),
      [],
      "no warning or error while stopping (a lease left behind, Azurite stopped twice …)",
    );
    const events = afterSignal.map((l) => l.event);
    assert.ok(events.includes("bridge.leadership.released"), run.output());
    assert.ok(events.includes("storage.azurite.stopped"), run.output());
    assert.equal(events.at(-1) === "bridge.stopped" || events.at(-2) === "bridge.stopped", true, `bridge.stopped comes last: ${events.join(", ")}`);
    await assertNothingLeft(before);
  });

  describe("npm run demo", () => {
    /** Starts the demo, has a customer send a document (kept by the bridge), and returns where it was kept. */
    async function startDemoWithAFile(): Promise<{ run: NpmRun; mediaDir: string }> {
      const run = runNpm(project, ["run", "demo", "--", "--port", "0"]);
      await run.waitFor("the demo's address", (out) => /Ready in .*\n\s*\n\s*http:\/\/127\.0\.0\.1:\d+\//.test(out), 90_000);
      const landing = /(http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(run.output().slice(run.output().indexOf("Ready in")))![1]!;
      const simulatorUrl = /<iframe src="([^"]+)" title="WhatsApp simulator"/.exec(await (await fetch(landing)).text())![1]!;
      const state = (await (await fetch(new URL("/api/state", simulatorUrl))).json()) as { customers: Array<{ id: string; name: string }> };
      const maria = state.customers.find((c) => c.name === "Maria Souza")!;
      const sent = await fetch(new URL(`/api/customers/${maria.id}/messages`, simulatorUrl), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "document", filename: "invoice.txt", mimeType: "text/plain", dataBase64: Buffer.from("Invoice 42\n").toString("base64") }),
      });
      assert.equal(sent.status, 202);
      const demoDir = join(project, ".data/demo");
      let mediaDir = "";
      await eventually(
        "the bridge keeps the file in this run's media folder",
        () => {
          const runs = existsSync(demoDir) ? readdirSync(demoDir).filter((name) => name.startsWith("media-")) : [];
          mediaDir = runs.length === 1 ? join(demoDir, runs[0]!) : "";
          return mediaDir !== "" && readdirSync(mediaDir).some((entry) => existsSync(join(mediaDir, entry, "file")));
        },
        20_000,
      );
      return { run, mediaDir };
    }

    it("SIGTERM to the npm process alone stops everything it started: no process, no port, no file left", async () => {
      const { run, mediaDir } = await startDemoWithAFile();
      const before = snapshot(run);
      started = before.pids;
      // npm, the demo, Azurite and the Playground (npm's shell is replaced by node: exec).
      assert.ok(before.pids.length >= 4, `processes: ${before.pids.join(", ")}`);
      assert.ok(before.ports.length >= 5, `the page, simulator, bridge, Playground and Azurite listen: ${before.ports.join(", ")}`);

      process.kill(run.pid, "SIGTERM");
      const exit = await withinMs(run.exited, 15_000, "npm exits");
      assert.equal(exit.code, 0, run.output());
      assert.match(run.output(), /SIGTERM: stopping the demo…/);
      assert.match(run.output(), /Stopped\. Nothing is left running\./);
      await assertNothingLeft(before);
      assert.equal(existsSync(mediaDir), false, "this run's media folder is removed");
      assert.equal(existsSync(join(project, ".data/media")), false, "the production default folder is never used");
    });

    it("Ctrl-C (SIGINT to the whole group, and npm forwards it again) stops it in order, without a forced exit", async () => {
      const { run } = await startDemoWithAFile();
      const before = snapshot(run);
      started = before.pids;

      process.kill(-run.pid, "SIGINT");
      await withinMs(run.exited, 15_000, "npm exits");
      assert.match(run.output(), /Stopped\. Nothing is left running\./);
      assert.doesNotMatch(run.output(), /Forced exit/);
      await assertNothingLeft(before);
      const warnings = readFileSync(join(project, ".data/demo/bridge.log"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; event: string })
        .filter((l) => l.level >= 40 && /lease|leadership|azurite/.test(l.event));
      assert.deepEqual(warnings, [], "the bridge released its lease before storage stopped");
    });
  });
});
