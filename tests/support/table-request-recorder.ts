import { createServer, request, type Server } from "node:http";
import { azuriteConnectionString } from "../../src/storage/azurite/embedded-azurite";

/** One Table service request as it went over the wire, with what is needed to judge how it reads. */
export interface RecordedRequest {
  /** `performance.now()` when the request arrived at the proxy. */
  readonly at: number;
  readonly method: string;
  /** The path, percent-decoded, without the query string (e.g. `/devstoreaccount1/bridgeinbox()`). */
  readonly path: string;
  /** The `$filter` query parameter, decoded, if any. */
  readonly filter?: string;
  /** A `$batch` request's operations, one `METHOD path` each (path decoded, host and account removed). */
  readonly batch?: readonly string[];
  status?: number;
  /** Bytes of the answer's body: what the service sent back. */
  responseBytes: number;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a Table endpoint that records every request (method, path,
 * `$filter`, the operations inside a `$batch`) and passes it on unchanged. Point clients at
 * `connectionString` (the blob endpoint stays direct: only Table requests are recorded).
 */
export class TableRequestRecorder {
  readonly requests: RecordedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly blobPort: number,
  ) {}

  static async start(target: { readonly tablePort: number; readonly blobPort: number }): Promise<TableRequestRecorder> {
    let recorder: TableRequestRecorder | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://proxy");
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const filter = url.searchParams.get("$filter") ?? undefined;
        const entry: RecordedRequest = {
          at: performance.now(),
          method: req.method ?? "GET",
          path: decodeURIComponent(url.pathname),
          ...(filter !== undefined ? { filter } : {}),
          ...(url.pathname.endsWith("/$batch") ? { batch: batchOperations(body.toString("utf8")) } : {}),
          responseBytes: 0,
        };
        recorder?.requests.push(entry);
        const upstream = request({ host: "127.0.0.1", port: target.tablePort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          entry.status = answer.statusCode;
          answer.on("data", (chunk: Buffer) => {
            entry.responseBytes += chunk.length;
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on("error", (err) => res.destroy(err));
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    recorder = new TableRequestRecorder(server, (server.address() as { port: number }).port, target.blobPort);
    return recorder;
  }

  /** Azurite's connection string with the Table endpoint through this proxy. */
  get connectionString(): string {
    return azuriteConnectionString(this.port, this.blobPort);
  }

  /** The requests that arrived at or after `from` (a `performance.now()` mark), and before `to` if given. */
  between(from: number, to = Number.POSITIVE_INFINITY): RecordedRequest[] {
    return this.requests.filter((r) => r.at >= from && r.at < to);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The ports of an Azurite connection string (`TableEndpoint=…:port/…`, `BlobEndpoint=…`). */
export function azuritePorts(connectionString: string): { tablePort: number; blobPort: number } {
  const port = (name: string) => Number(new RegExp(`${name}=http://127\\.0\\.0\\.1:(\\d+)/`).exec(connectionString)?.[1]);
  return { tablePort: port("TableEndpoint"), blobPort: port("BlobEndpoint") };
}

/** The request lines inside a `$batch` body (multipart/mixed with one changeset), as `METHOD /table(...)`. */
function batchOperations(body: string): string[] {
  const lines = [...body.matchAll(/^(GET|POST|PUT|PATCH|MERGE|DELETE) (\S+) HTTP\/1\.1\r?$/gm)];
  return lines.map(([, method, target]) => `${method} ${decodeURIComponent(new URL(target!, "http://batch").pathname)}`);
}
