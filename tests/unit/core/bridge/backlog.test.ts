import assert from "node:assert/strict";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { toPlainText } from "../../../../src/core/formatted-text";
import type { ChannelLink } from "../../../../src/core/model";
import type { InboxStore } from "../../../../src/core/ports/stores";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../../fakes/world";

const LINK: ChannelLink = {
  business: BUSINESS,
  channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
  linkedBy: ADMIN,
  linkedAt: 0,
};

/** Watches how many entries the service holds at once, by counting what it took from the inbox and finished. */
function countingInbox(inbox: InboxStore): InboxStore & { peakLoaded: number; oldestCalls: number } {
  const counting = Object.create(inbox) as InboxStore & { peakLoaded: number; oldestCalls: number };
  counting.peakLoaded = 0;
  counting.oldestCalls = 0;
  counting.oldest = async (states, limit) => {
    counting.oldestCalls++;
    const result = await inbox.oldest(states, limit);
    counting.peakLoaded = Math.max(counting.peakLoaded, result.entries.length);
    return result;
  };
  return counting;
}

describe("a backlog larger than the in-memory bound (bounded memory, nothing lost, order kept)", () => {
  it("new events beyond the bound wait in the inbox and are loaded oldest first as the lanes drain", async () => {
    const w = makeWorld();
    const inbox = countingInbox(w.stores.inbox);
    const bridge = new BridgeService({ ...w.deps, stores: Object.assign(Object.create(w.stores), { inbox }) }, { maxInMemory: 4 });
    await w.stores.links.put(LINK);
    // 5 customers × 6 messages, interleaved, in one delivery and then one each.
    const phones = ["5511900000001", "5511900000002", "5511900000003", "5511900000004", "5511900000005"];
    const messages = Array.from({ length: 30 }, (_, i) =>
      customerText(`c${i % 5} m${Math.floor(i / 5)}`, { phone: phones[i % 5]!, userId: `BR.${i % 5}`, timestamp: 1_789_300_000 + i }),
    );
    await bridge.ingest(messages.slice(0, 10));
    for (const m of messages.slice(10)) await bridge.ingest([m]);
    await bridge.idle();
    const posted = w.teams.posts.map((p) => (p.post.kind === "customer" ? toPlainText(p.post.body) : ""));
    assert.equal(posted.length, 30, "every message posted once");
    for (let c = 0; c < 5; c++) {
      assert.deepEqual(
        posted.filter((t) => t.startsWith(`c${c} `)),
        Array.from({ length: 6 }, (_, m) => `c${c} m${m}`),
        `customer ${c} in order`,
      );
    }
    assert.ok(w.logger.events().includes("bridge.backlog"), "the backlog was noticed");
    assert.ok(w.logger.events().includes("bridge.backlog_cleared"), "and cleared");
    assert.ok(inbox.oldestCalls >= 2, "loaded from the inbox in rounds");
    assert.ok(inbox.peakLoaded <= 4, `never more than the bound loaded at once (${inbox.peakLoaded})`);
    assert.equal((await w.stores.inbox.oldest(["pending", "posting"], 100)).total, 0, "nothing left pending");
  });

  it("on start-up, a backlog larger than the bound is resumed oldest first, the bound at a time", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    const messages = Array.from({ length: 12 }, (_, i) => customerText(`m${i}`, { timestamp: 1_789_300_000 + i }));
    // What a crash (or another instance's ingest) leaves: recorded, never processed.
    for (const [i, m] of messages.entries()) await w.stores.inbox.record({ business: BUSINESS, key: `msg:${m.id}`, event: m, state: "pending", receivedAt: i });
    const inbox = countingInbox(w.stores.inbox);
    const bridge = new BridgeService({ ...w.deps, stores: Object.assign(Object.create(w.stores), { inbox }) }, { maxInMemory: 3 });
    assert.equal(await bridge.resumePending(), 12);
    await bridge.idle();
    assert.deepEqual(
      w.teams.posts.map((p) => (p.post.kind === "customer" ? toPlainText(p.post.body) : "")),
      messages.map((_, i) => `m${i}`),
    );
    assert.ok(inbox.peakLoaded <= 3);
  });
});

describe("a backlog and a late older message of a contact already in memory", () => {
  it("the older message joins its contact's lane instead of waiting in the inbox behind the newer one", async () => {
    const w = makeWorld({ reorderHoldMs: 500 });
    const bridge = new BridgeService(w.deps, { maxInMemory: 3 });
    await w.stores.links.put(LINK);
    const maria = (text: string, timestamp: number) => customerText(text, { phone: "5511900000001", userId: "BR.maria", timestamp });
    const other = (n: number) => customerText(`other ${n}`, { phone: `55119000001${n}`, userId: `BR.other${n}`, timestamp: 1_789_300_010 + n });
    // Maria's second message arrives first; others fill the lanes; then her first (older) one arrives,
    // all while her lane's reorder hold is still on.
    await Promise.all([
      bridge.ingest([maria("second", 1_789_300_002)]),
      bridge.ingest([other(1)]),
      bridge.ingest([other(2)]),
      bridge.ingest([other(3)]),
      bridge.ingest([maria("first", 1_789_300_001)]),
    ]);
    await bridge.idle();
    const posted = w.teams.posts.map((p) => (p.post.kind === "customer" ? toPlainText(p.post.body) : ""));
    assert.ok(w.logger.events().includes("bridge.backlog"), "the bound was reached");
    assert.deepEqual(
      posted.filter((t) => t === "first" || t === "second"),
      ["first", "second"],
    );
    assert.equal(posted.length, 5, "nothing lost");
  });
});
