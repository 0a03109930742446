import assert from "node:assert/strict";
import { BusinessNumberId, TeamsMessageId, WaMessageId, type TeamsThreadRef } from "../../../src/core/ids";
import type { Clock } from "../../../src/core/ports/clock";
import { reconcile } from "../../../src/core/bridge/recovery/reconcile";
import { TableStores } from "../../../src/storage/table/table-stores";
import { EXAMPLE_BUSINESS, statusUpdate, textMessage } from "../../../tools/sign-webhook";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";
import { judge, scansAmong, type Access } from "../../support/table-access-pattern";
import { azuritePorts, TableRequestRecorder, type RecordedRequest } from "../../support/table-request-recorder";

/**
 * The bridge must find unfinished work without reading finished work, so that its cost does not grow
 * with its history (docs/benchmarks.md, "History"). Azurite answers a query that scans a table in one
 * request, so counting requests would hide a scan: every Table request the running bridge makes goes
 * through a recording proxy, and each is judged by how it names its rows (table-access-pattern.ts):
 * keyed reads and writes, batches of them, and queries of one partition by RowKey only.
 */

const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const CONTACTS = [
  { phone: "5511900000101", name: "Ana" },
  { phone: "5511900000102", name: "Bia" },
  { phone: "5511900000103", name: "Caio" },
];
const PER_CONTACT = 3;
const POLL_SECONDS = 0.2;
const IDLE_MS = 1_300;
const T0 = Math.floor(Date.now() / 1000) - 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The suspended-link probe on a short real interval, so that it runs while the bridge idles here. */
const quickProbeClock: Clock = {
  now: () => Date.now(),
  sleep: async () => {
    await sleep(200);
  },
};

const isQuery = (access: Access, table: string, partition: string) =>
  access.kind === "partition-query" && access.table === table && access.partition === partition;

