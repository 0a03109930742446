import { ACCESS_TOKEN, APP_ID, APP_SECRET, startHarness, VERIFY_TOKEN, type Harness } from "../../support/bridge-harness";
import type { MintOptions } from "../../support/token-issuer";

/**
 * What the security suite shares across its groups: the harnesses it started (their logs are searched
 * for secrets at the end), every secret and token it used, and every answer the bridge gave to a hostile
 * request (searched for secrets and stack traces).
 */

const logs: string[] = [];
const running = new Set<Harness>();
/** Label → value of everything secret the suite handed to the bridge or sent it. */
export const secretsUsed = new Map<string, string>([
  ["WHATSAPP_APP_SECRET", APP_SECRET],
  ["WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN],
  ["WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN],
]);
/** Full phone numbers of the customers the suite played. */
export const phonesUsed = new Set<string>();
/** Bodies of the bridge's answers to refused requests. */
export const refusalAnswers: string[] = [];

export async function openHarness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  running.add(h);
  return h;
}

/** Keeps the harness's log (as production writes it) for the final search, then stops it. */
export async function closeHarness(h: Harness | undefined): Promise<void> {
  if (!h || !running.has(h)) return;
  running.delete(h);
  logs.push(h.logText());
  await h.stop();
}

/** Every log line written so far, by closed and running harnesses. */
export function allLogs(): string {
  return [...logs, ...[...running].map((h) => h.logText())].join("");
}

export function customer(phone: string, name: string, userId = `GB.${phone.slice(-12)}`): { phone: string; name: string; userId: string } {
  phonesUsed.add(phone);
  return { phone, name, userId };
}

/** A token from the local issuer, remembered for the search. */
export async function mint(h: Harness, options: MintOptions): Promise<string> {
  const jwt = await h.issuer.mint(options);
  secretsUsed.set(`JWT ${secretsUsed.size}`, jwt);
  return jwt;
}

/** POSTs an activity with a valid token for it (or `token`; `null` for none); remembers refusals' answers. */
export async function sendActivity(h: Harness, activity: Record<string, unknown>, token?: string | null): Promise<{ status: number; body: string }> {
  const jwt = token === undefined ? await mint(h, { aud: APP_ID, serviceUrl: String(activity.serviceUrl) }) : token;
  const answer = await h.sendActivity(activity, { token: jwt });
  if (answer.status >= 400) refusalAnswers.push(answer.body);
  return answer;
}

/** POSTs raw bytes to the webhook with exactly these headers; remembers refusals' answers. */
export async function postRawWebhook(h: Harness, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(`${h.bridge.url}/api/whatsapp/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  if (res.status >= 400) refusalAnswers.push(text);
  return { status: res.status, body: text };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Teams HTML as a reader sees it (entities decoded). */
export const shown = (html: string) =>
  html
    .replace(/&#91;/g, "[")
    .replace(/&#93;/g, "]")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
