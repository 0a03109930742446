import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { healthRoutes } from "../../../src/http/health-routes";
import { startHttpServer, type HttpServer } from "../../../src/http/restify-server";
import { CaptureLogger } from "../../support/capture-logger";

/** Opens a raw TCP connection to `url`'s host and port. */
function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves with the time at which the server closed `socket`, and what it sent before. */
function closedBy(socket: Socket): Promise<{ at: number; received: string }> {
  let received = "";
  socket.on("data", (c: Buffer) => (received += c.toString()));
  socket.on("error", () => {});
  return new Promise((resolve) => socket.once("close", () => resolve({ at: Date.now(), received })));
}

describe("the HTTP server against slow and numerous clients", function () {
  this.timeout(20_000);
  let server: HttpServer;

  before(async () => {
    server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      logger: new CaptureLogger(),
      limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 3_000, maxConnections: 20 },
      routes: healthRoutes({ ready: async () => {} }),
    });
  });
  after(() => server.close());

  it("closes a slowloris client that drips its headers, at the headers timeout", async () => {
    const socket = await open(server.url);
    const closed = closedBy(socket);
    const started = Date.now();
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // One header line every 200 ms: the connection is never idle, the headers never complete.
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Drip-${Date.now()}: 1\r\n`);
    }, 200);
    const { at, received } = await closed;
    clearInterval(drip);
    assert.ok(at - started >= 900 && at - started < 2_500, `closed after ${at - started} ms`);
    assert.doesNotMatch(received, /HTTP\/1\.1 200/, "the request never reached a handler");
  });

  it("a client that completes its headers in time is served", async () => {
    const socket = await open(server.url);
    const closed = closedBy(socket);
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    await new Promise((r) => setTimeout(r, 500));
    socket.end("Connection: close\r\n\r\n");
    assert.match((await closed).received, /^HTTP\/1\.1 200/);
  });

  it("caps open connections: beyond maxConnections a new one is closed at once", async () => {
    const held = await Promise.all(Array.from({ length: 20 }, () => open(server.url)));
    const extra = await open(server.url);
    const closed = await Promise.race([closedBy(extra), new Promise<undefined>((r) => setTimeout(() => r(undefined), 800))]);
    assert.ok(closed, "the 21st connection was closed by the server");
    for (const s of held) s.destroy();
  });
});

describe("/readyz over HTTP", () => {
  let server: HttpServer;
  let pings = 0;
  before(async () => {
    server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      logger: new CaptureLogger(),
      routes: healthRoutes({
        ready: async () => {
          pings++;
          await new Promise((r) => setTimeout(r, 20));
        },
      }),
    });
  });
  after(() => server.close());

  it("a burst of concurrent probes costs one storage ping per second", async () => {
    const before = pings;
    const burst = async () =>
      (await Promise.all(Array.from({ length: 15 }, () => fetch(`${server.url}/readyz`).then((r) => r.status)))).every((s) => s === 200);
    assert.ok(await burst());
    assert.equal(pings - before, 1, "15 concurrent /readyz, one ping");
    assert.ok(await burst());
    assert.equal(pings - before, 1, "again within the second: still one");
    await new Promise((r) => setTimeout(r, 1_050));
    assert.ok(await burst());
    assert.equal(pings - before, 2, "a second later: one more");
  });
});
