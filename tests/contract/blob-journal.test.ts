import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { PermanentError, TransientError } from "../../src/core/errors";
import { BlobWebhookJournal, createBlobWebhookJournal } from "../../src/storage/blob";
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

  it("writes the appends that arrive together into one create-only NDJSON segment, with count and first receipt as metadata", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const journal = await createBlobWebhookJournal({ connectionString, container });
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const bodies = Array.from({ length: 30 }, (_, i) => Buffer.from(`{"object":"whatsapp_business_account","entry":[],"n":${i}}`));
    const refs = await Promise.all(bodies.map((body, i) => journal.append({ body, signature: SIGNATURE }, at + i)));
    const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
    const names: string[] = [];
    for await (const item of client.listBlobsFlat()) names.push(item.name);
    assert.equal(names.length, 1, "thirty appends queued in one turn make one upload");
    assert.match(names[0]!, /^journal\/2026\/01\/02\/030405006-[0-9a-f]{16}\.jsonl$/);
    assert.deepEqual(refs, bodies.map((_, i) => `${names[0]}#${i}`));
    const properties = await client.getBlobClient(names[0]!).getProperties();
    assert.equal(properties.contentType, "application/x-ndjson");
    assert.deepEqual(properties.metadata, { deliveries: "30", first_received_at: "2026-01-02T03:04:05.006Z" });
    assert.deepEqual(await journal.listDay(at), refs);
    assert.deepEqual(await journal.listDay(at + 86_400_000), []);
  });

  it("never overwrites a segment name that is taken: it draws another name", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const suffixes = ["00000000000000aa", "00000000000000aa", "00000000000000bb"];
    const journal = await createBlobWebhookJournal({ connectionString, container, segmentSuffix: () => suffixes.shift() ?? "00000000000000cc" });
    const at = Date.UTC(2026, 0, 2);
    const first = await journal.append({ body: Buffer.from('{"genuine":1}'), signature: SIGNATURE }, at);
    assert.equal(first, "journal/2026/01/02/000000000-00000000000000aa.jsonl#0");
    const second = await journal.append({ body: Buffer.from('{"genuine":2}'), signature: SIGNATURE }, at);
    assert.equal(second, "journal/2026/01/02/000000000-00000000000000bb.jsonl#0");
    assert.ok(Buffer.from((await journal.read(first))!.body).equals(Buffer.from('{"genuine":1}')));
    assert.ok(Buffer.from((await journal.read(second))!.body).equals(Buffer.from('{"genuine":2}')));
  });

  it("a line whose bytes no longer match their SHA-256 is reported as corrupt, not returned", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const journal = await createBlobWebhookJournal({ connectionString, container });
    const name = "journal/2026/01/02/000000000-00000000000000dd.jsonl";
    const tampered = JSON.stringify({ receivedAt: "2026-01-02T00:00:00.000Z", signature: SIGNATURE, sha256: "00".repeat(32), body: Buffer.from('{"genuine":false}').toString("base64") });
    await BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).getBlockBlobClient(name).upload(tampered, tampered.length);
    await assert.rejects(journal.read(`${name}#0`), (err: unknown) => err instanceof PermanentError && err.code === "storage.journal_corrupt");
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
