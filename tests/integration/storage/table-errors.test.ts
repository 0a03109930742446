import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { BridgeError, PermanentError, TransientError } from "../../../src/core/errors";
import { azuriteConnectionString } from "../../../src/storage/azurite/embedded-azurite";
import { decodeKey, encodeKey, MAX_KEY_CHARS } from "../../../src/storage/table/keys";
import { TableStores } from "../../../src/storage/table/table-stores";
import { BUSINESS, contact } from "../../contract/store-fixtures";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A local stand-in for the Table service that answers every request with `handler`. */
async function fakeTableService(handler: Handler): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port, requests };
}

function serviceError(status: number, code: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "application/json;odata=minimalmetadata", "x-ms-error-code": code, ...headers });
    res.end(JSON.stringify({ "odata.error": { code, message: { lang: "en-US", value: `fake ${code}` } } }));
  };
}

async function rejection(promise: Promise<unknown>): Promise<BridgeError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BridgeError, `expected a BridgeError, got ${String(err)}`);
    return err;
  }
  return assert.fail("expected a rejection");
}

describe("Table storage errors and keys", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });
  const storesAgainst = async (handler: Handler, extra: { requestTimeoutMs?: number } = {}) => {
    const fake = await fakeTableService(handler);
    servers.push(fake.server);
    return { stores: new TableStores({ connectionString: azuriteConnectionString(fake.port, fake.port), maxRetries: 0, ...extra }), requests: fake.requests };
  };

  it("503 ServerBusy is transient and carries Retry-After", async () => {
    const { stores } = await storesAgainst(serviceError(503, "ServerBusy", { "retry-after": "7" }));
    const err = await rejection(stores.links.get(BUSINESS));
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, "storage.unavailable");
    assert.equal(err.retryAfterMs, 7_000);
    assert.match(err.message, /links\.get: .*HTTP 503 ServerBusy/);
  });

  it("500 and 429 are transient; 403 is permanent", async () => {
    for (const [status, code, kind] of [
      [500, "InternalError", TransientError],
      [429, "TooManyRequests", TransientError],
      [403, "AuthorizationPermissionMismatch", PermanentError],
    ] as const) {
      const { stores } = await storesAgainst(serviceError(status, code));
      const err = await rejection(
        stores.inbox.record({
          business: BUSINESS,
          key: "k",
          event: { type: "account_error", business: BUSINESS, key: "k", timestamp: 1, code: 1, title: "t" },
          state: "pending",
          receivedAt: 1,
        }),
      );
      assert.ok(err instanceof kind, `${status} → ${err.name}`);
      assert.equal(err.code, kind === TransientError ? "storage.unavailable" : "storage.rejected");
      assert.ok(err.message.includes(`HTTP ${status} ${code}`), err.message);
    }
  });

  it("a storage that does not answer in time is transient", async () => {
    const { stores } = await storesAgainst(() => undefined, { requestTimeoutMs: 200 });
    const err = await rejection(stores.conversations.get(contact()));
    assert.ok(err instanceof TransientError);
    assert.match(err.message, /did not answer in time/);
  });

  it("ping treats a missing row as an answer but a missing table as a failure", async () => {
    const ok = await storesAgainst(serviceError(404, "ResourceNotFound"));
    await ok.stores.ping();
    assert.equal(ok.requests.length, 1);
    const noTable = await storesAgainst(serviceError(404, "TableNotFound"));
    const err = await rejection(noTable.stores.ping());
    assert.ok(err instanceof PermanentError);
    assert.match(err.message, /TableNotFound/);
  });

  it("error messages never contain the keys (contact keys hold phone numbers)", async () => {
    const { stores } = await storesAgainst(serviceError(400, "InvalidInput"));
    const err = await rejection(stores.conversations.get(contact("4915112345678")));
    assert.ok(!err.message.includes("4915112345678"), err.message);
    assert.equal(err.options.cause, undefined);
  });

  it("encodeKey escapes exactly the forbidden characters and %, reversibly", () => {
    assert.equal(encodeKey("wamid.ab/c+d=="), "wamid.ab%2Fc+d==");
    assert.equal(encodeKey("a#b?c\\d%e"), "a%23b%3Fc%5Cd%25e");
    assert.equal(encodeKey("tab\there\u0085"), "tab%09here%85");
    assert.equal(encodeKey("19:x@thread.tacv2;messageid=17|Zoë 😀"), "19:x@thread.tacv2;messageid=17|Zoë 😀");
    assert.equal(encodeKey("x/y", "wa:"), "wa:x%2Fy");
    for (const s of ["a/b", "a%2Fb", "%%", "😀/#?\\\u0000"]) assert.equal(decodeKey(encodeKey(s)), s);
    assert.notEqual(encodeKey("a/b"), encodeKey("a%2Fb"));
    // eslint-disable-next-line no-control-regex -- the characters a key may not hold
    assert.doesNotMatch(encodeKey("/\\#?\u0001\u007f"), /[/\\#?\u0000-\u001f\u007f-\u009f]/);
  });

  it("encodeKey refuses keys longer than Table storage allows", () => {
    assert.equal(encodeKey("k".repeat(MAX_KEY_CHARS)).length, MAX_KEY_CHARS);
    assert.throws(
      () => encodeKey("/".repeat(400)),
      (err: unknown) => err instanceof PermanentError && err.code === "storage.key_too_long",
    );
  });

  it("refuses bad options with a clear PermanentError", () => {
    const bad = (options: ConstructorParameters<typeof TableStores>[0], pattern: RegExp) =>
      assert.throws(
        () => new TableStores(options),
        (err: unknown) => err instanceof PermanentError && err.code === "storage.bad_config" && pattern.test(err.message),
      );
    bad({}, /connection string or an account name/);
    bad({ connectionString: "UseDevelopmentStorage=true", accountName: "acct" }, /not both/);
    bad({ accountName: "Bad_Name" }, /storage account name/);
    bad({ connectionString: "UseDevelopmentStorage=true", tablePrefix: "1bad" }, /table prefix/);
    bad({ connectionString: "UseDevelopmentStorage=true", tablePrefix: "has-dash" }, /table prefix/);
  });
});
