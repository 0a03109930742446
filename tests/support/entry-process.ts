import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";

/** The built entry point (`npm start` runs the same file). */
export const ENTRY = resolve(__dirname, "../../src/index.js");

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export interface EntryProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly cwd: string;
  readonly exited: Promise<number | null>;
  out(): string;
  err(): string;
}

/**
 * Runs the real entry point in `cwd` (default: a new empty folder) with only `env` (and PATH). Its
 * stdout and stderr are collected as they come (pause `child.stdout` to stop reading it).
 */
export function startEntry(env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), "bridge-start-"))): EntryProcess {
  const child = spawn(process.execPath, [ENTRY], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  return { child, cwd, exited, out: () => stdout, err: () => stderr };
}

/** Polls `GET url` until it answers 200; false after `ms`. */
export async function waitForOk(url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
