import assert from "node:assert/strict";
import { request } from "node:http";
import type { HttpRequest } from "../../../src/http/http-route";
import { startHttpServer, type HttpServer } from "../../../src/http/restify-server";
import { CaptureLogger } from "../../support/capture-logger";

function call(
  url: string,
  options: { method: string; body?: Buffer; headers?: Record<string, string>; chunked?: boolean },
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
    });
    req.on("error", reject);
    if (options.body) {
      if (options.chunked) {
        // No Content-Length: the server must count while streaming.
        for (let i = 0; i < options.body.length; i += 64 * 1024) req.write(options.body.subarray(i, i + 64 * 1024));
      } else req.write(options.body);
    }
    req.end();
  });
}

describe("restify HTTP shell", () => {
  let server: HttpServer;
  const seen: HttpRequest[] = [];
  before(async () => {
    server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      logger: new CaptureLogger(),
      routes: [
        {
          method: "POST",
          path: "/echo",
          maxBodyBytes: 1024,
          handle: async (r) => {
            seen.push(r);
            return { status: 200, body: { bytes: r.rawBody.length } };
          },
        },
        { method: "GET", path: "/text", handle: async (r) => ({ status: 200, body: `q=${r.query.q}` }) },
        {
          method: "GET",
          path: "/boom",
          handle: async () => {
            throw new Error("secret detail");
          },
        },
      ],
    });
  });
  after(() => server.close());

  it("hands the handler the exact raw bytes", async () => {
    const body = Buffer.from('{"a":"\\u00e4 ä 📦"}', "utf8");
    const res = await call(`${server.url}/echo`, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=00" } });
    assert.equal(res.status, 200);
    assert.ok(seen.at(-1)!.rawBody.equals(body));
    assert.equal(seen.at(-1)!.headers["x-hub-signature-256"], "sha256=00");
  });

  it("answers 413 above the route's limit, by Content-Length and while streaming", async () => {
    const big = Buffer.alloc(4096, 0x61);
    assert.equal((await call(`${server.url}/echo`, { method: "POST", body: big })).status, 413);
    assert.equal(
      (await call(`${server.url}/echo`, { method: "POST", body: Buffer.alloc(300_000, 0x61), chunked: true, headers: { "transfer-encoding": "chunked" } }))
        .status,
      413,
    );
  });

  it("returns strings as text/plain and parses the query", async () => {
    const res = await call(`${server.url}/text?q=abc`, { method: "GET" });
    assert.equal(res.body, "q=abc");
    assert.match(String(res.headers["content-type"]), /text\/plain/);
  });

  it("hides handler errors behind a plain 500 and unknown paths behind a plain 404", async () => {
    const boom = await call(`${server.url}/boom`, { method: "GET" });
    assert.equal(boom.status, 500);
    assert.doesNotMatch(boom.body, /secret detail|at /);
    for (const probe of ["/.env", "/heapdump", "/.git/config", "/debug"]) {
      const res = await call(`${server.url}${probe}`, { method: "GET" });
      assert.equal(res.status, 404, probe);
      assert.equal(res.body, '{"error":"not found"}');
    }
  });
});