describe("Table access pattern: the running bridge reads by key, never scanning its history", function () {
  this.timeout(60_000);
  let recorder: TableRequestRecorder;
  let h: Harness;
  let tablePrefix: string;
  /** When the bridge reported it started (`startBridge` resolved); requests before are start-up. */
  let started: number;
  let idleWindows: Array<[number, number]>;
  let drained: [number, number];
  let unansweredReply: { thread: TeamsThreadRef; id: string };

  before(async () => {
    const azurite = await getAzurite();
    recorder = await TableRequestRecorder.start(azuritePorts(azurite.connectionString));
    tablePrefix = uniqueTablePrefix("access");
    h = await startHarness({
      tablePrefix,
      linkProbeClock: quickProbeClock,
      env: {
        AZURE_STORAGE_CONNECTION_STRING: recorder.connectionString,
        INBOX_POLL_SECONDS: String(POLL_SECONDS),
        // The leader's outbox sweep runs at most every half of this: once a second here.
        OUTBOX_REQUEUE_SECONDS: "1",
        LOG_LEVEL: "warn",
      },
    });
    started = performance.now();
    await sleep(IDLE_MS);
    const firstIdle: [number, number] = [started, performance.now()];

    const drainFrom = performance.now();
    const link = h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true });
    assert.equal((await h.sendActivity(link)).status, 200);
    await h.connector.waitFor((s) => s.posts.some((p) => /is linked to this channel/.test(String(p.activity.text ?? ""))), 10_000);
    // A burst: every contact's messages at once, one webhook each.
    const burst = CONTACTS.flatMap((from, c) =>
      Array.from({ length: PER_CONTACT }, (_, m) =>
        h.envelope(textMessage({ from, text: `burst ${c}.${m}`, id: `wamid.access.${c}.${m}`, timestamp: T0 + m })),
      ),
    );
    assert.deepEqual(
      await Promise.all(burst.map((body) => h.postWebhook(body))),
      burst.map(() => 200),
    );
    const posted = (s: { posts: ReadonlyArray<{ activity: Record<string, unknown> }> }) =>
      s.posts.filter((p) => /burst \d\.\d/.test(String(p.activity.text ?? ""))).length;
    await h.connector.waitFor((s) => s.created.length === CONTACTS.length && posted(s) === burst.length, 20_000);
    // A staff reply that gets its statuses, and one that gets none (reconcile lists it).
    const thread = h.connector.created[0]!.conversationId;
    assert.equal((await h.sendActivity(h.channelMessage("We are on it.", { thread }))).status, 200);
    const [sent] = await h.metaGraph.waitForSends(1, 10_000);
    const wamid = sent?.wamid;
    assert.ok(wamid, "the reply was accepted by the Meta Graph API stand-in");
    const recipient = { phone: String((sent.body as { to: string }).to).replace(/^\+/, "") };
    for (const status of ["sent", "delivered", "read"] as const) {
      assert.equal(await h.postWebhook(h.envelope(statusUpdate({ id: wamid, status, recipient }))), 200);
    }
    const second = h.channelMessage("Anything else?", { thread });
    assert.equal((await h.sendActivity(second)).status, 200);
    await h.metaGraph.waitForSends(2, 10_000);
    unansweredReply = { thread: thread as TeamsThreadRef, id: String(second.id) };
    await h.bridge.bridge.idle();
    // Read past the proxy: the test's own requests are not the bridge's.
    const direct = new TableStores({ connectionString: azurite.connectionString, tablePrefix });
    await waitUntil(async () => (await direct.messages.byWamid(BUSINESS, WaMessageId(wamid)))?.state === "read", 10_000);
    drained = [drainFrom, performance.now()];

    const secondIdle = performance.now();
    await sleep(IDLE_MS);
    const ready = await fetch(`${h.bridge.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.match(await ready.text(), /"backlog"/);
    idleWindows = [firstIdle, [secondIdle, performance.now()]];
  });

  after(async () => {
    await h?.stop();
    await recorder?.close();
  });

  it("makes only keyed reads and writes, batches, and queries of one partition by RowKey, idle and draining", () => {
    const afterStart = recorder.between(started);
    assert.ok(afterStart.length > 50, `the bridge made ${afterStart.length} Table requests after start-up`);
    assert.deepEqual(scansAmong(afterStart), []);
    assert.equal(afterStart.filter((r) => judge(r).kind === "create-table").length, 0, "tables are created at start-up only");
  });

  it("at start-up, scans nothing but the one-time links migration query (and creates its tables)", () => {
    const startUp = recorder.requests.filter((r) => r.at < started);
    const migration = (r: RecordedRequest) => r.path.endsWith(`/${tablePrefix}links()`) && r.filter === "RowKey eq 'link'";
    assert.equal(startUp.filter(migration).length, 1, "the links migration runs once");
    assert.deepEqual(scansAmong(startUp.filter((r) => !migration(r))), []);
  });

  it("polls while idle, so the check above covered the poll, the outbox sweep and the link probe", () => {
    const inbox = `${tablePrefix}inbox`;
    for (const [from, to] of idleWindows) {
      const accesses = recorder.between(from, to).map(judge);
      const rounds = accesses.filter((a) => isQuery(a, inbox, "~numbers")).length;
      assert.ok(rounds >= 3, `${rounds} poll rounds in ${Math.round(to - from)} ms of idling`);
    }
    const accesses = recorder.between(started).map(judge);
    assert.ok(
      accesses.some((a) => isQuery(a, `${tablePrefix}outbox`, "~open")),
      "the outbox sweep read its index",
    );
    assert.ok(
      accesses.some((a) => isQuery(a, `${tablePrefix}links`, "links")),
      "the link probe (or the readiness report) read the links",
    );
    assert.ok(
      accesses.some((a) => a.kind === "partition-query" && a.table === inbox && a.partition === BUSINESS),
      "the poll read a number's index rows",
    );
    const draining = recorder.between(...drained).map(judge);
    assert.ok(
      draining.some((a) => a.kind === "batch"),
      "the burst was recorded in batches",
    );
    assert.ok(draining.filter((a) => a.kind === "point").length > 20, "the drain made point reads and writes");
  });

  it("npm run reconcile's report reads by key too, and still finds what waits", async () => {
    // The reconcile command builds its stores the same way (createTableStores), minus the table creation done here already.
    const stores = new TableStores({ connectionString: recorder.connectionString, tablePrefix });
    const from = performance.now();
    const report = await reconcile(stores, { now: Date.now(), outboundOlderThanMs: 0 });
    const requests = recorder.between(from);
    assert.deepEqual(
      report.unsettledOutbound.map((o) => [o.thread, o.teamsMessageId]),
      [[unansweredReply.thread, TeamsMessageId(unansweredReply.id)]],
    );
    assert.deepEqual(scansAmong(requests), []);
    const accesses = requests.map(judge);
    assert.ok(
      accesses.some((a) => isQuery(a, `${tablePrefix}messages`, "~awaiting")),
      "reconcile read the awaiting-status index",
    );
    assert.ok(
      accesses.some((a) => isQuery(a, `${tablePrefix}inbox`, "~numbers")),
      "reconcile read the inbox index",
    );
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(50);
  }
}
