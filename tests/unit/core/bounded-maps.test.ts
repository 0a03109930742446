import assert from "node:assert/strict";
import { BridgeService } from "../../../src/core/bridge/bridge-service";
import { MAX_CHANGES_TOLD, onStaffMessageChange } from "../../../src/core/bridge/from-teams/staff-events";
import type { BridgeContext } from "../../../src/core/bridge/context";
import { MAX_BUCKETS, OutboundPacer } from "../../../src/core/bridge/outbox/pacer";
import { FollowUps, MAX_PARKED } from "../../../src/core/bridge/scheduling/follow-ups";
import { InboxScheduler } from "../../../src/core/bridge/scheduling/inbox-scheduler";
import { toPlainText } from "../../../src/core/formatted-text";
import { contactKeyOf, TeamsMessageId, WaMessageId, WaPhone, type ConversationKey, type TeamsThreadRef } from "../../../src/core/ids";
import type { InboxEntry, ChannelLink } from "../../../src/core/model";
import { MemoryStores } from "../../../src/storage/memory/memory-stores";
import { MAX_TRACKED_KEYS, TeamsRateLimiter, THREAD_WINDOWS, type LimiterTiming } from "../../../src/teams/rate-limiter";
import { CaptureLogger } from "../../support/capture-logger";
import { ManualClock } from "../../fakes/manual-clock";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../fakes/world";

/**
 * The in-memory maps keyed by ids that callers choose (contacts, threads, wamids, Teams message ids)
 * stay bounded under a flood of 100,000 distinct keys (docs/security.md, "Bounded in-memory maps").
 */

const FLOOD = 100_000;

/** The pending inbox entry of message `n`, from contact `n`. */
function entryFor(n: number): InboxEntry {
  const event = customerText(`m${n}`, { phone: `4477009${String(n).padStart(5, "0")}`, userId: `GB.${n}`, id: `wamid.flood.${n}` });
  return { business: BUSINESS, key: `msg:wamid.flood.${n}`, event, state: "pending", receivedAt: 1_000 + n };
}

