import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { productionNodeFlags } from "../../chaos/support/bridge-process";

const ENTRY = resolve(__dirname, "../../../src/index.js");
const EXIT_WITH_PARENT = resolve(__dirname, "../../../src/storage/azurite/exit-with-parent.js");

/** What a multi-process test runs its bridges against. */
export interface ChildWorld {
  readonly secret: string;
  readonly token: string;
  /** Meta's Graph API stand-in. */
  readonly metaGraphUrl: string;
  readonly storageConnectionString: string;
  /** The Bot Connector stand-in's host. */
  readonly connectorHost: string;
  /** Working folder (local media). */
  readonly cwd: string;
  readonly leaseSeconds: number;
}

/**
 * The environment of a bridge child in a multi-process test: leader lease renewed every 2 s, the inbox
 * polled every second, info logs (what the tests wait for); `extra` adds or overrides.
 */
export function childEnv(world: ChildWorld, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    WHATSAPP_APP_SECRET: world.secret,
    WHATSAPP_VERIFY_TOKEN: "child-verify-token-0001",
    WHATSAPP_ACCESS_TOKEN: world.token,
    WHATSAPP_GRAPH_URL: world.metaGraphUrl,
    AZURE_STORAGE_CONNECTION_STRING: world.storageConnectionString,
    BOT_AUTH_DISABLED: "true",
    TEAMS_SERVICE_URL_HOSTS: world.connectorHost,
    WHATSAPP_MEDIA_HOSTS: new URL(world.metaGraphUrl).host,
    MEDIA_LOCAL_DIR: join(world.cwd, "media"),
    LEASE_DURATION_SECONDS: String(world.leaseSeconds),
    LEASE_RENEW_SECONDS: "2",
    INBOX_POLL_SECONDS: "1",
    LOG_LEVEL: "info",
    ...extra,
  };
}

/** One parsed JSON log line of the child, with the time the test saw it. */
export interface SeenLine {
  readonly event: string;
  readonly at: number;
  readonly fields: Record<string, unknown>;
}

/**
 * A bridge as a real process (`node [npm start's flags] dist/src/index.js`, what `npm start` runs), for the multi-instance and
 * shutdown tests: its JSON log lines are kept (with the time seen) so tests can wait for events such as
 * `bridge.leadership.acquired`. It dies with the test process (the exit-with-parent preload).
 */
export class BridgeChild {
  readonly lines: SeenLine[] = [];
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    readonly port: number,
    env: Readonly<Record<string, string>>,
    cwd: string,
  ) {
    this.child = spawn(process.execPath, [...productionNodeFlags(), "--require", EXIT_WITH_PARENT, ENTRY], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child.channel?.unref();
    this.exited = new Promise((ok) => this.child.once("exit", (code, signal) => ok({ code, signal, at: Date.now() })));
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      this.output.push(line);
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (typeof parsed.event === "string") this.lines.push({ event: parsed.event, at: Date.now(), fields: parsed });
      } catch {
        // Not a log line (should not happen); kept in `output` for the failure message.
      }
    });
    createInterface({ input: this.child.stderr! }).on("line", (line) => this.output.push(`stderr: ${line}`));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first time `event` was logged, if it was. */
  seen(event: string): SeenLine | undefined {
    return this.lines.find((l) => l.event === event);
  }

  /** Resolves once `/readyz` answers 200; rejects if the process exits first or after `ms`. */
  async ready(ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.tail()}`);
      const status = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} was not ready within ${ms} ms:\n${this.tail()}`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The last log lines, for failure messages. */
  tail(n = 30): string {
    return this.output.slice(-n).join("\n");
  }
}
