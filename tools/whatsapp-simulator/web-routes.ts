import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import type { StateEvent } from "./chat-state";
import { groupRoutes } from "./group-web-routes";
import { HttpProblem, messageInput, readJson, sendJson, text } from "./web-helpers";
import type { WhatsAppSimulator } from "./simulator";

export { MAX_UPLOAD_BYTES } from "./web-helpers";

/**
 * The simulator's page and its small JSON API, served by the Meta Graph API stand-in's server next to the
 * Graph paths (which all start with `/{version}/`, so nothing collides):
 *
 * - `GET /` (+ `/app.js`, `/style.css`): the page, plain HTML/JS from `public/`;
 * - `GET /api/state`: business, customers and messages; `GET /api/events`: the same changes, live (SSE);
 * - `POST /api/customers` `{name, phone?, username?}`;
 * - `POST /api/customers/{id}/messages` `{type:"text", text}` | `{type:"image"|"document", filename,
 *   mimeType, dataBase64, caption?}` | `{type:"location", latitude, longitude, name?, address?}` |
 *   `{type:"reaction", messageId, emoji}`: answers 202 at once, ticks follow on the event stream;
 * - `POST /api/customers/{id}/read`: the customer has the chat open;
 * - `/api/groups…`: the business's groups, played by the customers (group-web-routes.ts);
 * - `GET /api/media/{id}`: a file as the customer's phone shows it.
 */

const SSE_PING_MS = 15_000;

const STATIC_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/groups.js": "groups.js",
  "/style.css": "style.css",
};
const TYPES: Readonly<Record<string, string>> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

/** The `public/` folder: next to this file when run from source, in the source tree when run from dist/. */
function publicDir(): string {
  const candidates = [join(__dirname, "public"), resolve(__dirname, "../../../tools/whatsapp-simulator/public")];
  const found = candidates.find((dir) => existsSync(join(dir, "index.html")));
  if (!found) throw new Error(`whatsapp simulator: page files not found (looked in ${candidates.join(", ")})`);
  return found;
}

/** The route handler to give the Meta Graph API stand-in as `extraRoutes`. */
export function webRoutes(simulator: () => WhatsAppSimulator): (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean> {
  let dir: string | undefined;
  return async (request, response, url) => {
    const method = request.method ?? "GET";
    const path = url.pathname;
    const sim = simulator();
    try {
      if (method === "GET" && STATIC_FILES[path]) {
        dir ??= publicDir();
        const file = STATIC_FILES[path]!;
        const body = readFileSync(join(dir, file));
        response.writeHead(200, {
          "content-type": TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream",
          "content-length": body.length,
          "cache-control": "no-store",
        });
        response.end(body);
        return true;
      }
      if (method === "GET" && path === "/api/state") {
        sendJson(response, 200, snapshot(sim));
        return true;
      }
      if (method === "GET" && path === "/api/events") {
        streamEvents(sim, request, response);
        return true;
      }
      if (method === "POST" && path === "/api/customers") {
        const body = await readJson(request);
        try {
          const customer = sim.addCustomer({
            name: text(body.name) ?? "",
            ...(text(body.phone) ? { phone: text(body.phone)! } : {}),
            ...(text(body.username) ? { username: text(body.username)! } : {}),
          });
          sendJson(response, 201, customer);
        } catch (err) {
          if (err instanceof RangeError) throw new HttpProblem(400, err.message);
          throw err;
        }
        return true;
      }
      const customerRoute = /^\/api\/customers\/([^/]+)\/(messages|read)$/.exec(path);
      if (method === "POST" && customerRoute) {
        const customerId = decodeURIComponent(customerRoute[1]!);
        if (!sim.state.customer(customerId)) throw new HttpProblem(404, "unknown customer");
        if (customerRoute[2] === "read") {
          sim.markRead(customerId);
          response.writeHead(204);
          response.end();
          return true;
        }
        const input = messageInput(await readJson(request));
        if (input.type === "reaction" && sim.state.message(input.messageId)?.direction !== "out")
          throw new HttpProblem(400, "customers can react to the business's messages only");
        // Answer at once: delivery (with retries) shows up as ticks on the event stream.
        const sending = sim.send(customerId, input);
        sending.catch((err: unknown) => console.warn(`whatsapp simulator: sending failed: ${err instanceof Error ? err.message : String(err)}`));
        sendJson(response, 202, { accepted: true });
        return true;
      }
      if (path.startsWith("/api/groups") && (await groupRoutes(sim, request, response, path))) return true;
      const mediaRoute = /^\/api\/media\/([^/]+)$/.exec(path);
      if (method === "GET" && mediaRoute) {
        const media = sim.metaGraph.getMedia(decodeURIComponent(mediaRoute[1]!));
        if (!media) throw new HttpProblem(404, "no such file");
        // A media id always names the same bytes: let the page keep it while it re-renders.
        response.writeHead(200, { "content-type": media.mimeType, "content-length": media.bytes.length, "cache-control": "private, max-age=3600" });
        response.end(media.bytes);
        return true;
      }
      if (path === "/favicon.ico") {
        response.writeHead(204);
        response.end();
        return true;
      }
      return false;
    } catch (err) {
      if (response.headersSent) throw err;
      if (err instanceof HttpProblem) sendJson(response, err.status, { error: err.message });
      else throw err;
      return true;
    }
  };
}

function snapshot(sim: WhatsAppSimulator): object {
  return {
    business: { name: sim.businessName, displayPhoneNumber: sim.business.displayPhoneNumber, phoneNumberId: sim.business.phoneNumberId },
    bridgeConnected: sim.webhookUrl !== undefined,
    customers: sim.state.customers,
    groups: sim.state.groups,
    messages: sim.state.messages,
  };
}

/** Server-sent events: one `data:` line of JSON per change, and a comment now and then to keep proxies quiet. */
function streamEvents(sim: WhatsAppSimulator, request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
  response.write("retry: 1000\n\n");
  const write = (event: StateEvent) => response.write(`data: ${JSON.stringify(event)}\n\n`);
  const unsubscribe = sim.state.subscribe(write);
  const ping = setInterval(() => response.write(": ping\n\n"), SSE_PING_MS);
  const stop = () => {
    clearInterval(ping);
    unsubscribe();
  };
  request.on("close", stop);
  response.on("close", stop);
}
