import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BusinessNumberId, WaMediaId } from "../../../src/core/ids";
import { MediaFetchError } from "../../../src/core/media-errors";
import { allowedMediaUrl, MetaMediaClient, sameDigest } from "../../../src/whatsapp/meta/media-client";
import { startMetaGraphStandin, type MetaGraphStandin } from "../../../tools/meta-graph-standin";

const TOKEN = "media-test-token";
const BUSINESS = BusinessNumberId("106540352242922");
const BYTES = Buffer.from("%PDF-1.4 test file");

/** A small HTTP server whose answer each test scripts; it records every request it gets. */
async function scriptedServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; host: string; requests: IncomingMessage[]; server: Server }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, requests, server };
}

async function mediaError(promise: Promise<unknown>): Promise<MediaFetchError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof MediaFetchError, `expected a MediaFetchError, got ${String(err)}`);
    assert.ok(!err.message.includes(TOKEN) && !err.userMessage.includes(TOKEN));
    return err;
  }
  assert.fail("expected the download to fail");
}

describe("media downloads and uploads (real HTTP)", function () {
  this.timeout(20_000);
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers) await close();
  });

  /** A Graph-like lookup server pointing the media at `url`. */
  async function lookupTo(url: string, extra: Record<string, unknown> = {}) {
    const graph = await scriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ messaging_product: "whatsapp", url, mime_type: "application/pdf", sha256: "x", file_size: String(BYTES.length), id: "1", ...extra }),
      );
    });
    closers.push(() => new Promise((r) => graph.server.close(() => r())));
    return graph;
  }
  function client(metaGraphUrl: string, mediaHosts: string[], downloadTimeoutMs = 5_000) {
    return new MetaMediaClient({ metaGraphUrl, accessToken: TOKEN, mediaHosts, downloadTimeoutMs });
  }
  const fetchFrom = (c: MetaMediaClient, expectedSha256?: string, maxBytes = 1024) =>
    c.fetchMedia({ business: BUSINESS, mediaId: WaMediaId("1"), maxBytes, ...(expectedSha256 ? { expectedSha256 } : {}) });

  describe("against the Meta Graph API stand-in", () => {
    let standin: MetaGraphStandin;
    before(async () => {
      standin = await startMetaGraphStandin({ accessToken: TOKEN });
    });
    after(async () => standin.close());

    it("looks the id up, downloads with the token and reports the hash (base64 as in webhooks)", async () => {
      const media = standin.addMedia({ bytes: BYTES, mimeType: "application/pdf", phoneNumberId: BUSINESS });
      const c = client(standin.url, [new URL(standin.url).host]);
      const got = await c.fetchMedia({ business: BUSINESS, mediaId: WaMediaId(media.id), maxBytes: 1024, expectedSha256: media.sha256Base64 });
      assert.deepEqual(Buffer.from(got.bytes), BYTES);
      assert.equal(got.sha256, media.sha256Hex);
      assert.equal(got.hashMatches, true);
      assert.equal(got.mimeType, "application/pdf");
      const wrong = await c.fetchMedia({
        business: BUSINESS,
        mediaId: WaMediaId(media.id),
        maxBytes: 1024,
        expectedSha256: createHash("sha256").update("x").digest("base64"),
      });
      assert.equal(wrong.hashMatches, false);
    });

    it("an unknown or expired media id is `unavailable`; a failing media host is `failed` (retryable)", async () => {
      const c = client(standin.url, [new URL(standin.url).host]);
      const gone = await mediaError(c.fetchMedia({ business: BUSINESS, mediaId: WaMediaId("424242"), maxBytes: 1024 }));
      assert.equal(gone.reason, "unavailable");
      assert.equal(gone.retryable, false);
      const media = standin.addMedia({ bytes: BYTES, mimeType: "application/pdf" });
      standin.failMediaDownload({ status: 500 });
      const failed = await mediaError(c.fetchMedia({ business: BUSINESS, mediaId: WaMediaId(media.id), maxBytes: 1024 }));
      assert.equal(failed.reason, "failed");
      assert.equal(failed.retryable, true);
    });

    it("refuses a file whose declared size passes the cap, without downloading it", async () => {
      const media = standin.addMedia({ bytes: Buffer.alloc(2048, 1), mimeType: "application/pdf" });
      const downloads = standin.mediaDownloads;
      const err = await mediaError(
        client(standin.url, [new URL(standin.url).host]).fetchMedia({ business: BUSINESS, mediaId: WaMediaId(media.id), maxBytes: 1024 }),
      );
      assert.equal(err.reason, "too_large");
      assert.equal(standin.mediaDownloads, downloads);
    });

    it("uploads a file as multipart and gets the media id back", async () => {
      const c = client(standin.url, []);
      const { id } = await c.uploadMedia({ business: BUSINESS, bytes: BYTES, mimeType: "application/pdf", filename: "a.pdf" });
      const stored = standin.getMedia(id);
      assert.deepEqual(stored?.bytes, BYTES);
      assert.equal(stored?.mimeType, "application/pdf");
      assert.equal(stored?.filename, "a.pdf");
    });
  });

  it("never sends the token to a host that is not a media host", async () => {
    const elsewhere = await scriptedServer((_req, res) => res.end("secret-stealer"));
    closers.push(() => new Promise((r) => elsewhere.server.close(() => r())));
    const graph = await lookupTo(`${elsewhere.url}/file`);
    const err = await mediaError(fetchFrom(client(graph.url, ["lookaside.fbsbx.com"])));
    assert.equal(err.reason, "refused");
    assert.equal(elsewhere.requests.length, 0);
  });

  it("never follows a redirect", async () => {
    const target = await scriptedServer((_req, res) => res.end("internal"));
    const host = await scriptedServer((_req, res) => {
      res.writeHead(302, { location: `${target.url}/metadata` });
      res.end();
    });
    closers.push(
      () => new Promise((r) => target.server.close(() => r())),
      () => new Promise((r) => host.server.close(() => r())),
    );
    const graph = await lookupTo(`${host.url}/file`);
    const err = await mediaError(fetchFrom(client(graph.url, [host.host])));
    assert.equal(err.reason, "refused");
    assert.equal(host.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(target.requests.length, 0);
  });

  it("stops reading a body without a length as soon as it passes the cap", async () => {
    const host = await scriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/pdf", "transfer-encoding": "chunked" });
      const chunk = Buffer.alloc(512, 0x41);
      let sent = 0;
      const timer = setInterval(() => {
        if (sent++ > 100 || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(chunk);
      }, 1);
    });
    closers.push(
      () =>
        new Promise((r) => {
          host.server.closeAllConnections();
          host.server.close(() => r());
        }),
    );
    const graph = await lookupTo(`${host.url}/file`, { file_size: undefined });
    const err = await mediaError(fetchFrom(client(graph.url, [host.host]), undefined, 2048));
    assert.equal(err.reason, "too_large");
  });

  it("gives up a download that takes longer than its time limit (retryable)", async () => {
    const host = await scriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/pdf" });
      res.write("%PDF");
    });
    closers.push(
      () =>
        new Promise((r) => {
          host.server.closeAllConnections();
          host.server.close(() => r());
        }),
    );
    const graph = await lookupTo(`${host.url}/file`);
    const started = Date.now();
    const err = await mediaError(fetchFrom(client(graph.url, [host.host], 300)));
    assert.equal(err.reason, "failed");
    assert.match(err.message, /timed out after 300 ms/);
    assert.ok(Date.now() - started < 3_000);
  });

  it("matches media hosts exactly or by a leading-dot suffix, https only (http for loopback)", () => {
    const hosts = ["lookaside.fbsbx.com", ".fbcdn.net", "127.0.0.1:9000"];
    assert.equal(allowedMediaUrl("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", hosts), true);
    assert.equal(allowedMediaUrl("https://scontent.xx.fbcdn.net/v/t1", hosts), true);
    assert.equal(allowedMediaUrl("https://fbcdn.net.evil.example/x", hosts), false);
    assert.equal(allowedMediaUrl("https://evilfbcdn.net/x", hosts), false);
    assert.equal(allowedMediaUrl("http://lookaside.fbsbx.com/x", hosts), false);
    assert.equal(allowedMediaUrl("https://user:pw@lookaside.fbsbx.com/x", hosts), false);
    assert.equal(allowedMediaUrl("http://127.0.0.1:9000/x", hosts), true);
    assert.equal(allowedMediaUrl("http://169.254.169.254/latest", hosts), false);
    assert.equal(allowedMediaUrl("not a url", hosts), false);
  });

  it("compares the webhook's base64 or hex SHA-256 with the digest", () => {
    const digest = createHash("sha256").update(BYTES).digest();
    assert.equal(sameDigest(digest.toString("base64"), digest), true);
    assert.equal(sameDigest(digest.toString("hex").toUpperCase(), digest), true);
    assert.equal(sameDigest(digest.toString("base64url"), digest), true);
    assert.equal(sameDigest("2Xc1J8cO6m8Z0X3kq8m1xJ8l0vUuK1d4Wm3V6oYz2Pk=", digest), false);
  });
});