describe("bounded in-memory maps under a flood of distinct ids", function () {
  this.timeout(120_000);

  it(`the pacer keeps at most ${MAX_BUCKETS} contact buckets for ${FLOOD} distinct contacts`, async () => {
    const clock = new ManualClock();
    const pacer = new OutboundPacer({ pairIntervalMs: 6_000, pairBurst: 10, perNumberPerSecond: 1e9 }, clock);
    let sent = 0;
    for (let n = 0; n < FLOOD; n++) {
      const contact = contactKeyOf(BUSINESS, { phone: WaPhone(`4477${String(n).padStart(8, "0")}`) }) as ConversationKey;
      await pacer.send(BUSINESS, contact, async () => {
        sent++;
      });
    }
    assert.equal(sent, FLOOD, "every send went out");
    assert.ok(pacer.bucketCount <= MAX_BUCKETS + 1, `${pacer.bucketCount} buckets (contacts, plus the one number)`);
    assert.ok(pacer.bucketCount > MAX_BUCKETS / 2, "the cap, not an accident, is what bounds it");
  });

  it(`the Teams rate limiter tracks at most ${MAX_TRACKED_KEYS} keys for ${FLOOD} distinct threads, and never forgets the tenant`, async () => {
    let now = 0;
    // Timers never fire: a request that does not fit now simply stays waiting (what the test looks for).
    const timing: LimiterTiming = { now: () => now, setTimer: () => ({ cancel: () => {} }) };
    const limiter = new TeamsRateLimiter({ thread: THREAD_WINDOWS, tenant: [{ limit: 200, windowMs: 1_000 }] }, timing);
    // 100 requests a second (half the tenant's limit): the flood takes 1,000 s, well inside the hour
    // after which the idle sweep would forget a thread, so only the cap can bound the map.
    for (let n = 0; n < FLOOD; n++) {
      now += 10;
      await limiter.run([`thread:19:t${n}@thread.tacv2;messageid=${n}`, "tenant:t1"], async () => {});
    }
    assert.ok(limiter.trackedKeys <= MAX_TRACKED_KEYS, `${limiter.trackedKeys} keys`);
    // The tenant, booked with every request, is never the one forgotten: the last second of the flood
    // still counts (100 requests), so 100 more fit in it and the next one waits.
    for (let n = 0; n < 100; n++) await limiter.run([`thread:after-${n}`, "tenant:t1"], async () => {});
    let admitted = false;
    void limiter.acquire(["thread:one-too-many", "tenant:t1"]).then(() => {
      admitted = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(admitted, false, "the tenant's window is full: the request waits");
    assert.equal(limiter.waiting, 1);
  });

  it(`at most ${MAX_PARKED} events wait for their target; beyond, they are posted at once`, async () => {
    const clock = new ManualClock();
    const scheduled: InboxEntry[] = [];
    const followUps = new FollowUps({
      mediaRetries: new MemoryStores().mediaRetries,
      clock: { now: () => clock.now(), sleep: () => new Promise(() => {}) }, // the park limit never runs out here
      logger: new CaptureLogger(),
      schedule: (entry) => scheduled.push(entry),
      runMediaRetry: async () => "done",
    });
    let refused = 0;
    for (let n = 0; n < FLOOD; n++) if (!followUps.park(entryFor(n), WaMessageId(`wamid.never.${n}`))) refused++;
    assert.equal(followUps.parkedEvents, MAX_PARKED);
    assert.equal(refused, FLOOD - MAX_PARKED, "the rest are handed back to be posted");
    followUps.targetPosted(BUSINESS, WaMessageId("wamid.never.7"));
    assert.equal(followUps.parkedEvents, MAX_PARKED - 1);
    assert.equal(scheduled.length, 1, "the woken one is scheduled");
  });

  it("a reaction that cannot be parked is posted at once, saying its target is not in the thread", async () => {
    const w = makeWorld();
    const link: ChannelLink = {
      business: BUSINESS,
      channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
      linkedBy: ADMIN,
      linkedAt: 0,
    };
    await w.stores.links.put(link);
    const bridge = new BridgeService(
      { ...w.deps, clock: { now: () => w.clock.now(), sleep: (ms) => (ms >= 60_000 ? new Promise(() => {}) : w.clock.sleep(ms)) } },
      { followUps: { maxParked: 2 } },
    );
    const base = customerText("hi", { timestamp: 100, id: "wamid.base" });
    await bridge.ingest([base]);
    await bridge.idle();
    const reactions = [1, 2, 3].map((n) => ({
      ...base,
      id: WaMessageId(`wamid.r${n}`),
      timestamp: 100 + n,
      content: { kind: "reaction" as const, target: WaMessageId(`wamid.missing${n}`), emoji: "👍" },
    }));
    await bridge.ingest(reactions);
    await bridge.idle();
    const texts = w.teams.posts.map((p) => (p.post.kind === "customer" ? toPlainText(p.post.body) : ""));
    assert.equal(texts.length, 2, "two parked, the third posted");
    assert.match(texts[1]!, /reacted 👍 to: a message that is not in this thread/);
    assert.equal((await w.stores.inbox.get(BUSINESS, "msg:wamid.r3"))?.state, "done");
    assert.equal((await w.stores.inbox.get(BUSINESS, "msg:wamid.r1"))?.state, "pending", "the parked ones still wait");
  });

  it(`the "edit not forwarded" memory keeps at most ${MAX_CHANGES_TOLD} Teams messages`, async () => {
    const ctx = { stores: { messages: { byTeamsMessage: async () => ({ direction: "outbound" }) } } } as unknown as BridgeContext;
    const told = new Set<string>();
    let notes = 0;
    for (let n = 0; n < FLOOD; n++) {
      const reply = await onStaffMessageChange(
        ctx,
        { tenantId: TENANT, channelId: CHANNEL, thread: `19:c;messageid=${n}` as TeamsThreadRef, messageId: TeamsMessageId(String(n)), change: "edited" },
        told,
      );
      if (reply) notes++;
    }
    assert.equal(notes, FLOOD, "each message told once");
    assert.equal(told.size, MAX_CHANGES_TOLD);
  });

  it(`the inbox lanes hold at most INBOX_MAX_IN_MEMORY conversations for ${FLOOD} distinct contacts`, async () => {
    const maxInMemory = 2_000;
    let started = 0;
    const scheduler = new InboxScheduler({
      inbox: new MemoryStores().inbox,
      clock: new ManualClock(),
      logger: new CaptureLogger(),
      // Every conversation's first event hangs: nothing drains while the flood comes in.
      process: () => {
        started++;
        return new Promise(() => {});
      },
      mayWork: () => true,
      background: () => {},
      maxInMemory,
    });
    for (let n = 0; n < FLOOD; n++) scheduler.schedule(entryFor(n));
    await new Promise((r) => setImmediate(r));
    assert.equal(scheduler.laneCount, maxInMemory);
    assert.equal(scheduler.size, maxInMemory, "the rest wait in the inbox");
    assert.equal(started, maxInMemory);
  });
});
