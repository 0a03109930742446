import assert from "node:assert/strict";
import { paragraph } from "../../../src/core/formatted-text";
import { BusinessNumberId, contactKeyOf, TeamsChannelId, TeamsGroupId, TenantId, threadRefOf, TeamsMessageId, WaMessageId } from "../../../src/core/ids";
import { WaPhone } from "../../../src/core/ids";
import { ADAPTIVE_CARD_CONTENT_TYPE, buildRootCard } from "../../../src/teams/cards/root-card";
import type { ThreadLocation } from "../../../src/core/ports/thread-history";
import { GraphThreadHistory } from "../../../src/teams/graph-thread-history";
import { renderThreadPost } from "../../../src/teams/teams-html";
import { startBotConnectorStandin, type BotConnectorStandin } from "../../../tools/bot-connector-standin";
import { CaptureLogger } from "../../support/capture-logger";

const GROUP = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b";
const CHANNEL = TeamsChannelId("19:whatsapp-support@thread.tacv2");
const ROOT = TeamsMessageId("1760000000000");
const GOOD_TOKEN = "graph-token-for-the-bot";
const contactOf = (phone: string) => contactKeyOf(BusinessNumberId("106540352242922"), { phone: WaPhone(phone) });

/**
 * GraphThreadHistory over real HTTP against the Graph replies endpoint of the Bot Connector stand-in:
 * paging, the bound on pages, refusals and outages (each is "unknown", never an error).
 */
