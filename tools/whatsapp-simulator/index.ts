/**
 * The WhatsApp simulator: the Meta Graph API stand-in grown into a page where a person plays customers.
 * Used by the demo (`npm run demo`), the browser tests and the integration tests. Dev-only.
 */
export { startWhatsAppSimulator, WhatsAppSimulator, type WhatsAppSimulatorOptions } from "./simulator";
export type { CustomerMessageInput } from "./customer-message";
export type { SimCustomer, SimMessage, SimLocation, TickStatus } from "./chat-state";
export { MAX_UPLOAD_BYTES } from "./web-routes";
