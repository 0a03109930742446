import assert from "node:assert/strict";
import { PermanentError, TransientError } from "../../../../src/core/errors";
import { toPlainText } from "../../../../src/core/formatted-text";
import type { ChannelLink } from "../../../../src/core/model";
import type { Clock } from "../../../../src/core/ports/clock";
import type { ThreadPost } from "../../../../src/core/ports/teams-gateway";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { MemoryWebhookJournal } from "../../../../src/storage/memory/memory-webhook-journal";
import { FakeLeadership } from "../../../fakes/fake-leadership";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../../fakes/world";

const LINK: ChannelLink = {
  business: BUSINESS,
  channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
  linkedBy: ADMIN,
  linkedAt: 0,
};
const SIGNATURE = `sha256=${"5e".repeat(32)}`;
const textOf = ({ post }: { post: ThreadPost }) => (post.kind === "customer" ? toPlainText(post.body) : "");
const delivery = (text: string) => ({ body: Buffer.from(`{"raw":"${text}"}`), signature: SIGNATURE });

/** Real time, for the polling loop (the manual clock's sleeps return at once and would spin). */
const realClock = (base: Clock): Clock => ({ now: () => base.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });

async function eventually(check: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("BridgeService: journal before acknowledging", () => {
  it("journals the exact bytes first, then records each event with the journal ref, then processes", async () => {
    const w = makeWorld();
    const journal = new MemoryWebhookJournal();
    const order: string[] = [];
    const append = journal.append.bind(journal);
    journal.append = async (d, at) => {
      order.push("journal");
      return append(d, at);
    };
    const record = w.stores.inbox.record.bind(w.stores.inbox);
    w.stores.inbox.record = async (e) => {
      order.push(`record ${e.key}`);
      return record(e);
    };
    const bridge = new BridgeService({ ...w.deps, journal });
    await w.stores.links.put(LINK);
    const a = customerText("one", { timestamp: 1 });
    const b = customerText("two", { timestamp: 2 });
    const result = await bridge.ingest([a, b], delivery("one-two"));
    await bridge.idle();

    assert.equal(order[0], "journal");
    assert.deepEqual(order.slice(1).sort(), [`record msg:${a.id}`, `record msg:${b.id}`].sort());
    const [stored] = journal.all();
    assert.ok(stored && Buffer.from(stored.body).equals(delivery("one-two").body));
    assert.equal(stored.signature, SIGNATURE);
    assert.equal(result.journalRef, stored.ref);
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${a.id}`))?.journalRef, stored.ref);
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${b.id}`))?.journalRef, stored.ref);
    assert.deepEqual(w.teams.posts.map(textOf), ["one", "two"]);
  });

  it("when the journal fails, nothing is recorded or posted and ingest throws (the webhook answers 503)", async () => {
    const w = makeWorld();
    const journal = new MemoryWebhookJournal();
    journal.append = async () => {
      throw new TransientError("storage.unavailable", "journal.append: blob storage is unreachable");
    };
    const bridge = new BridgeService({ ...w.deps, journal });
    await w.stores.links.put(LINK);
    const m = customerText("lost?");
    await assert.rejects(bridge.ingest([m], delivery("lost")), TransientError);
    await bridge.idle();
    assert.equal(await w.stores.inbox.get(BUSINESS, `msg:${m.id}`), undefined);
    assert.equal(w.teams.posts.length, 0);
  });

  it("a delivery without events is journaled all the same; a delivery without a journal is refused", async () => {
    const w = makeWorld();
    const journal = new MemoryWebhookJournal();
    const bridge = new BridgeService({ ...w.deps, journal });
    assert.deepEqual(await bridge.ingest([], delivery("template update")), { recorded: 0, duplicates: 0, journalRef: journal.all()[0]?.ref });
    assert.equal(journal.all().length, 1);
    await assert.rejects(
      w.bridge.ingest([customerText("x")], delivery("x")),
      (err: unknown) => err instanceof PermanentError && err.code === "bridge.no_journal",
    );
  });

  it("a redelivery of the same bytes is journaled again (a second receipt) and recorded once", async () => {
    const w = makeWorld();
    const journal = new MemoryWebhookJournal();
    const bridge = new BridgeService({ ...w.deps, journal });
    await w.stores.links.put(LINK);
    const m = customerText("twice");
    const first = await bridge.ingest([m], delivery("twice"));
    const again = await bridge.ingest([m], delivery("twice"));
    await bridge.idle();
    assert.notEqual(again.journalRef, first.journalRef);
    assert.deepEqual([first.recorded, again.duplicates], [1, 1]);
    assert.equal(journal.all().length, 2);
    assert.deepEqual(w.teams.posts.map(textOf), ["twice"]);
  });
});

