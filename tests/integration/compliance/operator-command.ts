import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Where the built commands are (dist/src), from this compiled file (dist/tests/integration/compliance). */
const DIST_SRC = resolve(__dirname, "../../../src");

export interface CommandRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size of the command, in bytes, from /proc (0 where /proc is missing). */
  readonly peakRssBytes: number;
}

/**
 * Runs a built operator command (`dist/src/<name>.js`) as a child process, as `npm run <name>` does,
 * in an empty working directory (no `.env`) with only the given environment (plus the bridge's required
 * variables, set to harmless values unless given). `nodeArgs` go before the script (e.g. a heap limit).
 */
export function runOperatorCommand(name: string, args: readonly string[], env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<CommandRun> {
  const cwd = mkdtempSync(join(tmpdir(), `${name}-`));
  const child = spawn(process.execPath, [...nodeArgs, join(DIST_SRC, `${name}.js`), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", BOT_AUTH_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let peakRssBytes = 0;
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  // VmHWM is the process's own peak resident set size so far: the last reading before it exits is its peak.
  const sample = () => {
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (match) peakRssBytes = Math.max(peakRssBytes, Number(match[1]) * 1024);
    } catch {
      // Gone already, or no /proc here.
    }
  };
  const sampler = setInterval(sample, 20);
  child.on("exit", () => clearInterval(sampler));
  return new Promise((ok) => child.on("close", (code) => ok({ code, stdout, stderr, peakRssBytes })));
}
