import type { IncomingMessage, Server as NodeServer, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import * as restify from "restify";
import type { Logger } from "../core/ports/logger";
import type { HttpRequest, HttpResponse, HttpRoute } from "./http-route";

/** Default body limit for routes that do not set one. */
const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * Limits against slow or numerous clients (slowloris, connection floods). Node's own defaults are 60 s for
 * the headers, 300 s for a whole request and no connection cap; Meta and the Bot Framework send small
 * requests at once.
 */
export interface ConnectionLimits {
  /** Time to receive a request's headers; then 408 and the connection is closed. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /** Open connections at most; more are closed on arrival. */
  readonly maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 1_000 };

/**
 * Node checks `headersTimeout` and `requestTimeout` only every 30 s (createServer's
 * `connectionsCheckingInterval`, which restify does not pass), so a client dripping its first request's
 * headers could hold a connection 40 s. A new connection gets its own deadline for its first headers;
 * later requests on a kept-alive connection are Node's to time out.
 */
function limitFirstHeaders(node: NodeServer, timeoutMs: number): void {
  const deadlines = new WeakMap<Socket, NodeJS.Timeout>();
  node.on("connection", (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    timer.unref();
    deadlines.set(socket, timer);
    socket.once("close", () => clearTimeout(timer));
  });
  node.on("request", (req: IncomingMessage) => {
    clearTimeout(deadlines.get(req.socket));
    deadlines.delete(req.socket);
  });
}

export interface HttpServer {
  /** The bound address, e.g. `http://127.0.0.1:3978`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and resolves when open requests have finished. */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

/**
 * Reads the body as raw bytes, refusing more than `limit` bytes: by Content-Length before reading, and by
 * counting while streaming (a chunked body has no length), so memory stays bounded.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string> = { "cache-control": "no-store", "x-content-type-options": "nosniff", ...response.headers };
  let payload: string | Buffer = "";
  if (Buffer.isBuffer(response.body)) {
    payload = response.body;
    headers["content-type"] ??= "application/octet-stream";
  } else if (typeof response.body === "string") {
    payload = response.body;
    headers["content-type"] ??= "text/plain; charset=utf-8";
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

function toRequest(req: IncomingMessage & { params?: Record<string, unknown> }, path: string): Omit<HttpRequest, "rawBody"> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  const params = Object.fromEntries(Object.entries(req.params ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));
  return { method: req.method ?? "GET", path, headers, query: Object.fromEntries(url.searchParams), ...(Object.keys(params).length > 0 ? { params } : {}) };
}

/**
 * Starts restify on `host:port` with the given routes. restify's body parser is not used: every route gets
 * the exact raw bytes (signatures are computed over them) and parses them itself. Unknown paths get 404,
 * errors get 500 with no stack trace.
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  routes: readonly HttpRoute[];
  logger: Logger;
  limits?: Partial<ConnectionLimits>;
}): Promise<HttpServer> {
  const { logger } = options;
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const server = restify.createServer({ name: "whatsapp-teams-bridge", handleUncaughtExceptions: false });
  const node = server.server as NodeServer;
  node.headersTimeout = limits.headersTimeoutMs;
  node.requestTimeout = limits.requestTimeoutMs;
  node.maxConnections = limits.maxConnections;
  limitFirstHeaders(node, limits.headersTimeoutMs);
  for (const route of options.routes) {
    const handler = async (req: restify.Request, res: restify.Response) => {
      const started = Date.now();
      let response: HttpResponse;
      try {
        const head = toRequest(req, route.path);
        const refusal = route.refuseEarly?.(head);
        if (refusal) {
          // The body is never read: close the connection after the answer rather than drain it.
          response = { ...refusal, headers: { ...refusal.headers, connection: "close" } };
        } else {
          const rawBody = route.method === "GET" ? Buffer.alloc(0) : await readBody(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY);
          response = await route.handle({ ...head, rawBody });
        }
      } catch (err) {
        if (err instanceof BodyTooLarge) response = { status: 413, body: { error: "payload too large" } };
        else {
          logger.error("http.handler.failed", { path: route.path, error: err instanceof Error ? err.message : String(err) });
          response = { status: 500, body: { error: "internal error" } };
        }
      }
      send(res, response);
      logger.debug("http.request", { method: route.method, path: route.path, status: response.status, durationMs: Date.now() - started });
    };
    if (route.method === "GET") server.get(route.path, handler);
    else server.post(route.path, handler);
  }
  // Anything else (including probes such as /.env or /heapdump) is a plain 404 with no detail.
  server.on("NotFound", (_req: restify.Request, res: restify.Response) => send(res, { status: 404, body: { error: "not found" } }));
  server.on("MethodNotAllowed", (_req: restify.Request, res: restify.Response) => send(res, { status: 405, body: { error: "method not allowed" } }));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; in-flight requests still complete.
        server.server.closeIdleConnections?.();
      }),
  };
}
