/**
 * Which of Teams' rate limits a Bot Connector request counts against (docs/protocols.md B13), from the request
 * itself: creating a conversation counts against its channel like a send, a send or an update of an
 * activity against its conversation (the thread, `<channelId>;messageid=<root>`), and every request of
 * the app against its tenant's global limit.
 */
export interface ConnectorRequestLike {
  readonly url: string;
  readonly method: string;
  readonly body?: unknown;
}

/** A tenant the request does not name: still limited, together with every other such request. */
export const UNKNOWN_TENANT = "tenant:unknown";

/** Limiter keys (`thread:…`, `tenant:…`) of a Bot Connector request. */
export function connectorThrottleKeys(request: ConnectorRequestLike): string[] {
  const parts = pathParts(request.url);
  // The serviceUrl may carry a path of its own (e.g. `/amer/`): find the API's segments after it.
  const at = parts.findIndex((p, i) => p === "v3" && parts[i + 1] === "conversations");
  const api = at < 0 ? [] : parts.slice(at + 2);
  const write = request.method === "POST" || request.method === "PUT";
  const body = write ? parseBody(request.body) : {};
  const tenant = str(record(body.conversation).tenantId) ?? str(record(record(body.channelData).tenant).id) ?? str(body.tenantId);
  const tenantKey = tenant ? `tenant:${tenant}` : UNKNOWN_TENANT;
  if (at >= 0 && api.length === 0 && request.method === "POST") {
    const channel = str(record(record(body.channelData).channel).id);
    return channel ? [`thread:${channel}`, tenantKey] : [tenantKey];
  }
  if (api.length >= 2 && api[1] === "activities" && write) return [`thread:${api[0]!}`, tenantKey];
  return [tenantKey];
}

function pathParts(url: string): string[] {
  try {
    return new URL(url).pathname
      .split("/")
      .filter(Boolean)
      .map((p) => decodeURIComponent(p));
  } catch {
    return [];
  }
}

function parseBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "string") return record(body);
  try {
    return record(JSON.parse(body));
  } catch {
    return {};
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
