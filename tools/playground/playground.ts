import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { findFreePort } from "../../src/storage/azurite/free-port";
import { PLAYGROUND, playgroundConfigFile } from "./playground-config";

/**
 * Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`), Microsoft's offline Teams
 * simulator, run as a child process on 127.0.0.1 as the Teams client of the demo and the browser tests.
 * It serves its web UI at `/`, a mocked Bot Connector at `/_connector` (the bot's `serviceUrl`) and an
 * undocumented HTTP API at `/_conversation/v1/...` that posts as a user (used to link the channel).
 */
export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. Start the bot first: the Playground waits for it. */
  readonly botEndpoint: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Where its config file and log go; default a fresh temporary folder, removed by `stop()`. */
  readonly workDir?: string;
  /** Default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface RunningPlayground {
  /** The web UI, `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The mocked Bot Connector the bot replies to: `http://127.0.0.1:PORT/_connector`. */
  readonly serviceUrl: string;
  /** `127.0.0.1:PORT`: for the bridge's `TEAMS_SERVICE_URL_HOSTS`. */
  readonly connectorHost: string;
  readonly logFile: string;
  /**
   * Posts as a user through the Playground's HTTP API: into `conversationId` (a channel id starts a new
   * post; `<channel>;messageid=<root>` replies in a thread). With `mentionBot`, the text starts with an
   * @mention of the bot, which is what makes the Playground (and Teams without RSC) deliver it.
   * Posts injected this way do not appear in an already open Playground page.
   */
  postMessage(
    conversationId: string,
    text: string,
    options?: { from?: string; mentionBot?: boolean },
  ): Promise<{ messageId: string; postConversationId?: string }>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";

/** Starts the Playground and resolves once its API answers. */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), "playground-"));
  mkdirSync(workDir, { recursive: true });
  const configFile = join(workDir, "m365agentsplayground.yml");
  const logFile = join(workDir, "playground.log");
  writeFileSync(configFile, playgroundConfigFile());

  const port = options.port ?? (await findFreePort(HOST));
  const origin = `http://${HOST}:${port}`;
  const child = spawn(
    process.execPath,
    [
      "-r",
      join(__dirname, "loopback-preload.js"),
      require.resolve("@microsoft/m365agentsplayground/cli.js"),
      "start",
      "-p",
      String(port),
      "-e",
      options.botEndpoint,
      "-c",
      "msteams",
      "--service-url",
      `${origin}/_connector`,
      "--disable-telemetry",
    ],
    {
      cwd: workDir,
      // A clean environment: the Playground needs none of ours (and must not see secrets).
      env: {
        PATH: process.env.PATH ?? "",
        HOME: workDir,
        TEAMSAPPTESTER_BROWSER: "none",
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile,
        M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // Its own process group: a Ctrl-C in the terminal reaches only the demo (or test), which stops it
      // in order; the preload's IPC guard still ends it with its parent.
      detached: true,
      windowsHide: true,
    },
  );
  const output: string[] = [];
  const keep = (line: string) => {
    output.push(line);
    if (output.length > 20) output.shift();
  };
  const listening = new Promise<number>((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      keep(line);
      const match = /^Listening on (\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
  createInterface({ input: child.stderr! }).on("line", keep);
  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off("exit", killOnExit);
      await terminate(child);
      if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    const actual = await withTimeout(
      Promise.race([listening, exited(child).then(() => -1)]),
      options.startTimeoutMs ?? 30_000,
      "the Playground did not start listening",
    );
    if (actual === -1) throw new Error(`the Playground exited during start. Last output: ${output.join(" | ")}`);
    // It falls back to a random port when the one given is taken; the serviceUrl would then be wrong.
    if (actual !== port) throw new Error(`the Playground listens on ${actual} instead of ${port} (port taken?)`);
    await waitForApi(origin, Date.now() + (options.startTimeoutMs ?? 30_000));
  } catch (err) {
    await stop();
    throw new Error(`Agents Playground failed to start: ${err instanceof Error ? err.message : String(err)}. Log: ${logFile}`, { cause: err });
  }

  return {
    url: `${origin}/`,
    serviceUrl: `${origin}/_connector`,
    connectorHost: `${HOST}:${port}`,
    logFile,
    postMessage: (conversationId, text, o = {}) => postMessage(origin, conversationId, text, o),
    stop,
  };
}

async function postMessage(
  origin: string,
  conversationId: string,
  text: string,
  o: { from?: string; mentionBot?: boolean },
): Promise<{ messageId: string; postConversationId?: string }> {
  const at = `<at>${PLAYGROUND.bot.name}</at>`;
  const body = {
    from: { id: o.from ?? PLAYGROUND.currentUser.id },
    text: o.mentionBot ? `${at} ${text}` : text,
    textFormat: "plain",
    ...(o.mentionBot ? { mentions: [{ mentioned: { id: PLAYGROUND.bot.id }, text: at }] } : {}),
  };
  const response = await fetch(`${origin}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.text();
  if (!response.ok) throw new Error(`Playground refused the message (${response.status}): ${answer.slice(0, 300)}`);
  return JSON.parse(answer) as { messageId: string; postConversationId?: string };
}

async function waitForApi(origin: string, deadline: number): Promise<void> {
  for (;;) {
    if (Date.now() > deadline) throw new Error("the Playground's API did not answer in time");
    try {
      const response = await fetch(`${origin}/_internal/v1/testConfig`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch (err) {
      // Not accepting connections yet: expected during start-up, so try again shortly.
      if (!(err instanceof TypeError) && !(err instanceof DOMException)) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), 5_000);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill("SIGKILL");
    await done;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
