import type { HttpRoute } from "../../../src/http/http-route";
import { startHttpServer } from "../../../src/http/restify-server";
import { CaptureLogger } from "../../support/capture-logger";

/** Serves routes on the product's own restify host (127.0.0.1, ephemeral port), so tests send real bytes. */
export async function serveRoutes(routes: readonly HttpRoute[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await startHttpServer({ host: "127.0.0.1", port: 0, routes, logger: new CaptureLogger() });
  return { url: server.url, close: () => server.close() };
}
