/**
 * Benchmarks that report ratios measured side by side in one run (not pass/fail tests; the machines are
 * shared and noisy, so absolute numbers mean little). `npm run bench`.
 *
 * 1. webhook intake: our signature check + size/depth-guarded parse + zod schema + mapping of a signed
 *    one-message webhook, against the bare minimum any receiver must do (HMAC + JSON.parse).
 * 2. core cost: a customer message through the whole core (record, lane, thread lookup, post, map) with
 *    in-memory stores and recording gateways, against recording the event alone.
 */
import { createHmac } from "node:crypto";
import { eventKeyOf } from "../src/core/messages";
import { verifySignature } from "../src/whatsapp/meta/signature";
import { parseWebhookEnvelope } from "../src/whatsapp/meta/webhook-schema";
import { toWhatsAppEvents } from "../src/whatsapp/meta/webhook-mapper";
import { parseUntrustedJson, WEBHOOK_JSON_LIMITS } from "../src/whatsapp/meta/safe-json";
import { MemoryStores } from "../src/storage/memory/memory-stores";
import { customerText, makeWorld, ADMIN, BUSINESS, CHANNEL, TENANT } from "../tests/fakes/world";
import { signWebhook, textMessage, webhookEnvelope } from "../tools/sign-webhook";
import { sideBySide } from "./measure";

const SECRET = "bench-secret";

async function webhookIntake() {
  const body = Buffer.from(JSON.stringify(webhookEnvelope(textMessage({ from: { phone: "5511987654321", userId: "BR.1", name: "Maria" }, text: "Olá! Where is my order? 📦", id: "wamid.bench" }))));
  const header = signWebhook(body, SECRET);
  const ours = () => {
    if (!verifySignature(body, header, SECRET)) throw new Error("signature");
    const json = parseUntrustedJson(body, WEBHOOK_JSON_LIMITS);
    if (!json.ok) throw new Error(json.reason);
    const parsed = parseWebhookEnvelope(json.value);
    if (!parsed.ok) throw new Error(parsed.reason);
    return toWhatsAppEvents(parsed.envelope, { receivedAt: 1 });
  };
  const baseline = () => {
    createHmac("sha256", SECRET).update(body).digest("hex");
    return JSON.parse(body.toString("utf8"));
  };
  return sideBySide(ours, baseline);
}

async function coreCost() {
  const world = makeWorld();
  await world.stores.links.put({ business: BUSINESS, channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" }, linkedBy: ADMIN, linkedAt: 0 });
  const plain = new MemoryStores();
  let n = 0;
  const ours = async () => {
    await world.bridge.ingest([customerText("hello", { id: `wamid.c${n++}`, timestamp: n })]);
    await world.bridge.idle();
  };
  const baseline = async () => {
    const event = customerText("hello", { id: `wamid.b${n++}`, timestamp: n });
    await plain.inbox.record({ business: event.business, key: eventKeyOf(event), event, state: "pending", receivedAt: 0 });
  };
  return sideBySide(ours, baseline);
}

async function main(): Promise<void> {
  const rows: Array<[string, { ours: number; baseline: number; ratio: number }]> = [];
  rows.push(["webhook intake (verify+parse+validate+map) vs HMAC+JSON.parse", await webhookIntake()]);
  rows.push(["core: message through the core vs recording it only (in memory)", await coreCost()]);
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  console.log("benchmark".padEnd(70), "ours/s".padStart(12), "baseline/s".padStart(12), "ratio".padStart(8));
  for (const [name, r] of rows) {
    console.log(name.padEnd(70), r.ours.toFixed(0).padStart(12), r.baseline.toFixed(0).padStart(12), r.ratio.toFixed(2).padStart(8));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