describe("GraphThreadHistory against the stand-in's Graph replies endpoint", () => {
  let connector: BotConnectorStandin;
  let where: ThreadLocation;

  /** Posts `count` customer posts (wamids `wamid.page.<i>`) as the bot, the way the gateway renders them. */
  async function postCustomerMessages(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const text = renderThreadPost({
        kind: "customer",
        authorHandle: "+5511987654321",
        sentAt: 0,
        body: paragraph(`message ${i}`),
        ref: WaMessageId(`wamid.page.${i}`),
      });
      const res = await fetch(`${connector.serviceUrl}v3/conversations/${encodeURIComponent(where.thread)}/activities`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "message", text, textFormat: "xml", from: { id: "28:5e8a1c7d-4f10-4a51-9c3e-0b1f2a3c4d5e" } }),
      });
      assert.equal(res.status, 201);
    }
  }

  const history = (options: { token?: string; maxPages?: number } = {}) =>
    new GraphThreadHistory({
      msGraphUrl: connector.msGraphUrl,
      token: async () => options.token ?? GOOD_TOKEN,
      logger: new CaptureLogger(),
      ...(options.maxPages ? { maxPages: options.maxPages } : {}),
    });

  before(async () => {
    connector = await startBotConnectorStandin({ graph: { authorize: (header) => header === `Bearer ${GOOD_TOKEN}` } });
    connector.msGraph.addTeam(GROUP, [CHANNEL]);
    where = {
      channel: { channelId: CHANNEL, tenantId: TenantId("72f988bf-86f1-41af-91ab-2d7cd011db47"), serviceUrl: connector.serviceUrl },
      teamGroupId: TeamsGroupId(GROUP),
      thread: threadRefOf(CHANNEL, ROOT),
    };
    await postCustomerMessages(120);
  });
  after(async () => {
    await connector?.close();
  });

  it("finds a post on the last page by following @odata.nextLink (newest first, 50 a page)", async () => {
    const found = await history().findPost(where, WaMessageId("wamid.page.0"));
    assert.equal(found.kind, "found");
    assert.equal(found.kind === "found" && found.id, connector.posts[0]!.id);
    assert.deepEqual(
      connector.msGraph.requests.slice(-3).map((r) => r.query.includes("$skiptoken")),
      [false, true, true],
      "three pages read",
    );
  });

  it("says absent only after reading the whole thread", async () => {
    const before = connector.msGraph.requests.length;
    assert.deepEqual(await history().findPost(where, WaMessageId("wamid.never.posted")), { kind: "absent" });
    assert.equal(connector.msGraph.requests.length - before, 3);
  });

  it("cannot tell when the thread is longer than the pages it may read", async () => {
    const lookup = await history({ maxPages: 2 }).findPost(where, WaMessageId("wamid.never.posted"));
    assert.equal(lookup.kind, "unknown");
  });

  it("cannot tell when Graph refuses the token, does not know the team, or is down", async () => {
    assert.deepEqual(await history({ token: "someone-else" }).findPost(where, WaMessageId("wamid.page.119")), {
      kind: "unknown",
      why: "Graph answered HTTP 401",
    });
    assert.deepEqual(await history().findPost({ ...where, teamGroupId: TeamsGroupId("00000000-0000-0000-0000-000000000000") }, WaMessageId("wamid.page.119")), {
      kind: "unknown",
      why: "Graph answered HTTP 404",
    });
    connector.msGraph.setFailure(503);
    try {
      assert.deepEqual(await history().findPost(where, WaMessageId("wamid.page.119")), { kind: "unknown", why: "Graph answered HTTP 503" });
    } finally {
      connector.msGraph.setFailure(undefined);
    }
    const unreachable = new GraphThreadHistory({
      msGraphUrl: "http://127.0.0.1:9/v1.0",
      token: async () => GOOD_TOKEN,
      logger: new CaptureLogger(),
      timeoutMs: 2_000,
    });
    assert.equal((await unreachable.findPost(where, WaMessageId("wamid.page.119"))).kind, "unknown");
    const noToken = new GraphThreadHistory({
      msGraphUrl: connector.msGraphUrl,
      token: async () => {
        throw new Error("no identity");
      },
      logger: new CaptureLogger(),
    });
    assert.equal((await noToken.findPost(where, WaMessageId("wamid.page.119"))).kind, "unknown");
  });

  describe("finding a thread's root card among the channel's threads (messages/delta)", () => {
    /** Creates a thread whose root is the customer card of `contact`, as the gateway does. */
    async function startThreadFor(phone: string): Promise<string> {
      const card = buildRootCard({ customerName: "Maria", phone: "+5511987654321", firstMessage: "Olá", startedAt: 0, ref: contactOf(phone) });
      const res = await fetch(`${connector.serviceUrl}v3/conversations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          isGroup: true,
          channelData: { channel: { id: CHANNEL } },
          activity: { type: "message", attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] },
        }),
      });
      assert.equal(res.status, 201);
      return ((await res.json()) as { activityId: string }).activityId;
    }

    it("finds the root card of a contact by its marker, following pages; others' cards do not match", async () => {
      const since = Date.now() - 1_000;
      for (let i = 0; i < 60; i++) await startThreadFor(`55119000${String(i).padStart(5, "0")}`);
      const rootId = await startThreadFor("5511987654321");
      const lookup = await history().findThreadRoot({ channel: where.channel, teamGroupId: where.teamGroupId }, contactOf("5511987654321"), since);
      assert.deepEqual(lookup, { kind: "found", thread: threadRefOf(CHANNEL, TeamsMessageId(rootId)), rootMessageId: rootId });
      assert.ok(connector.msGraph.requests.at(-1)!.path.endsWith("/messages/delta"));
      assert.match(decodeURIComponent(connector.msGraph.requests.at(-1)!.query), /lastModifiedDateTime gt \d{4}-/);
    });

    it("absent once every changed thread is read; unknown when more changed than the pages allowed, or Graph refuses", async () => {
      const location = { channel: where.channel, teamGroupId: where.teamGroupId };
      assert.deepEqual(await history().findThreadRoot(location, contactOf("449999999999"), Date.now() - 60_000), { kind: "absent" });
      assert.equal((await history({ maxPages: 1 }).findThreadRoot(location, contactOf("449999999999"), Date.now() - 60_000)).kind, "unknown");
      assert.deepEqual(await history({ token: "someone-else" }).findThreadRoot(location, contactOf("5511987654321"), 0), {
        kind: "unknown",
        why: "Graph answered HTTP 401",
      });
    });
  });
});
