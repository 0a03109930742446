import type { HttpRoute } from "../../http/http-route";
import { handleNotification, handleVerification, type WebhookHandlerOptions } from "./webhook-handler";

/** Where Meta calls us (docs/configuration.md). */
export const WHATSAPP_WEBHOOK_PATH = "/api/whatsapp/webhook";
/** Meta's payloads are up to 3 MB (docs/protocols.md A3); the HTTP layer answers 413 above this. */
export const MAX_WEBHOOK_BODY_BYTES = 3 * 1024 * 1024;

export type WebhookRouteOptions = WebhookHandlerOptions;

/**
 * The two routes of Meta's webhook: `GET` (verification handshake) and `POST` (notifications), see
 * `handleVerification` and `handleNotification` for the exact answers.
 */
export function createWebhookRoutes(options: WebhookRouteOptions): HttpRoute[] {
  return [
    { method: "GET", path: WHATSAPP_WEBHOOK_PATH, handle: async (request) => handleVerification(request, options) },
    { method: "POST", path: WHATSAPP_WEBHOOK_PATH, maxBodyBytes: MAX_WEBHOOK_BODY_BYTES, handle: (request) => handleNotification(request, options) },
  ];
}
