import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const PRELOAD = resolve(__dirname, "../../../tools/playground/loopback-preload.js");

/** Runs `script` in a fresh Node process with the Playground's preload; resolves with its stdout lines. */
function runWithPreload(script: string): Promise<string[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["-r", PRELOAD, "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? done(out.trim().split("\n")) : fail(new Error(`exit ${code}: ${err}`))));
  });
}

/**
 * The preload that keeps Microsoft's Agents Playground (someone else's code) on loopback: what it does
 * to `listen` and `connect` in the process it is loaded into.
 */
describe("Playground loopback preload", () => {
  it("binds host-less listen calls to 127.0.0.1, in every form, and leaves explicit hosts alone", async () => {
    const lines = await runWithPreload(`
      const net = require("node:net"); const http = require("node:http");
      const show = (s) => new Promise((r) => s.on("listening", () => { console.log(s.address().address); s.close(r); }));
      (async () => {
        const a = net.createServer(); a.listen(0); await show(a);
        const b = http.createServer(); b.listen({ port: 0 }); await show(b);
        const c = net.createServer(); c.listen(() => {}); await show(c);
        const d = net.createServer(); d.listen(0, "127.0.0.2"); await show(d);
      })();
    `);
    assert.deepEqual(lines, ["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.2"]);
  });

  it("refuses outgoing connections to other hosts at once, without a DNS lookup, and allows loopback", async () => {
    const lines = await runWithPreload(`
      const net = require("node:net"); const http = require("node:http");
      const server = net.createServer((s) => s.end()); server.listen(0);
      server.on("listening", async () => {
        const port = server.address().port;
        const attempt = (opts) => new Promise((r) => { const s = net.connect(opts); s.on("connect", () => { s.destroy(); r("connected"); }); s.on("error", (e) => r(e.code)); });
        console.log(await attempt({ host: "127.0.0.1", port }));
        console.log(await attempt({ host: "localhost", port }));
        console.log(await attempt({ host: "login.microsoftonline.com", port: 443 }));
        console.log(await attempt({ host: "10.1.2.3", port: 80 }));
        console.log(await new Promise((r) => http.get("http://example.invalid/", () => r("answered")).on("error", (e) => r(e.code))));
        server.close();
      });
    `);
    assert.deepEqual(lines, ["connected", "connected", "ECONNREFUSED", "ECONNREFUSED", "ECONNREFUSED"]);
  });

  it("exits when the parent's IPC channel closes, so the Playground never outlives the demo", async () => {
    const child = spawn(process.execPath, ["-r", PRELOAD, "-e", "setInterval(() => {}, 1000)"], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.disconnect();
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 5_000))]);
    if (code === "still running") child.kill("SIGKILL");
    assert.equal(code, 0);
  });
});
