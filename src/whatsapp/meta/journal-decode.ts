import type { WhatsAppEvent } from "../../core/messages";
import { WEBHOOK_JSON_LIMITS, parseUntrustedJson } from "./safe-json";
import { mapWebhookEnvelope } from "./webhook-mapper";
import { parseWebhookEnvelope } from "./webhook-schema";

/**
 * The events of a journaled webhook body, read exactly as the webhook read them when it arrived (same
 * limits, schema and mapping): for the operator commands that work from the journal (export, report).
 * `receivedAt` (epoch ms) stands in for the time of value-level errors, which carry none. Never throws:
 * a body that is not a WhatsApp Business Account webhook gives no events and says why.
 */
export function decodeJournaledBody(body: Buffer, receivedAt: number): { events: WhatsAppEvent[]; problem?: string } {
  const json = parseUntrustedJson(body, WEBHOOK_JSON_LIMITS);
  if (!json.ok) return { events: [], problem: json.reason };
  const parsed = parseWebhookEnvelope(json.value);
  if (!parsed.ok) return { events: [], problem: "not a WhatsApp Business Account webhook" };
  return { events: mapWebhookEnvelope(parsed.envelope, { receivedAt: Math.floor(receivedAt / 1000) }).events };
}
