import assert from "node:assert/strict";
import { toPlainText } from "../../../../src/core/formatted-text";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import type { ThreadPost } from "../../../../src/core/ports/teams-gateway";
import { StepClock } from "../../../fakes/step-clock";
import { ADMIN, BUSINESS, CHANNEL, customerText, makeWorld, staffMessage, TENANT } from "../../../fakes/world";
import { postText } from "../../../support/wording";

const customerPosts = (posts: ReadonlyArray<{ post: ThreadPost }>) =>
  posts.map((p) => p.post).filter((p): p is Extract<ThreadPost, { kind: "customer" }> => p.kind === "customer");

/** A linked world whose link probe runs on its own hand-driven clock. */
async function linkedWorld() {
  const w = makeWorld();
  const probeClock = new StepClock();
  const bridge = new BridgeService(w.deps, { linkProbe: { probeEveryMs: 60_000, clock: probeClock } });
  await bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  await bridge.start();
  return { ...w, bridge, probeClock };
}

describe("nothing left out of the record when Teams refuses a post (core)", () => {
  it("app removed: the link is suspended, messages wait in order, nothing fails; Teams saying it is back resumes them", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([customerText("first", { timestamp: 1_789_300_001 })]);
    await w.bridge.idle();
    w.teams.removedFrom.add(CHANNEL);
    await w.bridge.ingest([1, 2, 3].map((n) => customerText(`while removed ${n}`, { timestamp: 1_789_300_010 + n })));
    await w.bridge.idle();
    const link = await w.stores.links.get(BUSINESS);
    assert.ok(link?.suspended, "the link is suspended");
    assert.equal((await w.stores.inbox.list("held")).length, 3);
    assert.equal((await w.stores.inbox.list("failed")).length, 0, "nothing is marked failed");
    assert.ok(w.logger.lines.some((l) => l.level === "error" && l.event === "teams.link.suspended"));

    w.teams.removedFrom.delete(CHANNEL);
    assert.equal(await w.bridge.onAppInstalled({ tenantId: TENANT }), 1);
    await w.bridge.idle();
    assert.deepEqual(
      customerPosts(w.teams.posts).map((p) => toPlainText(p.body)),
      ["first", "while removed 1", "while removed 2", "while removed 3"],
    );
    assert.equal((await w.stores.links.get(BUSINESS))?.suspended, undefined);
    assert.equal((await w.stores.inbox.list("held")).length, 0);
    await w.bridge.stop();
  });

  it("without any word from Teams, the periodic probe resumes a suspended link once the app is back", async () => {
    const w = await linkedWorld();
    w.teams.removedFrom.add(CHANNEL);
    await w.bridge.ingest([customerText("while removed")]);
    await w.bridge.idle();
    assert.ok((await w.stores.links.get(BUSINESS))?.suspended);
    await w.probeClock.advance(60_000);
    await w.bridge.idle();
    assert.ok(w.teams.probes >= 1);
    assert.ok((await w.stores.links.get(BUSINESS))?.suspended, "still out: the probe was refused");
    w.teams.removedFrom.delete(CHANNEL);
    await w.probeClock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    await w.bridge.idle();
    assert.deepEqual(
      customerPosts(w.teams.posts).map((p) => toPlainText(p.body)),
      ["while removed"],
    );
    await w.bridge.stop();
  });

  it("a suspended link stays suspended across a restart, and loses nothing", async () => {
    const w = await linkedWorld();
    w.teams.removedFrom.add(CHANNEL);
    await w.bridge.ingest([customerText("held 1", { timestamp: 1_789_300_101 }), customerText("held 2", { timestamp: 1_789_300_102 })]);
    await w.bridge.idle();
    await w.bridge.stop();
    const again = new BridgeService(w.deps, { linkProbe: { probeEveryMs: 60_000, clock: w.probeClock } });
    await again.start();
    await again.idle();
    assert.ok((await w.stores.links.get(BUSINESS))?.suspended);
    assert.equal((await w.stores.inbox.list("held")).length, 2);
    assert.equal(customerPosts(w.teams.posts).length, 0);
    w.teams.removedFrom.delete(CHANNEL);
    await again.onAppInstalled({ tenantId: TENANT });
    await again.idle();
    assert.deepEqual(
      customerPosts(w.teams.posts).map((p) => toPlainText(p.body)),
      ["held 1", "held 2"],
    );
    await again.stop();
  });

  it("thread gone: a new thread says the earlier one is gone, and holds the message; later ones follow", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([customerText("in the first thread")]);
    await w.bridge.idle();
    const first = w.teams.threads[0]!.thread;
    w.teams.goneThreads.add(first);
    await w.bridge.ingest([customerText("after the deletion")]);
    await w.bridge.idle();
    await w.bridge.ingest([customerText("and one more")]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 2, "one new thread");
    const second = w.teams.threads[1]!;
    assert.equal(second.root.earlierThreadGone, true);
    assert.deepEqual(
      w.teams.posts.filter((p) => p.thread === second.thread && p.post.kind === "customer").map((p) => p.post.kind === "customer" && toPlainText(p.post.body)),
      ["after the deletion", "and one more"],
    );
    await w.bridge.stop();
  });

  it("a refused post is posted again as plain text; refused twice, it fails and the thread says which message and where it is kept", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([customerText("hello")]);
    await w.bridge.idle();
    w.teams.refusePost = (post) => post.kind === "customer" && !post.fallback && toPlainText(post.body).includes("rich");
    await w.bridge.ingest([customerText("a rich message")]);
    await w.bridge.idle();
    const fallback = customerPosts(w.teams.posts).at(-1)!;
    assert.equal(fallback.fallback, true);
    assert.equal(toPlainText(fallback.body), "a rich message");
    assert.ok(w.logger.lines.some((l) => l.event === "teams.post.refused"));

    w.teams.refusePost = (post) => post.kind === "customer" && toPlainText(post.body).includes("cursed");
    const cursed = customerText("a cursed message");
    await w.bridge.ingest([cursed]);
    await w.bridge.idle();
    const entry = (await w.stores.inbox.list("failed"))[0];
    assert.equal(entry?.event.type === "message" && entry.event.id, cursed.id);
    const notice = w.teams.posts.at(-1)!.post;
    assert.match(
      postText(notice),
      /^The WhatsApp message from Maria Souza sent .* could not be shown here: Teams refused it, even as plain text\. It is kept in the bridge's journal/,
    );
    await w.bridge.stop();
  });
});
