import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, type WriteStream } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

/** The built entry point (`npm start` runs the same file). */
const ENTRY = resolve(__dirname, "../../../src/index.js");
/** The preload that makes a child exit when its parent dies (built from src/storage/azurite). */
const EXIT_WITH_PARENT = resolve(__dirname, "../../../src/storage/azurite/exit-with-parent.js");

/**
 * The node flags production runs the bridge with: those of `npm start` (package.json), e.g. the V8 heap
 * cap, so tests and benchmarks run the same process. Throws if the start script no longer has the shape
 * `[exec] node [flags] dist/src/index.js` (this must then be updated with it).
 */
export function productionNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(resolve(__dirname, "../../../../package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts?.start ?? "";
  const flags = /^(?:exec\s+)?node((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/src\/index\.js$/.exec(start.trim())?.[1];
  if (flags === undefined) throw new Error(`package.json's start script is not "[exec] node [flags] dist/src/index.js": ${start}`);
  return flags.split(/\s+/).filter(Boolean);
}

export interface BridgeProcessOptions {
  /** The bridge's environment (PORT is added); nothing is inherited but PATH. */
  readonly env: Readonly<Record<string, string>>;
  /** Where the bridge's stdout/stderr (JSON log lines) are appended. */
  readonly logFile: string;
  /** Fixed port, kept across restarts so Meta's webhook URL stays the same. */
  readonly port: number;
  /** Called with every parsed log line that has one of these events (e.g. to time recovery). */
  readonly watchEvents?: readonly string[];
  readonly onEvent?: (event: string, line: Record<string, unknown>) => void;
  /** Extra node flags (e.g. `--cpu-prof` to profile the bridge under load), after production's (`npm start`'s). */
  readonly execArgv?: readonly string[];
}

/**
 * The bridge as a real child process (`node dist/src/index.js` with `npm start`'s flags), for chaos tests: start it, wait for
 * `/readyz`, kill it with SIGKILL (a crash) or SIGTERM (a graceful stop), start it again on the same
 * port. It dies with the test process (an IPC channel and the exit-with-parent preload).
 */
export class BridgeProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private readonly log: WriteStream;
  /** How many times it was started. */
  starts = 0;
  /** Whether it holds the processing lease, as its log says (`bridge.leadership.acquired` / `.lost`). */
  leader = false;
  private readonly killOnExit = () => {
    this.child?.kill("SIGKILL");
  };

  constructor(private readonly options: BridgeProcessOptions) {
    if (!existsSync(ENTRY)) throw new Error(`the bridge is not built: ${ENTRY} is missing (run npm run build)`);
    this.log = createWriteStream(options.logFile, { flags: "a" });
    process.on("exit", this.killOnExit);
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** The process id while running (for resource sampling). */
  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the process and resolves once `/readyz` answers 200 (rejects if it exits or takes too long).
   * `env`: variables that replace the configured ones for this start only (e.g. another poll interval).
   */
  async start(timeoutMs = 30_000, env: Readonly<Record<string, string>> = {}): Promise<void> {
    if (this.running) throw new Error("the bridge process is already running");
    this.starts++;
    const variables = { PATH: process.env.PATH ?? "", ...this.options.env, ...env, PORT: String(this.options.port), HOST: "127.0.0.1" };
    const flags = [...productionNodeFlags(), ...(this.options.execArgv ?? [])];
    const child = spawn(process.execPath, [...flags, "--require", EXIT_WITH_PARENT, ENTRY], { env: variables, stdio: ["ignore", "pipe", "pipe", "ipc"] });
    this.child = child;
    this.exited = new Promise((ok) => child.once("exit", (code, signal) => ok({ code, signal })));
    this.log.write(`--- start #${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    child.stderr!.pipe(this.log, { end: false });
    const lines = createInterface({ input: child.stdout! });
    this.leader = false;
    lines.on("line", (line) => {
      this.log.write(`${line}\n`);
      const event = /"event":"([^"]+)"/.exec(line)?.[1];
      if (event === "bridge.leadership.acquired") this.leader = true;
      if (event === "bridge.leadership.lost" || event === "bridge.leadership.released") this.leader = false;
      if (!this.options.onEvent || !this.options.watchEvents) return;
      if (event && this.options.watchEvents.includes(event)) this.options.onEvent(event, JSON.parse(line) as Record<string, unknown>);
    });
    child.channel?.unref();
    await this.waitReady(timeoutMs);
  }

  /** Polls `/readyz` until 200. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the bridge process exited before it was ready (see ${this.options.logFile})`);
      const status = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await sleep(100);
    }
    throw new Error(`the bridge was not ready within ${timeoutMs} ms (see ${this.options.logFile})`);
  }

  /** A crash: SIGKILL, no clean-up at all. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill("SIGKILL");
    await this.exited;
    this.leader = false;
  }

  /** A graceful stop: SIGTERM; resolves with how it exited and how long it took. */
  async terminate(timeoutMs = 35_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    if (!this.running) return { ...((await this.exited) ?? { code: null, signal: null }), ms: 0 };
    this.child!.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), timeoutMs);
    const result = await this.exited!;
    clearTimeout(timer);
    return { ...result, ms: Date.now() - started };
  }

  /** Stops the process if running (SIGKILL) and closes the log. */
  async dispose(): Promise<void> {
    await this.kill9();
    process.off("exit", this.killOnExit);
    await new Promise<void>((ok) => this.log.end(() => ok()));
  }
}

export const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));
