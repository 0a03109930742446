/**
 * What HTTP spans may say. A URL can carry personal data or secrets: a table key holding a customer's
 * number, a file name, a media link's token, the webhook verification token in a query string. So a
 * span keeps the scheme, host and the fixed words of a path, and nothing else.
 */

/** A path segment kept as is: a lower-case word (`conversations`, `activities`) or an API version (`v3`, `v25.0`). */
const FIXED_WORD = /^(?:[a-z][a-z-]{0,23}|v\d{1,2}(?:\.\d{1,2})?)$/;
/** A Table storage entity (`bridgeinbox(PartitionKey='…',RowKey='…')`): the table's name (the bridge's own) is kept. */
const TABLE_ENTITY = /^([a-z][a-z0-9]{2,62})\(.*\)$/i;

function maskedSegment(segment: string): string {
  if (segment === "" || FIXED_WORD.test(segment)) return segment;
  const entity = TABLE_ENTITY.exec(segment);
  return entity ? `${entity[1]}(:key)` : ":id";
}

/**
 * `https://host/v3/conversations/19%3Aabc/activities/123?x=1` → `https://host/v3/conversations/:id/activities/:id`:
 * the query goes, and every path segment but the fixed words becomes `:id`.
 */
export function maskedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return ":url";
  }
  const path = parsed.pathname.split("/").map(maskedSegment).join("/");
  return `${parsed.protocol}//${parsed.host}${path}`;
}

/** The path of a request line (`/api/messages?x=1` → `/api/messages`). */
export function pathOf(requestUrl: string | undefined): string {
  return (requestUrl ?? "/").split("?")[0] ?? "/";
}

/**
 * The POST routes whose requests are traced (the webhook deliveries and the Teams turns): every other
 * incoming request is left out — health probes every few seconds, the webhook verification (its query
 * carries the verify token), media downloads (their path is a capability).
 */
export class TracedRoutes {
  private readonly paths = new Set<string>();

  add(path: string): void {
    this.paths.add(path);
  }

  /** True when an incoming request is one to trace. */
  includes(method: string | undefined, requestUrl: string | undefined): boolean {
    return method === "POST" && this.paths.has(pathOf(requestUrl));
  }
}
