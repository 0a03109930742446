import { retryAfterSeconds, type ThrottleVerdict } from "./teams-throttle";

/**
 * Which throttling keys a Bot Connector request counts against (docs/protocols.md B13): creating a thread
 * counts against its channel, a post or update against its conversation (the thread); every one against
 * its tenant. Other requests (attachment downloads) are not throttled: undefined.
 */
export function throttleKeys(method: string, path: string, body: unknown): { thread: string; tenant: string } | undefined {
  const parts = path
    .split("/")
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  if (parts[0] !== "v3" || parts[1] !== "conversations") return undefined;
  const b = record(body);
  const tenant = str(record(record(b.channelData).tenant).id) ?? str(record(b.conversation).tenantId) ?? str(b.tenantId) ?? "unknown-tenant";
  if (parts.length === 2 && method === "POST") {
    const channel = str(record(record(b.channelData).channel).id) ?? "unknown-channel";
    return { thread: channel, tenant };
  }
  if (parts[3] === "activities" && (method === "POST" || method === "PUT")) {
    // A thread's conversation id is `<channelId>;messageid=<root>`; an activity may name its tenant only there.
    return { thread: parts[2]!, tenant };
  }
  return undefined;
}

/** Teams' answer when throttled: 429 `Throttled` with `Retry-After` in whole seconds. */
export function throttleAnswer(verdict: Extract<ThrottleVerdict, { ok: false }>): { status: number; body: unknown; headers: Record<string, string> } {
  return {
    status: 429,
    body: { error: { code: "Throttled", message: `too many requests for this ${verdict.scope}` } },
    headers: { "retry-after": retryAfterSeconds(verdict.retryAfterMs) },
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
