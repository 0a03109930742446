import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { PermanentError, TransientError } from "../../src/core/errors";
import { BlobWebhookJournal, createBlobWebhookJournal, journalBlobName } from "../../src/storage/blob";
import { getAzurite, uniqueTablePrefix } from "../support/azurite";
import { webhookJournalContract } from "./journal.contract";

const SIGNATURE = `sha256=${"ab".repeat(32)}`;

describe("BlobWebhookJournal on Azurite", function () {
  this.timeout(60_000);
  const newContainer = () => `${uniqueTablePrefix("journal")}-j`;

  webhookJournalContract("BlobWebhookJournal (Azurite)", async () => {
    const { connectionString } = await getAzurite();
    return createBlobWebhookJournal({ connectionString, container: newContainer() });
  });

  it("writes the blob create-only, as JSON, with the signature header and receipt time as metadata", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const journal = await createBlobWebhookJournal({ connectionString, container });
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const ref = await journal.append({ body, signature: SIGNATURE }, at);
    const blob = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).getBlobClient(ref);
    const properties = await blob.getProperties();
    assert.equal(properties.contentType, "application/json");
    assert.deepEqual(properties.metadata, { x_hub_signature_256: SIGNATURE, received_at: "2026-01-02T03:04:05.006Z" });
    assert.deepEqual(await journal.listDay(at), [ref]);
    assert.deepEqual(await journal.listDay(at + 86_400_000), []);
  });

  it("refuses to overwrite a blob that holds different bytes under the same name", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const journal = await createBlobWebhookJournal({ connectionString, container });
    const body = Buffer.from('{"genuine":true}');
    const at = Date.UTC(2026, 0, 2);
    const name = journalBlobName(body, at);
    // Something else was put there (tampering, or a corrupted copy): it must stay as it is.
    const other = Buffer.from('{"genuine":TRUE}'); // same length: only the content differs
    await BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).getBlockBlobClient(name).upload(other, other.length);
    await assert.rejects(journal.append({ body, signature: SIGNATURE }, at), (err: unknown) => err instanceof PermanentError && err.code === "storage.journal_conflict");
    const kept = await journal.read(name);
    assert.ok(kept && Buffer.from(kept.body).equals(other));
  });

  it("storage that does not answer is a TransientError (the webhook then answers 5xx)", async () => {
    const dead = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";
    const journal = new BlobWebhookJournal({ connectionString: dead, container: "unreachable", timeoutMs: 3_000 });
    const started = Date.now();
    await assert.rejects(journal.append({ body: Buffer.from("{}"), signature: SIGNATURE }, Date.now()), (err: unknown) => err instanceof TransientError && err.code === "storage.unavailable");
    assert.ok(Date.now() - started < 5_000, "gives up within its deadline");
  });

  it("refuses bad container names before any I/O", () => {
    assert.throws(() => new BlobWebhookJournal({ connectionString: "BlobEndpoint=http://127.0.0.1:1/x;", container: "Bad_Name" }), /container name/);
  });
});
