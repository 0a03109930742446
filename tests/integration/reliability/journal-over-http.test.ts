import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { BlobWebhookJournal } from "../../../src/storage/blob";
import { signedWebhook, textMessage, webhookEnvelope } from "../../../tools/sign-webhook";
import { APP_SECRET, startHarness, type Harness } from "../../support/bridge-harness";
import { CaptureLogger } from "../../support/capture-logger";
import { BUSINESS, channelLink, MARIA, waitUntil } from "./reliability-kit";

const T0 = Math.floor(Date.now() / 1000) - 600;

async function post(h: Harness, bytes: Buffer): Promise<number> {
  const signed = signedWebhook(bytes, APP_SECRET);
  const res = await fetch(`${h.bridge.url}/api/whatsapp/webhook`, { method: "POST", headers: signed.headers, body: new Uint8Array(signed.body) });
  await res.arrayBuffer();
  return res.status;
}

describe("journal before acknowledging (real HTTP, Azurite blobs and tables)", function () {
  this.timeout(60_000);

  it("the exact signed bytes and their signature are in the journal blob, and the inbox entry points at it, when the 200 comes", async () => {
    const h = await startHarness({ authDisabled: true });
    try {
      await h.bridge.stores.links.put(channelLink(h.connector.serviceUrl));
      // Pretty-printed with escapes: only the raw bytes carry this exact form.
      const bytes = Buffer.from(
        JSON.stringify(webhookEnvelope(textMessage({ from: MARIA, text: "Olá 😀 \u00e9", id: "wamid.journal.1", timestamp: T0 })), null, 2).replace(
          "Olá",
          "Ol\\u00e1",
        ),
      );
      const signature = signedWebhook(bytes, APP_SECRET).headers["x-hub-signature-256"];
      assert.equal(await post(h, bytes), 200);

      const entry = await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.journal.1");
      assert.ok(entry?.journalRef, "the inbox entry names its journal blob");
      assert.match(entry.journalRef, /^journal\/\d{4}\/\d{2}\/\d{2}\/\d{9}-[0-9a-f]{16}\.jsonl#\d+$/);
      // Read straight from Blob storage, not through the bridge: the segment's line holds the exact bytes.
      assert.ok(h.bridge.journal instanceof BlobWebhookJournal);
      assert.equal(h.config.storage.kind, "connection-string");
      const blobs = BlobServiceClient.fromConnectionString(h.config.storage.kind === "connection-string" ? h.config.storage.connectionString : "");
      const [segment, line] = entry.journalRef.split("#");
      const stored = (await blobs.getContainerClient(h.bridge.journal.containerName).getBlobClient(segment!).downloadToBuffer()).toString("utf8").split("\n");
      const record = JSON.parse(stored[Number(line)]!) as { body: string; signature: string; receivedAt: string; sha256: string };
      assert.ok(Buffer.from(record.body, "base64").equals(bytes));
      assert.equal(record.sha256, createHash("sha256").update(bytes).digest("hex"));
      assert.equal(record.signature, signature);
      assert.ok(Math.abs(Date.parse(record.receivedAt) - Date.now()) < 60_000);

      // A redelivery of the same bytes is journaled as a second receipt and records no new event.
      assert.equal(await post(h, bytes), 200);
      assert.equal((await h.bridge.journal.listDay(Date.now())).length, 2);
      await waitUntil(() => h.connector.posts.length >= 1, "the post");
      await h.bridge.bridge.idle();
      assert.equal(h.connector.posts.filter((p) => JSON.stringify(p.activity).includes("Olá 😀")).length, 1);
    } finally {
      await h.stop();
    }
  });

  it("storage down: the webhook gets 503 and nothing is recorded; once it is back, Meta's retry is recorded and posted once", async () => {
    const location = mkdtempSync(join(tmpdir(), "bridge-outage-"));
    let azurite: EmbeddedAzurite | undefined = await startEmbeddedAzurite({ location, logger: new CaptureLogger() });
    const { tablePort, blobPort, connectionString } = azurite;
    const h = await startHarness({ authDisabled: true, env: { AZURE_STORAGE_CONNECTION_STRING: connectionString } });
    try {
      await h.bridge.stores.links.put(channelLink(h.connector.serviceUrl));
      const bytes = Buffer.from(
        JSON.stringify(webhookEnvelope(textMessage({ from: MARIA, text: "sent during the outage", id: "wamid.outage.1", timestamp: T0 }))),
      );

      await azurite.stop();
      azurite = undefined;
      const started = Date.now();
      assert.equal(await post(h, bytes), 503);
      assert.ok(Date.now() - started < 20_000, `answered within Meta's patience (${Date.now() - started} ms)`);

      azurite = await startEmbeddedAzurite({ location, tablePort, blobPort, logger: new CaptureLogger() });
      assert.equal(await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.outage.1"), undefined, "nothing half-recorded");
      const journal = h.bridge.journal;
      assert.ok(journal instanceof BlobWebhookJournal);
      assert.deepEqual(await journal.listDay(Date.now()), [], "no journal blob either");

      // Meta retries the same bytes.
      assert.equal(await post(h, bytes), 200);
      await waitUntil(() => h.connector.posts.some((p) => JSON.stringify(p.activity).includes("sent during the outage")), "the post after the outage", 30_000);
      await h.bridge.bridge.idle();
      assert.equal(h.connector.posts.filter((p) => JSON.stringify(p.activity).includes("sent during the outage")).length, 1);
      assert.equal((await h.bridge.stores.inbox.get(BUSINESS, "msg:wamid.outage.1"))?.state, "done");
      assert.equal((await journal.listDay(Date.now())).length, 1);
    } finally {
      await h.stop();
      await azurite?.stop();
      rmSync(location, { recursive: true, force: true });
    }
  });
});
