/**
 * The Meta WhatsApp Cloud API adapter: what `compose.ts` wires. Only this folder knows Meta's webhook
 * JSON, its signatures, the Graph API and its error codes (design.md §2).
 */
export { CloudApiWhatsAppGateway, MAX_TEXT_CHARS, type CloudApiGatewayOptions } from "./cloud-api-gateway";
export { classifyGraphError, describeMetaErrorCode, type GraphError } from "./meta-errors";
export { createWebhookRoutes, MAX_WEBHOOK_BODY_BYTES, WHATSAPP_WEBHOOK_PATH, type WebhookRouteOptions } from "./routes";
export { verifySignature } from "./signature";
export { decodeJournaledBody } from "./journal-decode";
export { mapWebhookEnvelope, toWhatsAppEvents, type MappingProblem, type MappingResult } from "./webhook-mapper";
export { parseWebhookEnvelope, type WebhookEnvelope } from "./webhook-schema";
export { toWhatsAppText } from "./whatsapp-markup";
