import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import { azuriteConnectionString } from "../../../src/storage/azurite/embedded-azurite";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { contact, conversation, inboxEntry } from "../../contract/store-fixtures";

/**
 * docs/reliability.md, "Table storage limits" "retry ambiguity": a create the service committed but whose answer was lost is
 * retried by the SDK and meets 409. The stores must still report their own write as created.
 * A proxy in front of Azurite forwards the first entity insert, then drops the connection instead of
 * passing the answer on.
 */
async function lossyProxy(targetPort: number, what: "insert" | "batch"): Promise<{ server: Server; port: number; dropped: () => number }> {
  let dropped = 0;
  const server = createServer((req, res) => {
    const url = req.url ?? "";
    const isInsert = req.method === "POST" && !/\/Tables\b/.test(url) && (what === "batch" ? /\$batch/.test(url) : !/\$batch/.test(url));
    const upstream = request({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (isInsert && dropped === 0) {
        dropped += 1;
        answer.resume();
        answer.on("end", () => res.socket?.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port, dropped: () => dropped };
}

describe("Table stores under retry ambiguity (lost answers to committed creates)", function () {
  this.timeout(30_000);
  let proxy: Awaited<ReturnType<typeof lossyProxy>> | undefined;
  afterEach(async () => {
    if (!proxy) return;
    proxy.server.closeAllConnections();
    await new Promise((resolve) => proxy?.server.close(resolve));
    proxy = undefined;
  });

  async function storesBehindProxy(what: "insert" | "batch" = "insert") {
    const { connectionString } = await getAzurite();
    const tablePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)\//.exec(connectionString)?.[1]);
    proxy = await lossyProxy(tablePort, what);
    return createTableStores({ connectionString: azuriteConnectionString(proxy.port, proxy.port), tablePrefix: uniqueTablePrefix("lossy"), maxRetries: 2 });
  }

  it("reserve reports created when its own committed create comes back as 409", async () => {
    const stores = await storesBehindProxy();
    assert.deepEqual(await stores.conversations.reserve(conversation()), { created: true });
    assert.equal(proxy?.dropped(), 1);
    assert.deepEqual(await stores.conversations.get(contact()), conversation());
    assert.equal((await stores.conversations.reserve(conversation({ createdAt: 5 }))).created, false);
  });

  it("record reports created when its own committed transaction (entry and index row) comes back as 409", async () => {
    const stores = await storesBehindProxy("batch");
    assert.equal(await stores.inbox.record(inboxEntry()), "created");
    assert.equal(proxy?.dropped(), 1);
    assert.equal(await stores.inbox.record(inboxEntry()), "duplicate");
    assert.deepEqual(
      (await stores.inbox.list("pending")).map((e) => e.key),
      [inboxEntry().key],
      "indexed once",
    );
  });
});
