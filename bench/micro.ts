/**
 * In-process benchmarks (no I/O): webhook intake against the bare minimum, against the most used
 * TypeScript Cloud API library, and the core's cost per message. Each returns ours/s, baseline/s, ratio.
 */
import { createHmac } from "node:crypto";
import { WhatsAppAPI } from "whatsapp-api-js";
import { eventKeyOf } from "../src/core/messages";
import { MemoryStores } from "../src/storage/memory/memory-stores";
import { parseUntrustedJson, WEBHOOK_JSON_LIMITS } from "../src/whatsapp/meta/safe-json";
import { verifySignature } from "../src/whatsapp/meta/signature";
import { mapWebhookEnvelope } from "../src/whatsapp/meta/webhook-mapper";
import { parseWebhookEnvelope } from "../src/whatsapp/meta/webhook-schema";
import { ADMIN, BUSINESS, CHANNEL, customerText, makeWorld, TENANT } from "../tests/fakes/world";
import { loadMetaFixture } from "../tests/unit/whatsapp/meta-fixtures";
import { signWebhook } from "../tools/sign-webhook";
import { sideBySide, type SideBySide } from "./measure";

const SECRET = "bench-secret";

/** Single-item example webhooks (whatsapp-api-js only looks at the first change of a POST). */
const BODIES = [
  "01_text_simple",
  "02_text_reply_to_business_message",
  "03_image_forwarded_with_caption",
  "05_document_pdf",
  "06_location_pin",
  "08_interactive_button_reply",
  "16_text_click_to_whatsapp_referral",
  "18_status_failed_131047_reengagement",
];

/**
 * The fixtures as Meta sends them: JSON with every non-ASCII character escaped (`\uXXXX`), signed over
 * those bytes (whatsapp-api-js escapes before checking, so only such bodies verify with both).
 */
function signedBodies(): Array<{ raw: Buffer; text: string; signature: string }> {
  return BODIES.map((name) => {
    const text = JSON.stringify(loadMetaFixture(name).json).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const raw = Buffer.from(text, "utf8");
    return { raw, text, signature: signWebhook(raw, SECRET) };
  });
}

/** What the webhook route does before storage: signature, guarded parse, schema, mapping to events. */
function ourIntake(raw: Buffer, signature: string): number {
  if (!verifySignature(raw, signature, SECRET)) throw new Error("signature");
  const json = parseUntrustedJson(raw, WEBHOOK_JSON_LIMITS);
  if (!json.ok) throw new Error(json.reason);
  const parsed = parseWebhookEnvelope(json.value);
  if (!parsed.ok) throw new Error(parsed.reason);
  return mapWebhookEnvelope(parsed.envelope, { receivedAt: 1 }).events.length;
}

/** Ours against HMAC + JSON.parse, the least any receiver must do. */
export async function intakeVsMinimum(): Promise<SideBySide> {
  const bodies = signedBodies();
  let i = 0;
  return sideBySide(
    () => {
      const b = bodies[i++ % bodies.length]!;
      return ourIntake(b.raw, b.signature);
    },
    () => {
      const b = bodies[i++ % bodies.length]!;
      createHmac("sha256", SECRET).update(b.raw).digest("hex");
      return JSON.parse(b.text) as unknown;
    },
  );
}

/**
 * Ours against whatsapp-api-js 6.3.0 (`WhatsAppAPI.post(data, rawBody, signature)`: WebCrypto HMAC check,
 * then dispatch of the first message or status to `on.message` / `on.status`) on the same signed bodies.
 * The library is handed the body already parsed, as its middlewares do.
 */
export async function intakeVsLibrary(): Promise<SideBySide> {
  const bodies = signedBodies();
  const library = new WhatsAppAPI({ token: "bench-token", appSecret: SECRET, v: "v25.0" });
  let dispatched = 0;
  library.on.message = () => {
    dispatched++;
  };
  library.on.status = () => {
    dispatched++;
  };
  let i = 0;
  const result = await sideBySide(
    async () => {
      const b = bodies[i++ % bodies.length]!;
      return ourIntake(b.raw, b.signature);
    },
    async () => {
      const b = bodies[i++ % bodies.length]!;
      return library.post(JSON.parse(b.text) as never, b.text, b.signature);
    },
  );
  if (dispatched === 0) throw new Error("whatsapp-api-js dispatched nothing: the comparison would be void");
  return result;
}

/** A customer message through the whole core (in-memory stores, recording gateways) vs recording it only. */
export async function coreCost(): Promise<SideBySide> {
  const world = makeWorld();
  await world.stores.links.put({
    business: BUSINESS,
    channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
    linkedBy: ADMIN,
    linkedAt: 0,
  });
  const plain = new MemoryStores();
  let n = 0;
  return sideBySide(
    async () => {
      await world.bridge.ingest([customerText("hello", { id: `wamid.c${n++}`, timestamp: n })]);
      await world.bridge.idle();
    },
    async () => {
      const event = customerText("hello", { id: `wamid.b${n++}`, timestamp: n });
      await plain.inbox.record({ business: event.business, key: eventKeyOf(event), event, state: "pending", receivedAt: 0 });
    },
  );
}
