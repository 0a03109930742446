import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PermanentError, TransientError } from "../../../src/core/errors";
import { acceptsConnections, findFreePort } from "../../../src/storage/azurite/free-port";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { CaptureLogger } from "../../support/capture-logger";
import { link } from "../../contract/store-fixtures";

/** Listening TCP sockets on IPv4, from /proc/net/tcp (Linux), as "a.b.c.d:port". */
function ipv4Listeners(): string[] {
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[3] === "0A" && cols[1])
    .map((cols) => {
      const [hexIp = "", hexPort = ""] = (cols[1] ?? "").split(":");
      const ip = (hexIp.match(/../g) ?? [])
        .reverse()
        .map((b) => parseInt(b, 16))
        .join(".");
      return `${ip}:${parseInt(hexPort, 16)}`;
    });
}

function rejectsStartFailure(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  return assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PermanentError, String(err));
    assert.equal(err.code, "storage.azurite.start_failed");
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention "${f}"`);
    return true;
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("embedded Azurite", function () {
  this.timeout(60_000);
  const started: EmbeddedAzurite[] = [];
  const start = async (...args: Parameters<typeof startEmbeddedAzurite>) => {
    const azurite = await startEmbeddedAzurite(...args);
    started.push(azurite);
    return azurite;
  };
  afterEach(async () => {
    for (const azurite of started.splice(0)) await azurite.stop();
  });

  it("serves tables and blobs on 127.0.0.1 only, and stops", async () => {
    const logger = new CaptureLogger();
    const azurite = await start({ logger });
    assert.notEqual(azurite.tablePort, azurite.blobPort);
    assert.match(azurite.connectionString, new RegExp(`TableEndpoint=http://127\\.0\\.0\\.1:${azurite.tablePort}/devstoreaccount1;`));
    assert.match(azurite.connectionString, new RegExp(`BlobEndpoint=http://127\\.0\\.0\\.1:${azurite.blobPort}/devstoreaccount1;`));
    assert.ok(logger.events().includes("storage.azurite.started"));

    const listeners = ipv4Listeners();
    for (const port of [azurite.tablePort, azurite.blobPort]) {
      assert.ok(listeners.includes(`127.0.0.1:${port}`), `port ${port} should listen on 127.0.0.1`);
      assert.ok(!listeners.includes(`0.0.0.0:${port}`), `port ${port} must not listen on all interfaces`);
      assert.equal(await acceptsConnections("127.0.0.1", port), true);
      // Another loopback address reaches the same machine but not a socket bound to 127.0.0.1 alone.
      assert.equal(await acceptsConnections("127.0.0.2", port), false);
    }
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal);
    if (external) assert.equal(await acceptsConnections(external.address, azurite.tablePort), false);

    const blob = await fetch(`http://127.0.0.1:${azurite.blobPort}/devstoreaccount1?comp=list`);
    assert.ok(blob.headers.get("server")?.includes("Azurite-Blob"), `blob server header: ${blob.headers.get("server")}`);

    const stores = await createTableStores({ connectionString: azurite.connectionString, tablePrefix: "embedded" });
    await stores.links.put(link());
    assert.deepEqual(await stores.links.get(link().business), link());

    await azurite.stop();
    await azurite.stop();
    assert.equal(await acceptsConnections("127.0.0.1", azurite.tablePort), false);
    assert.ok(logger.events().includes("storage.azurite.stopped"));
  });

  it("keeps data on disk across restarts when given a location", async () => {
    const location = mkdtempSync(join(tmpdir(), "azurite-test-"));
    try {
      const first = await start({ location });
      await (await createTableStores({ connectionString: first.connectionString })).links.put(link());
      await first.stop();
      const second = await start({ location });
      const stores = await createTableStores({ connectionString: second.connectionString });
      assert.deepEqual(await stores.links.get(link().business), link());
    } finally {
      for (const azurite of started.splice(0)) await azurite.stop();
      rmSync(location, { recursive: true, force: true });
    }
  });

  it("fails clearly when the requested table port is taken", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await rejectsStartFailure(start({ tablePort: port }), `table port 127.0.0.1:${port}`, "EADDRINUSE");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("a port taken between choosing and binding is not mistaken for its table service: it starts again on fresh ports", async () => {
    // Another process's listener takes the table port after the choice (what parallel test workers did):
    // it accepts connections, so a connection alone would have been taken for Azurite's table service.
    const thief: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => thief.listen(0, "127.0.0.1", resolve));
    const stolen = (thief.address() as { port: number }).port;
    const logger = new CaptureLogger();
    const choices: number[][] = [];
    const choosePorts = async (): Promise<[number, number, number]> => {
      const ports: [number, number, number] =
        choices.length === 0
          ? [stolen, await findFreePort("127.0.0.1"), await findFreePort("127.0.0.1")]
          : [await findFreePort("127.0.0.1"), await findFreePort("127.0.0.1"), await findFreePort("127.0.0.1")];
      choices.push(ports);
      return ports;
    };
    try {
      const azurite = await start({ logger, choosePorts });
      assert.equal(choices.length, 2, "a second start, on other ports");
      assert.notEqual(azurite.tablePort, stolen);
      assert.ok(logger.events().includes("storage.azurite.port_taken"));
      const stores = await createTableStores({ connectionString: azurite.connectionString, tablePrefix: "retaken" });
      await stores.links.put(link());
      assert.deepEqual(await stores.links.get(link().business), link());
    } finally {
      await new Promise((resolve) => thief.close(resolve));
    }
  });

  it("fails clearly, quoting Azurite, when the process exits during start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "azurite-test-"));
    const notAFolder = join(dir, "file");
    writeFileSync(notAFolder, "not a folder");
    try {
      await rejectsStartFailure(start({ location: notAFolder }), "exited (code 1)", "Last output:", "EEXIST");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails clearly and leaves nothing running when the table service is not up in time", async () => {
    const tablePort = await findFreePort("127.0.0.1");
    await rejectsStartFailure(start({ tablePort, startTimeoutMs: 1 }), `127.0.0.1:${tablePort}`, "within 1 ms");
    // The child was killed before the rejection; give a late bind a moment to show up if it were still alive.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await acceptsConnections("127.0.0.1", tablePort), false);
  });

  it("dies with its parent, even when the parent is killed outright", async () => {
    const parent = spawn(process.execPath, [join(__dirname, "fixtures", "azurite-parent.js")], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: parent.stdout! }).once("line", resolve);
        parent.once("exit", (code) => reject(new Error(`parent exited early with code ${code}`)));
      });
      const { tablePort } = JSON.parse(firstLine) as { tablePort: number };
      assert.equal(await acceptsConnections("127.0.0.1", tablePort), true);
      parent.kill("SIGKILL");
      await eventually(async () => !(await acceptsConnections("127.0.0.1", tablePort)), 10_000, "the orphaned Azurite stops listening");
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("maps storage calls to TransientError('storage.unavailable') once Azurite is gone", async () => {
    const azurite = await start();
    const stores = await createTableStores({ connectionString: azurite.connectionString, tablePrefix: "gone", maxRetries: 0 });
    await stores.ping();
    await azurite.stop();
    for (const call of [() => stores.ping(), () => stores.links.get(link().business), () => stores.inbox.list("pending")]) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof TransientError, String(err));
        assert.equal(err.code, "storage.unavailable");
        assert.equal(err.retryable, true);
        assert.match(err.message, /ECONNREFUSED/);
        return true;
      });
    }
  });
});
