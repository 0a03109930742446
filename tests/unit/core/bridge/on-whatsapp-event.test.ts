import assert from "node:assert/strict";
import { PermanentError, TransientError } from "../../../../src/core/errors";
import { toPlainText } from "../../../../src/core/formatted-text";
import { WaMessageId } from "../../../../src/core/ids";
import type { InboundMessage } from "../../../../src/core/messages";
import type { ChannelLink } from "../../../../src/core/model";
import type { ThreadPost } from "../../../../src/core/ports/teams-gateway";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../../fakes/world";
import { postText } from "../../../support/wording";

const LINK: ChannelLink = {
  business: BUSINESS,
  channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
  linkedBy: ADMIN,
  linkedAt: 0,
  displayNumber: "+1 555-078-3881",
};

const textOf = ({ post }: { post: ThreadPost }) => (post.kind === "customer" ? toPlainText(post.body) : "");

describe("onWhatsAppEvent (inbound messages)", () => {
  it("starts a thread with a root card for a new contact, then posts every message as a reply in order", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([customerText("Hello, where is my order?", { timestamp: 100 })]);
    await w.bridge.ingest([customerText("It was #4471", { timestamp: 101 }), customerText("Thanks!", { timestamp: 102 })]);
    await w.bridge.idle();

    assert.equal(w.teams.threads.length, 1);
    const root = w.teams.threads[0]!;
    assert.equal(root.root.customerName, "Maria Souza");
    assert.equal(root.root.phone, "+5511987654321");
    assert.equal(root.root.firstMessage, "Hello, where is my order?");
    assert.equal(root.root.businessDisplay, "+1 555-078-3881");
    assert.deepEqual(w.teams.posts.map(textOf), ["Hello, where is my order?", "It was #4471", "Thanks!"]);
    assert.ok(w.teams.posts.every((p) => p.thread === root.thread));
  });

  it("posts messages of one batch in WhatsApp timestamp order, whatever their order in the body", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([customerText("second", { timestamp: 200 }), customerText("first", { timestamp: 199 })]);
    await w.bridge.idle();
    assert.deepEqual(w.teams.posts.map(textOf), ["first", "second"]);
  });

  it("maps each wamid to its Teams message and records the contact's last message time", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    const m = customerText("hi", { timestamp: 300 });
    await w.bridge.ingest([m]);
    await w.bridge.idle();
    const mapped = await w.stores.messages.byWamid(BUSINESS, m.id);
    assert.equal(mapped?.teamsMessageId, w.teams.posts[0]!.id);
    assert.equal(mapped?.direction, "inbound");
    const conversation = await w.stores.conversations.get(m.contact.key);
    assert.equal(conversation?.state, "active");
    assert.equal(conversation?.lastInboundAt, 300_000);
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${m.id}`))?.state, "done");
  });

  it("a redelivered webhook adds nothing", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    const m = customerText("only once");
    const first = await w.bridge.ingest([m]);
    await w.bridge.idle();
    const again = await w.bridge.ingest([m]);
    await Promise.all([w.bridge.ingest([m]), w.bridge.ingest([m])]);
    await w.bridge.idle();
    assert.deepEqual(first, { recorded: 1, duplicates: 0 });
    assert.deepEqual(again, { recorded: 0, duplicates: 1 });
    assert.equal(w.teams.posts.length, 1);
  });

  it("keeps messages for an unlinked number and delivers them once an admin links it", async () => {
    const w = makeWorld();
    const m = customerText("anyone there?");
    await w.bridge.ingest([m]);
    await w.bridge.idle();
    assert.equal(w.teams.posts.length, 0);
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${m.id}`))?.state, "unrouted");
    assert.ok(w.logger.events().includes("whatsapp.message.unrouted"));
  });

  it("retries a transient Teams failure without reordering the contact's messages", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    w.teams.failNext(...Array.from({ length: 6 }, () => new TransientError("teams.throttled", "429", { notApplied: true })));
    await w.bridge.ingest([customerText("one", { timestamp: 1 }), customerText("two", { timestamp: 2 })]);
    await w.bridge.idle();
    assert.deepEqual(w.teams.posts.map(textOf), ["one", "two"]);
    assert.equal(w.teams.threads.length, 1);
  });

  it("marks an event failed (not retried forever) on a permanent failure, and goes on with the next", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([customerText("starts the thread", { timestamp: 1 })]);
    await w.bridge.idle();
    w.teams.failNext(new PermanentError("teams.forbidden", "403 BotNotInConversationRoster"));
    const bad = customerText("refused", { timestamp: 2 });
    await w.bridge.ingest([bad, customerText("next", { timestamp: 3 })]);
    await w.bridge.idle();
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${bad.id}`))?.state, "failed");
    assert.deepEqual(w.teams.posts.map(textOf), ["starts the thread", "next"]);
  });

  it("releases the reservation when the thread cannot be started, so a later try can make it", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    w.teams.failNext(new PermanentError("teams.forbidden", "not installed", { notApplied: true }));
    const m = customerText("hello");
    await w.bridge.ingest([m]);
    await w.bridge.idle();
    assert.equal(await w.stores.conversations.get(m.contact.key), undefined);
    await w.bridge.ingest([customerText("hello again")]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1);
  });

  it("gives every other message type a readable placeholder, never dropping it", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    const base = customerText("x");
    const variants: InboundMessage[] = [
      { ...base, id: WaMessageId("wamid.img"), timestamp: 1, content: { kind: "media", media: "image", mediaId: "1", caption: "the box" } },
      { ...base, id: WaMessageId("wamid.voice"), timestamp: 2, content: { kind: "media", media: "audio", mediaId: "2", voice: true } },
      { ...base, id: WaMessageId("wamid.poll"), timestamp: 3, content: { kind: "unsupported", originalType: "poll_creation" } },
      { ...base, id: WaMessageId("wamid.loc"), timestamp: 4, content: { kind: "location", latitude: 1.5, longitude: 2.5, name: "Depot" } },
    ];
    await w.bridge.ingest(variants);
    await w.bridge.idle();
    const placeholders = w.teams.posts.map((p) => (p.post.kind === "customer" ? p.post.placeholder : undefined));
    assert.deepEqual(placeholders, ["image", "voice message", "unsupported message (type poll_creation)", "location"]);
    const bodies = w.teams.posts.map((p) => (p.post.kind === "customer" ? toPlainText(p.post.body) : ""));
    assert.match(bodies[0]!, /the box/);
    assert.match(bodies[0]!, /not kept/);
    assert.match(bodies[2]!, /poll_creation/);
    assert.match(bodies[3]!, /Depot/);
  });

  it("a contact without a phone number (username only) is keyed by BSUID and shown by username", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    const m = customerText("hi", { phone: null, userId: "US.13491208655302741918" });
    const withName: InboundMessage = { ...m, contact: { ...m.contact, username: "@sheena.n" } };
    await w.bridge.ingest([withName]);
    await w.bridge.idle();
    assert.equal(w.teams.threads[0]!.root.phone, undefined);
    assert.equal(w.teams.threads[0]!.root.username, "@sheena.n");
    const post = w.teams.posts[0]!.post;
    assert.equal(post.kind === "customer" && post.authorHandle, "@sheena.n");
  });

  it("resumes events left pending by a restart", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    const m = customerText("left behind");
    await w.stores.inbox.record({ business: BUSINESS, key: `msg:${m.id}`, event: m, state: "pending", receivedAt: 0 });
    assert.equal(await w.bridge.resumePending(), 1);
    await w.bridge.idle();
    assert.equal(w.teams.posts.length, 1);
  });
});

describe("crash between posting to Teams and recording it (docs/reliability.md)", () => {
  it("an event found in `posting` on recovery is posted again and flagged as a possible duplicate", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([customerText("starts the thread", { timestamp: 1 })]);
    await w.bridge.idle();
    // What a crash leaves: the post was started (maybe reached Teams), its outcome never recorded.
    const m = customerText("cut short", { timestamp: 2 });
    await w.stores.inbox.record({ business: BUSINESS, key: `msg:${m.id}`, event: m, state: "posting", receivedAt: 0 });
    assert.equal(await w.bridge.resumePending(), 1);
    await w.bridge.idle();
    const texts = w.teams.posts.map((p) => (p.post.kind === "notice" ? `notice: ${postText(p.post)}` : textOf(p)));
    assert.deepEqual(texts, ["starts the thread", "cut short"], "no separate notice: the copy carries its flag");
    const second = w.teams.posts[1]!.post;
    assert.equal(second.kind === "customer" && second.possibleDuplicate, "restart");
    const entry = await w.stores.inbox.get(BUSINESS, `msg:${m.id}`);
    assert.equal(entry?.state, "done");
    assert.equal(entry?.duplicateSuspected, true);
  });

  it("a refusal that certainly wrote nothing (429) is retried without a duplicate flag", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([customerText("starts the thread", { timestamp: 1 })]);
    await w.bridge.idle();
    w.teams.failNext(...Array.from({ length: 6 }, () => new TransientError("teams.throttled", "429", { notApplied: true })));
    const m = customerText("throttled", { timestamp: 2 });
    await w.bridge.ingest([m]);
    await w.bridge.idle();
    assert.deepEqual(w.teams.posts.map(textOf), ["starts the thread", "throttled"]);
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${m.id}`))?.detail, undefined);
  });

  it("an uncertain failure (the connector timed out) is flagged when the retry succeeds", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([customerText("starts the thread", { timestamp: 1 })]);
    await w.bridge.idle();
    w.teams.failNext(...Array.from({ length: 5 }, () => new TransientError("teams.network", "timeout")));
    const m = customerText("maybe twice", { timestamp: 2 });
    await w.bridge.ingest([m]);
    await w.bridge.idle();
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${m.id}`))?.duplicateSuspected, true);
  });
});

describe("a thread whose creation may or may not have happened", () => {
  it("keeps the reservation after an uncertain failure; the next attempt makes the thread and says an empty one may exist", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    // Five timeouts use up the first attempt's retries: Teams may have made a thread each time.
    w.teams.failNext(...Array.from({ length: 5 }, () => new TransientError("teams.network", "timeout")));
    await w.bridge.ingest([customerText("hello", { timestamp: 1 })]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1);
    const notices = w.teams.posts.filter((p) => p.post.kind === "notice").map((p) => postText(p.post));
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /restarted while starting this thread, so this customer may also have an empty thread/);
    assert.deepEqual(w.teams.posts.filter((p) => p.post.kind === "customer").map(textOf), ["hello"]);
  });

  it("a retry after an unconfirmed attempt carries its own flag; the flag cannot fail apart from the post", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([customerText("starts the thread", { timestamp: 1 })]);
    await w.bridge.idle();
    // The message post times out once after reaching Teams (uncertain); no thread history to check.
    w.teams.postThenFailNext(new TransientError("teams.network", "timeout"));
    const m = customerText("once only", { timestamp: 2 });
    await w.bridge.ingest([m]);
    await w.bridge.idle();
    const copies = w.teams.posts.filter((p) => textOf(p) === "once only").map((p) => p.post);
    assert.equal(copies.length, 2, "the duplicate the timeout caused");
    assert.deepEqual(
      copies.map((p) => p.kind === "customer" && p.possibleDuplicate),
      [undefined, "unconfirmed"],
    );
    assert.equal(w.teams.posts.filter((p) => p.post.kind === "notice").length, 0);
    assert.equal((await w.stores.inbox.get(BUSINESS, `msg:${m.id}`))?.duplicateSuspected, true);
  });
});
