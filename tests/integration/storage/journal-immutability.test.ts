import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createBlobWebhookJournal, warnIfJournalMutable, BlobWebhookJournal } from "../../../src/storage/blob";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { CaptureLogger } from "../../support/capture-logger";

const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/**
 * A stand-in for the Blob service's Get Container Properties (REST: GET ?restype=container), answering
 * with the immutability headers Azure sends for a WORM container; anything else is a 404.
 */
function containerPropertiesServer(headers: Record<string, string>): Promise<{ server: Server; endpoint: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${(req.url ?? "").replace(/&timeout=\d+$/, "")}`);
    if (req.method === "GET" && /\?restype=container(&timeout=\d+)?$/.test(req.url ?? "")) {
      res.writeHead(200, { "x-ms-version": "2025-01-05", "x-ms-request-id": "r1", etag: '"0x1"', "last-modified": new Date().toUTCString(), ...headers });
      return void res.end();
    }
    res.writeHead(404, { "x-ms-error-code": "ContainerNotFound" }).end();
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      ok({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1`, requests });
    }),
  );
}

describe("production check of the journal container's immutability", function () {
  this.timeout(30_000);

  it("on Azurite (no policy) it warns loudly that the journal can be overwritten", async () => {
    const { connectionString } = await getAzurite();
    const journal = await createBlobWebhookJournal({ connectionString, container: `${uniqueTablePrefix("worm")}-j` });
    assert.deepEqual(await journal.immutability(), { policy: false, versionLevel: false, legalHold: false });
    const logger = new CaptureLogger();
    await warnIfJournalMutable(journal, logger);
    const line = logger.lines.find((l) => l.event === "journal.not_immutable");
    assert.equal(line?.level, "warn");
    assert.match(String(line?.fields["note"]), /CAN BE OVERWRITTEN OR DELETED.*immutability \(WORM\) policy/);
  });

  for (const [what, headers, expected] of [
    [
      "a time-based retention policy",
      { "x-ms-has-immutability-policy": "true", "x-ms-has-legal-hold": "false" },
      { policy: true, versionLevel: false, legalHold: false },
    ],
    ["version-level WORM", { "x-ms-immutable-storage-with-versioning-enabled": "true" }, { policy: false, versionLevel: true, legalHold: false }],
    ["a legal hold", { "x-ms-has-legal-hold": "true" }, { policy: false, versionLevel: false, legalHold: true }],
  ] as const) {
    it(`a container with ${what} passes quietly (read from the service's headers)`, async () => {
      const standIn = await containerPropertiesServer(headers);
      try {
        const journal = new BlobWebhookJournal({
          connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=${standIn.endpoint};`,
          container: "webhook-journal",
          timeoutMs: 3_000,
        });
        assert.deepEqual(await journal.immutability(), expected);
        const logger = new CaptureLogger();
        await warnIfJournalMutable(journal, logger);
        assert.deepEqual(logger.events(), ["journal.immutable"]);
        assert.deepEqual(standIn.requests, [
          "GET /devstoreaccount1/webhook-journal?restype=container",
          "GET /devstoreaccount1/webhook-journal?restype=container",
        ]);
      } finally {
        standIn.server.close();
      }
    });
  }

  it("storage that does not answer is reported as unknown, and the bridge starts anyway (never throws)", async () => {
    const journal = new BlobWebhookJournal({
      connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;`,
      container: "webhook-journal",
      timeoutMs: 2_000,
    });
    const logger = new CaptureLogger();
    await warnIfJournalMutable(journal, logger);
    assert.deepEqual(logger.events(), ["journal.immutability_unknown"]);
    assert.match(String(logger.lines[0]?.fields["error"]), /storage\.unavailable/);
  });
});
