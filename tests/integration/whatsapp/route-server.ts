import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpRoute } from "../../../src/http/http-route";

/**
 * A minimal node:http host for HttpRoutes, so webhook tests send real bytes over a real socket (the
 * product's restify host lives in src/http). Honours `maxBodyBytes` with 413, like the product.
 */
export async function serveRoutes(routes: readonly HttpRoute[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const route = routes.find((r) => r.method === request.method && r.path === url.pathname);
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (route.maxBodyBytes !== undefined && size > route.maxBodyBytes) {
        if (!refused) response.writeHead(413, { connection: "close" }).end();
        refused = true;
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (refused) return;
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(request.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      route
        .handle({ method: route.method, path: url.pathname, headers, query: Object.fromEntries(url.searchParams), rawBody: Buffer.concat(chunks) })
        .then((r) => {
          const isText = typeof r.body === "string";
          const body = r.body === undefined ? "" : isText ? (r.body as string) : JSON.stringify(r.body);
          response.writeHead(r.status, { "content-type": isText ? "text/plain; charset=utf-8" : "application/json", ...(r.headers ?? {}) }).end(body);
        })
        .catch((err: unknown) => response.writeHead(500).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
