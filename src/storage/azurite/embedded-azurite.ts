import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PermanentError } from "../../core/errors";
import type { Logger } from "../../core/ports/logger";
import { assertPortFree, findFreePort } from "./free-port";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
export const AZURITE_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Azurite binds here only: the emulator accepts any request signed with the public key above. */
const HOST = "127.0.0.1";
const STOP_GRACE_MS = 5_000;
const OUTPUT_LINES_KEPT = 20;

export interface EmbeddedAzuriteOptions {
  /** Folder for Azurite's data (created if missing, e.g. `.data/azurite`); omit to keep everything in memory (tests). */
  readonly location?: string;
  /** Table service port; default: a free port chosen by the OS. */
  readonly tablePort?: number;
  /** Blob service port; default: a free port chosen by the OS. */
  readonly blobPort?: number;
  /** How long to wait for the table service to accept connections; default 30 000 ms. */
  readonly startTimeoutMs?: number;
  /** Receives Azurite's output (debug) and lifecycle lines (info). */
  readonly logger?: Logger;
  /** Chooses [table, blob, queue] ports for each start; default: the given ones, else free ones (tests replace it to lose the race). */
  readonly choosePorts?: (options: EmbeddedAzuriteOptions) => Promise<[number, number, number]>;
}

export interface EmbeddedAzurite {
  /** Connection string of the development account with this instance's table and blob endpoints. */
  readonly connectionString: string;
  readonly tablePort: number;
  readonly blobPort: number;
  /** Stops Azurite (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

/** The development-account connection string for Azurite on 127.0.0.1 with the given ports. */
export function azuriteConnectionString(tablePort: number, blobPort: number): string {
  return (
    [
      "DefaultEndpointsProtocol=http",
      `AccountName=${AZURITE_ACCOUNT_NAME}`,
      `AccountKey=${AZURITE_ACCOUNT_KEY}`,
      `TableEndpoint=http://${HOST}:${tablePort}/${AZURITE_ACCOUNT_NAME}`,
      `BlobEndpoint=http://${HOST}:${blobPort}/${AZURITE_ACCOUNT_NAME}`,
    ].join(";") + ";"
  );
}

/**
 * Starts Azurite (npm package `azurite`) as a child Node process serving tables and blobs on 127.0.0.1,
 * with `--disableTelemetry` (without it the process lingers), `--skipApiVersionCheck`, `--loose` and
 * `--silent` (no access log), on disk under `location` or `--inMemoryPersistence`. Azurite's combined
 * entry point also starts its queue service; that one gets a free port on 127.0.0.1 too and is unused.
 *
 * Resolves once the table port accepts connections. Rejects with `PermanentError("storage.azurite.start_failed")`
 * naming what failed: a requested port already taken, the process exiting early (with its last output),
 * or the table service not answering within `startTimeoutMs` (the child is then killed).
 *
 * The child runs in its own process group, so a signal sent to this process's group (Ctrl-C in a
 * terminal) reaches only this process, which stops storage last. It still dies with this process:
 * `stop()`, a `process.on("exit")` hook, and an IPC channel whose closing makes the child shut itself
 * down even if this process is killed outright.
 */
export async function startEmbeddedAzurite(options: EmbeddedAzuriteOptions = {}): Promise<EmbeddedAzurite> {
  const logger = options.logger;
  const entry = azuriteEntryPoint();
  // Ports the OS called free may be taken by another process before Azurite binds them (parallel test
  // workers, other programs): when it chose them itself, it tries again with fresh ones.
  const ownPorts = options.tablePort === undefined || options.blobPort === undefined;
  let launched: Launched | undefined;
  for (let attempt = 1; !launched; attempt++) {
    try {
      launched = await launch(entry, await (options.choosePorts ?? choosePorts)(options), options);
    } catch (err) {
      if (!ownPorts || attempt >= PORT_ATTEMPTS || !(err instanceof PortTaken)) throw err;
      logger?.warn("storage.azurite.port_taken", { attempt });
    }
  }
  const { child, tablePort, blobPort, killOnExit } = launched;
  logger?.info("storage.azurite.started", {
    host: HOST,
    tablePort,
    blobPort,
    persistence: options.location === undefined ? "memory" : "disk",
    location: options.location,
  });

  let stopping: Promise<void> | undefined;
  return {
    connectionString: azuriteConnectionString(tablePort, blobPort),
    tablePort,
    blobPort,
    stop: () => {
      stopping ??= (async () => {
        process.off("exit", killOnExit);
        await terminate(child);
        logger?.info("storage.azurite.stopped", { tablePort, blobPort });
      })();
      return stopping;
    },
  };
}

/** A port Azurite was given turned out to be taken when it tried to bind it. */
class PortTaken extends PermanentError {}

/** Starts tried, each on freshly chosen ports, when ports it chose itself turn out to be taken. */
const PORT_ATTEMPTS = 3;

interface Launched {
  readonly child: ChildProcess;
  readonly tablePort: number;
  readonly blobPort: number;
  readonly killOnExit: () => void;
}

async function launch(entry: string, [tablePort, blobPort, queuePort]: [number, number, number], options: EmbeddedAzuriteOptions): Promise<Launched> {
  const logger = options.logger;
  const args = [
    entry,
    "--tableHost",
    HOST,
    "--tablePort",
    String(tablePort),
    "--blobHost",
    HOST,
    "--blobPort",
    String(blobPort),
    "--queueHost",
    HOST,
    "--queuePort",
    String(queuePort),
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--loose",
    "--silent",
    ...(options.location === undefined ? ["--inMemoryPersistence"] : ["--location", options.location]),
  ];
  const guard = join(__dirname, "exit-with-parent.js");
  const preload = existsSync(guard) ? ["--require", guard] : [];
  if (preload.length === 0) logger?.warn("storage.azurite.no_exit_guard", { expected: guard });

  // Its own process group: a Ctrl-C in the terminal signals the whole foreground group at once, and
  // Azurite must not stop before the bridge has released its lease. The bridge stops it last (stop());
  // the IPC guard still ends it with this process however this process ends.
  const child = spawn(process.execPath, [...preload, ...args], { stdio: ["ignore", "pipe", "pipe", "ipc"], detached: true, windowsHide: true });
  const output: string[] = [];
  const listening = new Set<number>();
  captureOutput(child, output, listening, logger);
  const killOnExit = () => {
    child.kill("SIGTERM");
  };
  process.on("exit", killOnExit);

  try {
    await waitUntilReady(child, { tablePort, blobPort }, listening, options.startTimeoutMs ?? 30_000, output);
  } catch (err) {
    process.off("exit", killOnExit);
    await terminate(child);
    throw err;
  }
  return { child, tablePort, blobPort, killOnExit };
}

/**
 * Azurite's entry point. The package is a development dependency: a production install (`npm ci
 * --omit=dev`, the deployment zip) has none, and then local mode must say what to do in one line.
 */
function azuriteEntryPoint(): string {
  try {
    return require.resolve("azurite/dist/src/azurite.js");
  } catch {
    throw new PermanentError(
      "storage.azurite.not_installed",
      "Embedded Azurite is not installed (it is a development dependency): set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME, or install the development dependencies (npm ci) for local mode",
    );
  }
}

async function choosePorts(options: EmbeddedAzuriteOptions): Promise<[number, number, number]> {
  for (const [service, port] of [
    ["table", options.tablePort],
    ["blob", options.blobPort],
  ] as const) {
    if (port === undefined) continue;
    try {
      await assertPortFree(HOST, port);
    } catch (err) {
      throw startFailed(`the ${service} port ${HOST}:${port} cannot be bound (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  const chosen = new Set<number>([options.tablePort, options.blobPort].filter((p): p is number => p !== undefined));
  const pick = async (given: number | undefined): Promise<number> => {
    if (given !== undefined) return given;
    for (;;) {
      const port = await findFreePort(HOST);
      if (!chosen.has(port)) {
        chosen.add(port);
        return port;
      }
    }
  };
  return [await pick(options.tablePort), await pick(options.blobPort), await pick(undefined)];
}

/** Azurite's own word that a service listens: `Azurite Table service is successfully listening at http://host:port`. */
const LISTENING = /^Azurite (?:Blob|Queue|Table) service is successfully listening at https?:\/\/[^\s:]+:(\d+)/;

function captureOutput(child: ChildProcess, kept: string[], listening: Set<number>, logger: Logger | undefined): void {
  const keep = (line: string) => {
    const port = LISTENING.exec(line)?.[1];
    if (port) listening.add(Number(port));
    kept.push(line);
    if (kept.length > OUTPUT_LINES_KEPT) kept.shift();
  };
  if (child.stdout)
    createInterface({ input: child.stdout }).on("line", (line) => {
      keep(line);
      logger?.debug("storage.azurite.output", { line });
    });
  if (child.stderr)
    createInterface({ input: child.stderr }).on("line", (line) => {
      keep(line);
      logger?.warn("storage.azurite.error_output", { line });
    });
}

/**
 * Resolves once Azurite itself has said its table and blob services listen on their ports (checked after
 * it is known to be alive). A connection to the port is not enough: another process may have taken it
 * (then this Azurite exits, EADDRINUSE, and the connection reached someone else's service).
 */
async function waitUntilReady(
  child: ChildProcess,
  ports: { readonly tablePort: number; readonly blobPort: number },
  listening: ReadonlySet<number>,
  timeoutMs: number,
  output: readonly string[],
): Promise<void> {
  const { tablePort, blobPort } = ports;
  let spawnError: Error | undefined;
  child.once("error", (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + timeoutMs;
  const lastOutput = () => (output.length > 0 ? ` Last output: ${output.join(" | ")}` : "");
  for (;;) {
    if (spawnError) throw startFailed(`could not run ${process.execPath}: ${spawnError.message}`);
    if (hasExited(child)) {
      // Let the pipes deliver the child's last words before quoting them.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const message = `the Azurite process exited (${exitDescription(child)}) before its table service accepted connections on ${HOST}:${tablePort}.${lastOutput()}`;
      throw output.some((line) => line.includes("EADDRINUSE"))
        ? new PortTaken("storage.azurite.start_failed", `Embedded Azurite failed to start: ${message}`)
        : startFailed(message);
    }
    // Azurite prints the line once its listener is bound: the port then accepts connections.
    if (listening.has(tablePort) && listening.has(blobPort)) return;
    if (Date.now() >= deadline) {
      throw startFailed(`the Azurite table service did not accept connections on ${HOST}:${tablePort} within ${timeoutMs} ms.${lastOutput()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exitDescription(child: ChildProcess): string {
  return child.signalCode !== null ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
}

/** SIGTERM, then SIGKILL if it has not exited after a grace period; resolves once it has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && !hasExited(child)) {
    child.kill("SIGKILL");
    await exited;
  }
}

function startFailed(reason: string): PermanentError {
  return new PermanentError("storage.azurite.start_failed", `Embedded Azurite failed to start: ${reason}`);
}
