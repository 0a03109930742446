import { toHttpHeadersLike } from "@azure/core-http-compat";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  isRestError,
  type HttpClient,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { ConnectorClientOptions } from "botframework-connector";
import { PermanentError } from "../core/errors";
import { connectorThrottleKeys } from "./connector-throttle-keys";
import type { TeamsRateLimiter } from "./rate-limiter";
import { allowedServiceUrlHost, hostForLog } from "./service-url";

/**
 * The HTTP client of every Bot Connector client (`ConnectorClientOptions.httpClient`, the one
 * connector option botframework-connector 4.23 honours besides the proxy: it ignores `noRetryPolicy` and
 * replaces `requestPolicyFactories` with its own). It sits below the SDK's retry and redirect policies,
 * which act only on answers and on `RestError`s: it hands them back successes only, and everything else
 * as an error of its own, so each call is exactly one request. The SDK would otherwise wait out
 * Retry-After inside the call, retry POSTs after network errors (duplicates) and follow redirects; the
 * core decides about retries instead, with the rate limits in view.
 */

/** The compat shapes botframework-connector's `httpClient` option is declared with. */
export type ConnectorHttpClient = NonNullable<ConnectorClientOptions["httpClient"]>;
type ConnectorRequest = Parameters<ConnectorHttpClient["sendRequest"]>[0];
type ConnectorResponse = Awaited<ReturnType<ConnectorHttpClient["sendRequest"]>>;

export interface ConnectorHttpOptions {
  /** Hosts (`name[:port]`) a request may go to; any other is refused before a connection is made. */
  readonly serviceUrlHosts: readonly string[];
  /** Per-request timeout; a hung connector must not block a contact's queue forever. */
  readonly requestTimeoutMs: number;
  /** Sees every request and its answer (rate-limiter.ts); none: unlimited. */
  readonly limiter?: TeamsRateLimiter;
  /** Requests go ahead of queued proactive posts (replies inside a turn, which Teams waits on). */
  readonly first: boolean;
  /** The wire; default the SDK's own (its proxy and TLS settings reach it through the request). */
  readonly transport?: HttpClient;
}

/** Raised when a request names a host that is not allowed (an activity's serviceUrl, a redirect). */
export class ServiceUrlRefusedError extends PermanentError {
  constructor(readonly host: string) {
    super("teams.service_url_refused", `serviceUrl host ${host} is not in the allowed list`);
  }
}

/**
 * A Bot Connector request that failed: an answer other than 2xx (`statusCode`, Teams' error `code` and
 * the `response`, the fields of a RestError that mapConnectorError and the SDK's client read) or a
 * network failure (`code`). Deliberately not a RestError: the SDK's retry policy retries those.
 */
export class ConnectorCallError extends Error {
  override readonly name = "ConnectorCallError";
  readonly statusCode?: number;
  readonly code?: string;
  readonly response?: PipelineResponse;

  constructor(message: string, details: { code?: string; response?: PipelineResponse; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.code !== undefined) this.code = details.code;
    if (details.response) {
      this.response = details.response;
      this.statusCode = details.response.status;
    }
  }
}

/** Teams' error body: `{"error":{"code","message"}}`. */
function errorOf(body: string | null | undefined): { code?: string; message?: string } {
  try {
    const error = (JSON.parse(body ?? "") as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return {
      ...(typeof error?.code === "string" ? { code: error.code } : {}),
      ...(typeof error?.message === "string" ? { message: error.message.slice(0, 200) } : {}),
    };
  } catch {
    return {};
  }
}

async function sendOnce(transport: HttpClient, request: ConnectorRequest, timeoutMs: number): Promise<ConnectorResponse> {
  const url = new URL(request.url);
  const pipelineRequest = createPipelineRequest({
    url: request.url,
    method: request.method,
    headers: createHttpHeaders(request.headers.toJson({ preserveCase: true })),
    body: request.body,
    timeout: request.timeout || timeoutMs,
    ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
    ...(request.agent ? { agent: request.agent } : {}),
    ...(request.proxySettings ? { proxySettings: request.proxySettings } : {}),
    // Plain http only reaches here for loopback hosts (the allow-list refuses it elsewhere).
    allowInsecureConnection: url.protocol === "http:",
  });
  let response;
  try {
    response = await transport.sendRequest(pipelineRequest);
  } catch (err) {
    throw isRestError(err)
      ? new ConnectorCallError(`Bot Connector request failed: ${err.message}`, { ...(err.code ? { code: err.code } : {}), cause: err })
      : err;
  }
  if (response.status >= 200 && response.status < 300) {
    return {
      request,
      status: response.status,
      headers: toHttpHeadersLike(response.headers),
      ...(response.bodyAsText != null ? { bodyAsText: response.bodyAsText } : {}),
    };
  }
  const { code, message } = errorOf(response.bodyAsText);
  // A redirect is refused like any other failure: the token must not follow it.
  throw new ConnectorCallError(`Bot Connector answered ${response.status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`, {
    ...(code ? { code } : {}),
    response,
  });
}

/** The `httpClient` for botframework-connector's clients: allowed hosts only, one attempt, a timeout, the rate limiter. */
export function connectorHttpClient(options: ConnectorHttpOptions): ConnectorHttpClient {
  const transport = options.transport ?? createDefaultHttpClient();
  return {
    async sendRequest(request) {
      if (!allowedServiceUrlHost(request.url, options.serviceUrlHosts)) throw new ServiceUrlRefusedError(hostForLog(request.url));
      const send = () => sendOnce(transport, request, options.requestTimeoutMs);
      if (!options.limiter) return send();
      // Here, below the token and every SDK policy: a request holds its place in Teams' windows only
      // while it is on the wire and for a window after its answer (rate-limiter.ts).
      return options.limiter.run(connectorThrottleKeys({ url: request.url, method: request.method, body: request.body }), send, { first: options.first });
    },
  };
}