describe("BridgeService: processing only while leading", () => {
  it("a standby records what it ingests but processes nothing; once it leads, it resumes everything", async () => {
    const w = makeWorld();
    const leadership = new FakeLeadership(false);
    const bridge = new BridgeService({ ...w.deps, leadership });
    await w.stores.links.put(LINK);
    await bridge.start();
    await bridge.ingest([customerText("while standing by", { timestamp: 1 })]);
    await bridge.idle();
    assert.equal(w.teams.posts.length, 0);
    assert.equal((await w.stores.inbox.list("pending")).length, 1);

    leadership.set(true);
    await eventually(() => w.teams.posts.length === 1, "the resumed post");
    await bridge.idle();
    assert.deepEqual(w.teams.posts.map(textOf), ["while standing by"]);
    assert.equal((await w.stores.inbox.list("pending")).length, 0);
    assert.ok(w.logger.lines.some((l) => l.event === "bridge.leading"));
    await bridge.stop();
  });

  it("losing the lease stops taking new work: what waits stays pending for the next leader", async () => {
    const w = makeWorld();
    const leadership = new FakeLeadership(true);
    const bridge = new BridgeService({ ...w.deps, leadership });
    await w.stores.links.put(LINK);
    await bridge.start();
    await bridge.ingest([customerText("before", { timestamp: 1 })]);
    await bridge.idle();
    leadership.set(false);
    await bridge.ingest([customerText("after", { timestamp: 2 })]);
    await bridge.idle();
    assert.deepEqual(w.teams.posts.map(textOf), ["before"]);
    assert.deepEqual(
      (await w.stores.inbox.list("pending")).map((e) => e.event.timestamp),
      [2],
    );
    assert.ok(w.logger.lines.some((l) => l.event === "bridge.standing_by" && l.level === "warn"));
    await bridge.stop();
  });

  it("what waits in the lanes when the lease is lost is not processed; the message in hand finishes", async () => {
    const w = makeWorld();
    const leadership = new FakeLeadership(true);
    const bridge = new BridgeService({ ...w.deps, leadership });
    await w.stores.links.put(LINK);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const post = w.teams.postInThread.bind(w.teams);
    w.teams.postInThread = async (...args) => {
      await gate;
      return post(...args);
    };
    await bridge.start();
    await bridge.ingest([customerText("in hand", { timestamp: 1 }), customerText("queued", { timestamp: 2 })]);
    await eventually(() => w.teams.threads.length === 1, "the first message's thread");
    leadership.set(false);
    release();
    await bridge.idle();
    assert.deepEqual(w.teams.posts.map(textOf), ["in hand"]);
    assert.deepEqual(
      (await w.stores.inbox.list("pending")).map((e) => e.event.timestamp),
      [2],
    );
    await bridge.stop();
  });

  it("the leader polls the inbox and processes what another instance ingested", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    const clock = realClock(w.clock);
    const leader = new BridgeService({ ...w.deps, clock, leadership: new FakeLeadership(true) }, { pollIntervalMs: 20 });
    const standby = new BridgeService({ ...w.deps, clock, leadership: new FakeLeadership(false) }, { pollIntervalMs: 20 });
    await Promise.all([leader.start(), standby.start()]);
    await standby.ingest([customerText("ingested elsewhere", { timestamp: 1 }), customerText("and this", { timestamp: 2 })]);
    await eventually(() => w.teams.posts.length === 2, "both posts by the leader");
    assert.deepEqual(w.teams.posts.map(textOf), ["ingested elsewhere", "and this"]);
    await Promise.all([leader.stop(), standby.stop()]);
  });

  it("resumes entries left pending or posting, and unrouted ones whose number is linked now", async () => {
    const w = makeWorld();
    const pending = customerText("left pending", { timestamp: 1 });
    const posting = customerText("cut short while posting", { timestamp: 2 });
    const unrouted = customerText("kept unrouted", { timestamp: 3 });
    for (const m of [pending, posting, unrouted])
      await w.stores.inbox.record({ business: BUSINESS, key: `msg:${m.id}`, event: m, state: "pending", receivedAt: 0 });
    await w.stores.inbox.setState(BUSINESS, `msg:${posting.id}`, "posting");
    await w.stores.inbox.setState(BUSINESS, `msg:${unrouted.id}`, "unrouted", "business number not linked to a channel");
    // The crash came after the link was stored and before the replay ran.
    await w.stores.links.put(LINK);
    assert.equal(await w.bridge.resumePending(), 3);
    await w.bridge.idle();
    assert.deepEqual(w.teams.posts.map(textOf).filter(Boolean), ["left pending", "cut short while posting", "kept unrouted"]);
    assert.deepEqual([...(await w.stores.inbox.list("unrouted")), ...(await w.stores.inbox.list("pending")), ...(await w.stores.inbox.list("posting"))], []);
  });

  it("leaves unrouted entries of numbers that are still not linked", async () => {
    const w = makeWorld();
    const m = customerText("nobody linked");
    await w.stores.inbox.record({ business: BUSINESS, key: `msg:${m.id}`, event: m, state: "unrouted", receivedAt: 0 });
    assert.equal(await w.bridge.resumePending(), 0);
    assert.equal((await w.stores.inbox.list("unrouted")).length, 1);
  });

  it("after stop, nothing new is taken", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.stop();
    await w.bridge.ingest([customerText("too late")]);
    await w.bridge.idle();
    assert.equal(w.teams.posts.length, 0);
    assert.equal((await w.stores.inbox.list("pending")).length, 1);
  });
});
