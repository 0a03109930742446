import type { Logger } from "../core/ports/logger";
import type { HttpResponse, HttpRoute } from "../http/http-route";
import { MEDIA_ROUTE_PREFIX, type LocalMediaStore } from "./local-media-store";

/** Types a browser may show inline; anything else is a download. */
const INLINE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

const notFound = (): HttpResponse => ({ status: 404, body: { error: "not found" } });

/** RFC 6266 `filename*` so a customer-supplied name can never break out of the header. */
function disposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * `GET /media/:token/:name?expires=…&sig=…`: serves a file the local media store kept. The token with its
 * signed expiry is the capability (an expired, tampered or unknown link is the same 404); the name is
 * only for people. Files that failed an integrity check, and every type a browser could run, are
 * served as downloads of `application/octet-stream`, with a sandboxing CSP and `nosniff` (set by the HTTP
 * shell), so a file can never act as a page of the bridge's origin.
 */
export function createMediaRoutes(options: { store: LocalMediaStore; logger: Logger }): HttpRoute[] {
  return [
    {
      method: "GET",
      path: `${MEDIA_ROUTE_PREFIX}/:token/:name`,
      async handle(request): Promise<HttpResponse> {
        const token = request.params?.token ?? "";
        const found = await options.store.read(token, { expires: request.query.expires, sig: request.query.sig });
        if (!found) return notFound();
        const { info, bytes } = found;
        const showInline = !info.quarantined && INLINE_TYPES.has(info.mimeType);
        options.logger.debug("media.served", { size: info.size, quarantined: info.quarantined });
        return {
          status: 200,
          headers: {
            "content-type": showInline ? info.mimeType : "application/octet-stream",
            "content-disposition": disposition(showInline ? "inline" : "attachment", info.quarantined ? `${info.name}.quarantined` : info.name),
            "content-security-policy": "default-src 'none'; sandbox",
            "cache-control": "private, max-age=300",
          },
          body: bytes,
        };
      },
    },
  ];
}
