import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP proxy in front of Azurite's Blob and Table endpoints (127.0.0.1, ephemeral ports) that records
 * every request and can answer 503 ServerBusy, as Azure Storage does when throttled or unavailable, to
 * blob writes under one path prefix (the journal's container) while everything else passes through.
 */
export interface StorageFaultProxy {
  /** The connection string with its BlobEndpoint and TableEndpoint pointing here. */
  readonly connectionString: string;
  /** When set, blob PUT requests whose path starts with this are answered 503. */
  failWritesUnder: string | undefined;
  /** Blob writes answered 503 so far. */
  readonly refused: number;
  /** `METHOD path` of every request received, blob and table. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

async function forwarder(target: URL, handle: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (handle(req, res)) return;
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startStorageFaultProxy(azuriteConnectionString: string): Promise<StorageFaultProxy> {
  const endpointOf = (name: string) => {
    const found = new RegExp(`${name}=(http://[^;]+)`).exec(azuriteConnectionString)?.[1];
    if (!found) throw new Error(`no ${name} in the connection string`);
    return found;
  };
  const [blobEndpoint, tableEndpoint] = [endpointOf("BlobEndpoint"), endpointOf("TableEndpoint")];
  const requests: string[] = [];
  const state = { failWritesUnder: undefined as string | undefined, refused: 0 };
  const blob = await forwarder(new URL(blobEndpoint), (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (!state.failWritesUnder || req.method !== "PUT" || !(req.url ?? "").startsWith(state.failWritesUnder)) return false;
    state.refused++;
    req.resume();
    res.writeHead(503, { "content-type": "application/xml", "x-ms-error-code": "ServerBusy" });
    res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>');
    return true;
  });
  const table = await forwarder(new URL(tableEndpoint), (req) => {
    requests.push(`${req.method} ${req.url}`);
    return false;
  });
  const moved = (endpoint: string, port: number) => `http://127.0.0.1:${port}${new URL(endpoint).pathname}`;
  return {
    connectionString: azuriteConnectionString.replace(blobEndpoint, moved(blobEndpoint, blob.port)).replace(tableEndpoint, moved(tableEndpoint, table.port)),
    get failWritesUnder() {
      return state.failWritesUnder;
    },
    set failWritesUnder(prefix: string | undefined) {
      state.failWritesUnder = prefix;
    },
    get refused() {
      return state.refused;
    },
    requests,
    close: async () => {
      await Promise.all([blob.close(), table.close()]);
    },
  };
}
