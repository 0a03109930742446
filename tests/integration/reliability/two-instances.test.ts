import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { findFreePort } from "../../../src/storage/azurite/free-port";
import { createTableStores, type TableStores } from "../../../src/storage/table/table-stores";
import { startBotConnectorStandin, type BotConnectorStandin } from "../../../tools/bot-connector-standin";
import { startMetaGraphStandin } from "../../../tools/meta-graph-standin";
import type { MetaGraphStandin } from "../../../tools/meta-graph-standin/standin-types";
import { signedWebhook, textMessage, webhookEnvelope } from "../../../tools/sign-webhook";
import { CaptureLogger } from "../../support/capture-logger";
import { BridgeChild, childEnv } from "./bridge-child";
import { channelLink, sleep, waitUntil } from "./reliability-kit";

const SECRET = "two-instances-secret";
const TOKEN = "two-instances-token";
const LEASE_SECONDS = 15;
const T0 = Math.floor(Date.now() / 1000) - 600;
const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Several instances (docs/reliability.md) with real processes: two bridges (`node dist/src/index.js`) on one Azurite, the Graph and
 * Bot Connector stand-ins in this process. Both ingest; only the lease holder processes.
 */
describe("two bridge instances share the work through a Blob lease (child processes)", function () {
  this.timeout(120_000);
  let azurite: EmbeddedAzurite;
  let graph: MetaGraphStandin;
  let connector: BotConnectorStandin;
  let stores: TableStores;
  let cwd: string;
  const children: BridgeChild[] = [];
  let sequence = 0;

  const env = (): Record<string, string> =>
    childEnv({
      secret: SECRET,
      token: TOKEN,
      metaGraphUrl: graph.url,
      storageConnectionString: azurite.connectionString,
      connectorHost: connector.host,
      cwd,
      leaseSeconds: LEASE_SECONDS,
    });

  async function launch(name: string): Promise<BridgeChild> {
    const child = new BridgeChild(name, await findFreePort("127.0.0.1"), env(), cwd);
    children.push(child);
    await child.ready();
    return child;
  }

  /** Sends one signed webhook with a message from customer `contact`; resolves with the status. */
  async function deliver(to: BridgeChild, contact: number, text: string): Promise<number> {
    const id = `wamid.two.${contact}.${++sequence}`;
    const from = { phone: `55119876${String(contact).padStart(5, "0")}`, name: `Customer ${contact}` };
    const signed = signedWebhook(webhookEnvelope(textMessage({ from, text, id, timestamp: T0 + sequence })), SECRET);
    const res = await fetch(`${to.url}/api/whatsapp/webhook`, { method: "POST", headers: signed.headers, body: new Uint8Array(signed.body) });
    await res.arrayBuffer();
    return res.status;
  }

  /** How many times each text was posted to Teams (texts of one length, so none contains another). */
  function postedCounts(texts: readonly string[]): number[] {
    const bodies = connector.posts.map((p) => JSON.stringify(p.activity));
    return texts.map((t) => bodies.filter((b) => b.includes(t)).length);
  }

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), "bridge-two-"));
    [azurite, graph, connector] = await Promise.all([
      startEmbeddedAzurite({ logger: new CaptureLogger() }),
      startMetaGraphStandin({ accessToken: TOKEN }),
      startBotConnectorStandin({}),
    ]);
    // The children use the default table names, in an Azurite of this test's own.
    stores = await createTableStores({ connectionString: azurite.connectionString });
    await stores.links.put(channelLink(connector.serviceUrl));
  });

  after(async () => {
    for (const child of children) if (child.running) child.signal("SIGKILL");
    await Promise.all(children.map((c) => c.exited));
    await Promise.all([graph?.close(), connector?.close(), azurite?.stop()]);
    rmSync(cwd, { recursive: true, force: true });
  });

  it("the holder renews its lease; when it is killed (-9) the standby takes over within 60 s and nothing is lost", async () => {
    const a = await launch("A");
    // /readyz answers as soon as A listens (it can ingest); the lease is taken right after.
    await waitUntil(() => a.seen("bridge.leadership.acquired") !== undefined, `A leads once started:\n${a.tail()}`, 10_000);
    const aLeads = a.seen("bridge.leadership.acquired")!;
    const b = await launch("B");
    await sleep(1_500);
    assert.equal(b.seen("bridge.leadership.acquired"), undefined, "B stands by");

    // Both ingest; A processes what B ingested (it polls the inbox).
    const first = Array.from({ length: 6 }, (_, i) => `first wave ${pad(i)}`);
    const statuses = await Promise.all(first.map((t, i) => deliver(i % 2 === 0 ? a : b, i % 3, t)));
    assert.deepEqual(
      statuses,
      first.map(() => 200),
    );
    await waitUntil(() => postedCounts(first).every((n) => n >= 1), "the first wave posted", 20_000);

    // A keeps the lease past its duration by renewing it, while B keeps asking.
    const heldFor = LEASE_SECONDS * 1000 + 1_000 - (Date.now() - aLeads.at);
    if (heldFor > 0) await sleep(heldFor);
    assert.equal(b.seen("bridge.leadership.acquired"), undefined, "renewals kept the lease with A");

    // A crash in the middle of work: messages acknowledged by A, then kill -9.
    // (To contacts whose threads exist: a crash while a thread is being created delays that contact
    // until its reservation is stale, a separate and longer wait.)
    const second = Array.from({ length: 12 }, (_, i) => `second wave ${pad(i)}`);
    assert.deepEqual(
      await Promise.all(second.map((t, i) => deliver(a, i % 3, t))),
      second.map(() => 200),
    );
    a.signal("SIGKILL");
    const killedAt = (await a.exited).at;
    // While nobody leads, B still acknowledges (any instance ingests).
    const third = Array.from({ length: 4 }, (_, i) => `third wave ${pad(i)}`);
    assert.deepEqual(
      await Promise.all(third.map((t, i) => deliver(b, 10 + i, t))),
      third.map(() => 200),
    );

    await waitUntil(() => b.seen("bridge.leadership.acquired") !== undefined, "B takes over", 60_000);
    const takeoverMs = b.seen("bridge.leadership.acquired")!.at - killedAt;
    assert.ok(takeoverMs <= 60_000, `took over after ${takeoverMs} ms`);
    assert.ok(takeoverMs <= LEASE_SECONDS * 1000 + 2 * 2_000 + 1_000, `within the lease plus a retry or two (${takeoverMs} ms)`);

    const all = [...first, ...second, ...third];
    await waitUntil(() => postedCounts(all).every((n) => n >= 1), "every message posted", 30_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${all.filter((_, i) => postedCounts(all)[i] === 0).join(", ")}\n${b.tail()}`);
    });
    await sleep(1_500);
    // Nothing lost; a message A was posting when it died may appear twice, and then it is flagged.
    const counts = postedCounts(all);
    assert.ok(
      counts.every((n) => n >= 1 && n <= 2),
      `posted counts ${counts.join(",")}`,
    );
    const doubles = counts.filter((n) => n === 2).length;
    const flags = await stores.inbox.listFlagged();
    assert.ok(flags.length >= doubles, `${doubles} duplicate(s), ${flags.length} flagged`);
    assert.deepEqual(await stores.inbox.list("pending"), []);
    assert.deepEqual(await stores.inbox.list("posting"), []);
  });

  it("SIGTERM: stops accepting, finishes or hands back its work, releases the lease at once, and exits 0 within 30 s", async () => {
    const b = children.find((c) => c.name === "B" && c.running)!;
    assert.ok(b?.seen("bridge.leadership.acquired"), "B leads after the previous test");
    const c = await launch("C");
    await sleep(1_500);
    assert.equal(c.seen("bridge.leadership.acquired"), undefined, "C stands by");

    // Work in hand: 20 new contacts (a thread each) under the Teams rate limiter.
    const texts = Array.from({ length: 20 }, (_, i) => `before the stop ${pad(i)}`);
    assert.deepEqual(
      await Promise.all(texts.map((t, i) => deliver(b, 100 + i, t))),
      texts.map(() => 200),
    );
    const termAt = Date.now();
    b.signal("SIGTERM");
    await sleep(200);
    await assert.rejects(fetch(`${b.url}/healthz`, { signal: AbortSignal.timeout(2_000) }), "no longer accepting connections");

    const exit = await b.exited;
    assert.equal(exit.code, 0, b.tail());
    assert.ok(exit.at - termAt < 30_000, `exited after ${exit.at - termAt} ms`);
    assert.ok(b.seen("bridge.stopping"));
    assert.ok(b.seen("bridge.leadership.released"), `the lease was released:\n${b.tail()}`);

    await waitUntil(() => c.seen("bridge.leadership.acquired") !== undefined, "C takes over", 10_000);
    // Released, not lapsed: C did not wait for the lease to run out.
    assert.ok(c.seen("bridge.leadership.acquired")!.at - b.seen("bridge.leadership.released")!.at < (LEASE_SECONDS * 1000) / 2);
    await waitUntil(() => postedCounts(texts).every((n) => n >= 1), "all messages posted by B or C", 30_000);
    await sleep(1_000);
    assert.ok(
      postedCounts(texts).every((n) => n === 1),
      `each once: ${postedCounts(texts).join(",")}`,
    );
    assert.deepEqual(await stores.inbox.list("pending"), []);
  });
});
