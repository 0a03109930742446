import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** What `npm run demo` runs once built (package.json). */
const DEMO = resolve(__dirname, "../../../tools/demo/main.js");

/** Resolves with the first match of `pattern` in what `read` returns, polling until `ms` have passed. */
async function waitFor(read: () => string, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`not seen within ${ms} ms: ${pattern}\n${read()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The demo as the README tells a newcomer to start it: the command itself, in an empty folder, printing
 * one address that serves the page with both tools, and Ctrl-C stopping everything it started. (The
 * browser tests drive the same stack through the page.)
 */
describe("npm run demo (the command)", function () {
  this.timeout(120_000);
  let cwd: string;
  let child: ChildProcess | undefined;

  before(() => {
    cwd = mkdtempSync(join(tmpdir(), "bridge-demo-"));
  });
  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(cwd, { recursive: true, force: true });
  });

  it("prints one address serving the simulator and the Playground side by side, and stops everything on Ctrl-C", async () => {
    const demo = spawn(process.execPath, [DEMO, "--port", "0"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = demo;
    let out = "";
    demo.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    demo.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((ok) => demo.on("exit", (code) => ok(code)));

    const [, address] = await waitFor(() => out, /Open this address in your browser:\s+(http:\/\/127\.0\.0\.1:\d+\/?)/, 90_000);
    const page = await fetch(address!);
    assert.equal(page.status, 200);
    const html = await page.text();
    const frames = [...html.matchAll(/<iframe src="(http:\/\/127\.0\.0\.1:\d+[^"]*)"/g)].map((m) => m[1]!);
    assert.equal(frames.length, 2, html);
    for (const frame of frames) assert.equal((await fetch(frame)).status, 200, frame);
    // The bridge's log goes where the demo says, under the folder it was started in.
    const log = join(cwd, ".data/demo/bridge.log");
    assert.ok(existsSync(log), out);
    assert.match(readFileSync(log, "utf8"), /"event":"bridge.listening"/);

    demo.kill("SIGINT");
    assert.equal(await exited, 0, out);
    assert.match(out, /Stopped\. Nothing is left running\./);
    await assert.rejects(fetch(address!), "the page is still served after Ctrl-C");
    for (const frame of frames) await assert.rejects(fetch(frame), `${frame} is still served after Ctrl-C`);
  });
});
