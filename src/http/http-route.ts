/**
 * Framework-neutral HTTP types: handlers are plain async functions from request to response, so they can
 * be tested without a server and restify stays swappable.
 */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The exact bytes received (signatures are checked over these). Empty for GET. */
  readonly rawBody: Buffer;
  /** Values of `:name` segments of the route's path (e.g. `/media/:token/:name`), decoded. */
  readonly params?: Readonly<Record<string, string>>;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is (text/plain unless headers say otherwise); a Buffer as bytes; an object as JSON. */
  readonly body?: string | Buffer | object;
}

export interface HttpRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
  /** Bodies larger than this are refused with 413 before the handler runs. */
  readonly maxBodyBytes?: number;
  /**
   * Looks at the headers before any of the body is read: a response refuses the request at once (e.g. 401
   * without credentials), so an unauthenticated caller cannot make the server hold its body.
   */
  refuseEarly?(request: Omit<HttpRequest, "rawBody">): HttpResponse | undefined;
  handle(request: HttpRequest): Promise<HttpResponse>;
}
