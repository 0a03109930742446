import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signedWebhook } from "../../../tools/sign-webhook";
import { freePort, startEntry, waitForOk } from "../../support/entry-process";

/** The real entry point (`npm start`) in a child process, in an empty working directory (embedded Azurite). */
export interface BridgeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Resolves when the bridge has logged `event` (its JSON lines on stdout). */
  waitForLog(event: string, timeoutMs?: number): Promise<void>;
  postWebhook(body: object, appSecret: string): Promise<number>;
  postActivity(activity: Record<string, unknown>): Promise<number>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function startBridgeProcess(env: Record<string, string>): Promise<BridgeProcess> {
  const port = await freePort();
  const entry = startEntry({ ...env, PORT: String(port) }, mkdtempSync(join(tmpdir(), "bridge-telemetry-")));
  const { child, exited } = entry;
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitForOk(`${url}/readyz`, 40_000))) {
    child.kill("SIGKILL");
    throw new Error(`the bridge did not become ready:\n${entry.out()}\n${entry.err()}`);
  }
  return {
    url,
    child,
    exited,
    stdout: () => entry.out(),
    stderr: () => entry.err(),
    async waitForLog(event, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!entry.out().includes(`"event":"${event}"`)) {
        if (Date.now() > deadline) throw new Error(`the bridge did not log ${event} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async postWebhook(body, appSecret) {
      const signed = signedWebhook(body, appSecret);
      const res = await fetch(`${url}/api/whatsapp/webhook`, { method: "POST", headers: signed.headers, body: new Uint8Array(signed.body) });
      await res.arrayBuffer();
      return res.status;
    },
    async postActivity(activity) {
      const res = await fetch(`${url}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity) });
      await res.arrayBuffer();
      return res.status;
    },
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

let nextActivityId = 1_780_000_000_000;

/** A channel message activity (auth disabled, so no token): a new post, or a reply in `thread`. */
export function channelActivity(options: {
  text: string;
  from: string;
  serviceUrl: string;
  channelId: string;
  tenantId: string;
  thread?: string;
  mentionBot?: boolean;
}): Record<string, unknown> {
  const id = String(nextActivityId++);
  const bot = { id: "28:bridge-bot", name: "WhatsApp Bridge" };
  const at = "<at>WhatsApp Bridge</at>";
  return {
    type: "message",
    id,
    timestamp: new Date().toISOString(),
    channelId: "msteams",
    serviceUrl: options.serviceUrl,
    from: { id: `29:${options.from}`, name: "Sam Staff", aadObjectId: options.from },
    conversation: { id: options.thread ?? `${options.channelId};messageid=${id}`, conversationType: "channel", isGroup: true, tenantId: options.tenantId },
    recipient: bot,
    text: options.mentionBot ? `${at} ${options.text}` : options.text,
    textFormat: "plain",
    entities: options.mentionBot ? [{ type: "mention", mentioned: bot, text: at }] : [],
    channelData: {
      tenant: { id: options.tenantId },
      team: { id: "19:general@thread.tacv2", name: "Support" },
      channel: { id: options.channelId, name: "WhatsApp" },
    },
    ...(options.thread ? { replyToId: options.thread.split(";messageid=")[1] } : {}),
  };
}
