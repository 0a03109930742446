import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { PermanentError, TransientError } from "../../src/core/errors";
import { BlobWebhookJournal, createBlobWebhookJournal } from "../../src/storage/blob";
import { getAzurite, uniqueTablePrefix } from "../support/azurite";
import { webhookJournalContract } from "./journal.contract";

const SIGNATURE = `sha256=${"ab".repeat(32)}`;

describe("BlobWebhookJournal on Azurite", function () {
  this.timeout(60_000);
  const newContainer = () => `${uniqueTablePrefix("journal")}-j`;

  webhookJournalContract("BlobWebhookJournal (Azurite)", async (options) => {
    const { connectionString } = await getAzurite();
    return createBlobWebhookJournal({ connectionString, container: newContainer(), ...(options?.now ? { now: options.now } : {}) });
  });

  it("writes the appends that arrive together into one create-only NDJSON segment after its chain header, with count, first receipt and writer as metadata", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const journal = await createBlobWebhookJournal({ connectionString, container, writer: { instance: "host/1", bootId: "b00t" } });
    assert.equal(journal.writer, "host-1.b00t");
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const bodies = Array.from({ length: 30 }, (_, i) => Buffer.from(`{"object":"whatsapp_business_account","entry":[],"n":${i}}`));
    const refs = await Promise.all(bodies.map((body, i) => journal.append({ body, signature: SIGNATURE }, at + i)));
    const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
    const names: string[] = [];
    for await (const item of client.listBlobsFlat()) names.push(item.name);
    assert.equal(names.length, 1, "thirty appends queued in one turn make one upload");
    assert.match(names[0]!, /^journal\/2026\/01\/02\/030405006-[0-9a-f]{16}\.jsonl$/);
    assert.deepEqual(
      refs,
      bodies.map((_, i) => `${names[0]}#${i + 1}`),
      "line 0 is the header",
    );
    const properties = await client.getBlobClient(names[0]!).getProperties();
    assert.equal(properties.contentType, "application/x-ndjson");
    assert.deepEqual(properties.metadata, { entries: "30", first_at: "2026-01-02T03:04:05.006Z", writer: "host-1.b00t", seq: "1" });
    const header = JSON.parse((await client.getBlobClient(names[0]!).downloadToBuffer()).toString("utf8").split("\n")[0]!) as Record<string, unknown>;
    assert.deepEqual(header, { kind: "segment", v: 1, writer: "host-1.b00t", seq: 1, prev: null });
    assert.deepEqual(await journal.listDay(at), refs);
    assert.deepEqual(await journal.listDay(at + 86_400_000), []);
  });

  it("chains each segment to the writer's previous one by SHA-256, and seals the day with a manifest listing them", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const journal = await createBlobWebhookJournal({
      connectionString,
      container,
      writer: { instance: "web0", bootId: "one" },
      now: () => Date.UTC(2026, 0, 3, 1),
    });
    const at = Date.UTC(2026, 0, 2, 8);
    const refs = [];
    for (let i = 0; i < 3; i++) refs.push(await journal.append({ body: Buffer.from(`{"n":${i}}`), signature: SIGNATURE }, at + i));
    const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
    const segments = refs.map((ref) => ref.slice(0, ref.indexOf("#")));
    const bytes = await Promise.all(segments.map((name) => client.getBlobClient(name).downloadToBuffer()));
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    const headers = bytes.map((b) => JSON.parse(b.toString("utf8").split("\n")[0]!) as { seq: number; prev: unknown });
    assert.deepEqual(
      headers.map((h) => h.seq),
      [1, 2, 3],
    );
    assert.deepEqual(
      headers.map((h) => h.prev),
      [null, { name: segments[0], sha256: sha(bytes[0]!) }, { name: segments[1], sha256: sha(bytes[1]!) }],
    );
    const seal = await journal.dayManifest(at);
    assert.equal(seal?.manifests[0]?.name, "journal/2026/01/02/manifest-web0.one-1.json");
    const manifestBytes = await client.getBlobClient("journal/2026/01/02/manifest-web0.one-1.json").downloadToBuffer();
    assert.equal(seal?.manifests[0]?.sha256, sha(manifestBytes));
    const manifest = JSON.parse(manifestBytes.toString("utf8")) as { segments: unknown[]; previous: unknown; writer: string };
    assert.deepEqual(
      manifest.segments,
      segments.map((name, i) => ({ name, sha256: sha(bytes[i]!), seq: i + 1, entries: 1 })),
    );
    assert.equal(manifest.previous, null);
    assert.equal(manifest.writer, "web0.one");
    await assert.rejects(
      client.getBlockBlobClient("journal/2026/01/02/manifest-web0.one-1.json").upload("x", 1, { conditions: { ifNoneMatch: "*" } }),
      "create-only",
    );
  });

  it("never overwrites a segment name that is taken: it draws another name", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const suffixes = ["00000000000000aa", "00000000000000aa", "00000000000000bb"];
    const journal = await createBlobWebhookJournal({ connectionString, container, segmentSuffix: () => suffixes.shift() ?? "00000000000000cc" });
    const at = Date.UTC(2026, 0, 2);
    const first = await journal.append({ body: Buffer.from('{"genuine":1}'), signature: SIGNATURE }, at);
    assert.equal(first, "journal/2026/01/02/000000000-00000000000000aa.jsonl#1");
    const second = await journal.append({ body: Buffer.from('{"genuine":2}'), signature: SIGNATURE }, at);
    assert.equal(second, "journal/2026/01/02/000000000-00000000000000bb.jsonl#1");
    assert.ok(Buffer.from((await journal.read(first))!.body).equals(Buffer.from('{"genuine":1}')));
    assert.ok(Buffer.from((await journal.read(second))!.body).equals(Buffer.from('{"genuine":2}')));
  });

  it("a line whose bytes no longer match their SHA-256 is reported as corrupt, not returned", async () => {
    const { connectionString } = await getAzurite();
    const container = newContainer();
    const journal = await createBlobWebhookJournal({ connectionString, container });
    const name = "journal/2026/01/02/000000000-00000000000000dd.jsonl";
    const tampered = JSON.stringify({
      receivedAt: "2026-01-02T00:00:00.000Z",
      signature: SIGNATURE,
      sha256: "00".repeat(32),
      body: Buffer.from('{"genuine":false}').toString("base64"),
    });
    await BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).getBlockBlobClient(name).upload(tampered, tampered.length);
    await assert.rejects(journal.read(`${name}#0`), (err: unknown) => err instanceof PermanentError && err.code === "storage.journal_corrupt");
  });

  it("storage that does not answer is a TransientError (the webhook then answers 5xx)", async () => {
    const dead =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";
    const journal = new BlobWebhookJournal({ connectionString: dead, container: "unreachable", timeoutMs: 3_000 });
    const started = Date.now();
    await assert.rejects(
      journal.append({ body: Buffer.from("{}"), signature: SIGNATURE }, Date.now()),
      (err: unknown) => err instanceof TransientError && err.code === "storage.unavailable",
    );
    assert.ok(Date.now() - started < 5_000, "gives up within its deadline");
  });

  it("refuses bad container names before any I/O", () => {
    assert.throws(() => new BlobWebhookJournal({ connectionString: "BlobEndpoint=http://127.0.0.1:1/x;", container: "Bad_Name" }), /container name/);
  });
});
