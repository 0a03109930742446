import { createHash, timingSafeEqual } from "node:crypto";
import { describeError } from "../../core/errors";
import type { WhatsAppEvent } from "../../core/messages";
import type { Logger } from "../../core/ports/logger";
import type { RawDelivery } from "../../core/ports/webhook-journal";
import type { HttpRequest, HttpResponse } from "../../http/http-route";
import { WEBHOOK_JSON_LIMITS, parseUntrustedJson } from "./safe-json";
import { verifySignature } from "./signature";
import { mapWebhookEnvelope } from "./webhook-mapper";
import { parseWebhookEnvelope } from "./webhook-schema";

export interface WebhookHandlerOptions {
  /** Meta app secret: the HMAC key of `X-Hub-Signature-256`. */
  readonly appSecret: string;
  /** The token typed into the App Dashboard for the GET verification handshake. */
  readonly verifyToken: string;
  /**
   * Journals the raw delivery (exact bytes + signature header) and durably records the events; resolves
   * only once both are safe (docs/reliability.md "acknowledged means recorded"). Called for every valid signed
   * notification, also one that carries no event (its bytes are journaled all the same).
   */
  readonly ingest: (events: WhatsAppEvent[], delivery: RawDelivery) => Promise<void>;
  readonly logger: Logger;
  /** Epoch milliseconds; the receipt time given to value-level errors, which carry no timestamp. */
  readonly now?: () => number;
  /** Called when Meta reports a template status change (`message_template_status_update`): cached lists are stale. */
  readonly onTemplatesChanged?: () => void;
}

/** Meta's challenge is a number in practice; anything else is refused rather than echoed (docs/security.md, adversarial case 19). */
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const TEXT = { "content-type": "text/plain; charset=utf-8" } as const;

/** Equality in constant time, whatever the lengths: compares SHA-256 digests of both sides. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/**
 * GET handshake (docs/protocols.md A2): 200 with the raw `hub.challenge` as `text/plain` when `hub.mode` is
 * `subscribe`, `hub.verify_token` equals the configured token and the challenge matches
 * `^[A-Za-z0-9_-]{1,128}$`; 403 otherwise. Logs neither token nor challenge.
 */
export function handleVerification(request: HttpRequest, options: Pick<WebhookHandlerOptions, "verifyToken" | "logger">): HttpResponse {
  const mode = request.query["hub.mode"];
  const token = request.query["hub.verify_token"] ?? "";
  const challenge = request.query["hub.challenge"] ?? "";
  const tokenOk = sameSecret(token, options.verifyToken);
  if (mode === "subscribe" && tokenOk && CHALLENGE_PATTERN.test(challenge)) {
    options.logger.info("whatsapp.webhook.verified");
    return { status: 200, headers: TEXT, body: challenge };
  }
  options.logger.warn("whatsapp.webhook.verify_refused", {
    reason: mode !== "subscribe" ? "mode" : !tokenOk ? "token" : "challenge",
  });
  return { status: 403, headers: TEXT, body: "Forbidden" };
}

/** How many events of each type a webhook carried, counted in one pass (for the log line). */
function countByType(events: readonly WhatsAppEvent[]): {
  messages: number;
  statuses: number;
  accountErrors: number;
  preferences: number;
  groupEvents: number;
} {
  const counts = { messages: 0, statuses: 0, accountErrors: 0, preferences: 0, groupEvents: 0 };
  for (const event of events) {
    if (event.type === "message") counts.messages++;
    else if (event.type === "status") counts.statuses++;
    else if (event.type === "account_error") counts.accountErrors++;
    else if (event.type === "preference") counts.preferences++;
    else if (event.type === "group") counts.groupEvents++;
  }
  return counts;
}

/**
 * POST notification (docs/protocols.md A3–A9). In this order, each step stopping the request on failure:
 * 1. signature over the raw bytes → 401, nothing else happens (`whatsapp.webhook.bad_signature`);
 * 2. JSON within depth/size limits, without prototype keys → 400;
 * 3. a WhatsApp Business Account envelope → 400;
 * 4. map to events (odd items are logged as skipped, never fail the batch);
 * 5. `await ingest(events, { body, signature })`, which journals the raw bytes and records the events →
 *    200 `{}`; if it throws → 503 so Meta retries. Never 200 before ingest resolved. Logs counts, never bodies.
 */
export async function handleNotification(request: HttpRequest, options: WebhookHandlerOptions): Promise<HttpResponse> {
  const started = Date.now();
  const bytes = request.rawBody.length;
  const header = request.headers["x-hub-signature-256"];
  if (!verifySignature(request.rawBody, header, options.appSecret)) {
    options.logger.warn("whatsapp.webhook.bad_signature", { headerPresent: header !== undefined, bytes });
    return { status: 401, body: { error: "invalid signature" } };
  }

  const json = parseUntrustedJson(request.rawBody, WEBHOOK_JSON_LIMITS);
  if (!json.ok) {
    options.logger.warn("whatsapp.webhook.rejected", { reason: json.reason, bytes });
    return { status: 400, body: { error: json.reason } };
  }
  const parsed = parseWebhookEnvelope(json.value);
  if (!parsed.ok) {
    options.logger.warn("whatsapp.webhook.rejected", { reason: "not a WhatsApp Business Account webhook", detail: parsed.reason, bytes });
    return { status: 400, body: { error: "not a WhatsApp Business Account webhook", detail: parsed.reason } };
  }

  // Without an injected clock the time of receipt is when the request started: no second clock read.
  const receivedAt = Math.floor((options.now ? options.now() : started) / 1000);
  const { events, problems, skippedFields } = mapWebhookEnvelope(parsed.envelope, { receivedAt });
  if (skippedFields.includes("message_template_status_update")) options.onTemplatesChanged?.();
  if (problems.length > 0) {
    options.logger.warn("whatsapp.webhook.items_skipped", { count: problems.length, problems: problems.slice(0, 5) });
  }
  const counts = { ...countByType(events), skippedFields, bytes };

  try {
    // The signature was verified above, so the header is present and well-formed.
    await options.ingest(events, { body: request.rawBody, signature: header ?? "" });
  } catch (err) {
    options.logger.error("whatsapp.webhook.ingest_failed", { ...counts, error: describeError(err) });
    return { status: 503, body: { error: "temporarily unable to record the webhook; retry later" } };
  }
  options.logger.info("whatsapp.webhook.received", { ...counts, durationMs: Date.now() - started });
  return { status: 200, body: {} };
}
