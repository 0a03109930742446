import type { z } from "zod/v4";
import { WhatsAppSendError } from "../../core/errors";
import { classifyGraphError, parseRetryAfter, transportError } from "./meta-errors";

export interface MetaGraphClientOptions {
  /** Graph API base including the version, e.g. `https://graph.facebook.com/v25.0` (docs/protocols.md A1: pin the version). */
  readonly metaGraphUrl: string;
  /** System-user token, sent as `Authorization: Bearer …`; never put in errors. */
  readonly accessToken: string;
  /** Per request, including reading the answer. Default 15 s. */
  readonly timeoutMs?: number;
  /** Injected for tests; defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** Pages followed at most on one listing (a WABA's numbers or templates). */
const MAX_PAGES = 50;

/** `text` with every occurrence of `token` replaced: Meta never echoes it, but a misbehaving proxy might. */
export function redactToken(text: string, token: string): string {
  return token ? text.split(token).join("[redacted]") : text;
}

/**
 * JSON calls to Meta's Graph API with the system-user token (docs/protocols.md A1): the timeout covers
 * the whole exchange, failures are classified into the core's failure kinds (meta-errors.ts), and the
 * token is kept out of every error text.
 */
export class MetaGraphClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: MetaGraphClientOptions) {
    this.baseUrl = options.metaGraphUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? fetch;
  }

  /**
   * Every row of a paged edge of the configured WABA (`[]` without one). The cursor is followed on our own
   * base URL rather than `paging.next`, so the token only ever goes to the configured Graph API.
   */
  async wabaPages<Row>(
    waba: string | undefined,
    edge: string,
    schema: z.ZodType<{ data: Row[]; paging?: { cursors?: { after?: string }; next?: string } }>,
    what: string,
  ): Promise<Row[]> {
    if (!waba) return [];
    const first = `${this.baseUrl}/${encodeURIComponent(waba)}/${edge}`;
    const rows: Row[] = [];
    let url = first;
    for (let page = 0; page < MAX_PAGES; page++) {
      const parsed = schema.safeParse(await this.call("GET", url));
      if (!parsed.success)
        throw new WhatsAppSendError("unknown", `Graph API ${what} answer has an unexpected shape`, {
          retryable: false,
          userMessage: `WhatsApp answered the list of ${what} in an unexpected form.`,
        });
      rows.push(...parsed.data.data);
      const after = parsed.data.paging?.cursors?.after;
      if (!parsed.data.paging?.next || !after) break;
      url = `${first}${edge.includes("?") ? "&" : "?"}after=${encodeURIComponent(after)}`;
    }
    return rows;
  }

  /** One Graph call: JSON in and out, the timeout covering the whole exchange, errors classified. */
  async call(method: "GET" | "POST", url: string, body?: unknown): Promise<unknown> {
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await this.fetchFn(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      text = await response.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw transportError(timedOut ? "timeout" : "network", this.timeoutMs, err);
    }
    const safeText = this.redact(text);
    if (status < 200 || status > 299) throw classifyGraphError(status, safeText, parseRetryAfter(retryAfter));
    try {
      return JSON.parse(safeText) as unknown;
    } catch (err) {
      throw new WhatsAppSendError("unknown", `Graph API answered HTTP ${status} with a body that is not JSON`, {
        retryable: false,
        cause: err,
        userMessage: "WhatsApp answered in an unexpected form, so it is not known whether the message was sent. Check before sending again.",
      });
    }
  }

  /** Meta never echoes the token, but a misbehaving proxy might: keep it out of every error text. */
  redact(text: string): string {
    return redactToken(text, this.options.accessToken);
  }
}
