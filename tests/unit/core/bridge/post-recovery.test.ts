import assert from "node:assert/strict";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { toPlainText } from "../../../../src/core/formatted-text";
import { TeamsGroupId, TeamsMessageId, threadRefOf } from "../../../../src/core/ids";
import type { InboundMessage } from "../../../../src/core/messages";
import { TransientError } from "../../../../src/core/errors";
import type { ChannelLink } from "../../../../src/core/model";
import type { PostLookup, RootLookup } from "../../../../src/core/ports/thread-history";
import type { ThreadPost } from "../../../../src/core/ports/teams-gateway";
import { FakeThreadHistory } from "../../../fakes/fake-thread-history";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../../fakes/world";
import { postText } from "../../../support/wording";

const GROUP = TeamsGroupId("fbe2bf47-16c8-47cf-b4a5-4b9b187c508b");
const LINK: ChannelLink = {
  business: BUSINESS,
  channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
  linkedBy: ADMIN,
  linkedAt: 0,
  teamGroupId: GROUP,
};

/** The text of a post, with `[flag: why]` when it carries its own possible-duplicate flag. */
const textOf = ({ post }: { post: ThreadPost }) =>
  post.kind === "customer"
    ? `${toPlainText(post.body)}${post.possibleDuplicate ? ` [flag: ${post.possibleDuplicate}]` : ""}`
    : `notice: ${post.kind === "notice" ? postText(post) : post.kind}`;

/**
 * A world where a crash left `cut short` in `posting` (its outcome never recorded) after an earlier
 * message started the thread; `answer` is what reading the thread says.
 */
async function afterCrash(answer: (m: InboundMessage) => PostLookup | Error, link: ChannelLink = LINK, withHistory = true) {
  const w = makeWorld();
  let cut: InboundMessage | undefined;
  const history = new FakeThreadHistory((wamid) => (cut && wamid === cut.id ? answer(cut) : { kind: "absent" }));
  const bridge = new BridgeService({ ...w.deps, ...(withHistory ? { threadHistory: history } : {}) });
  await w.stores.links.put(link);
  await bridge.ingest([customerText("starts the thread", { timestamp: 1 })]);
  await bridge.idle();
  assert.equal(history.calls.length, 0, "the normal path never reads the thread");
  cut = customerText("cut short", { timestamp: 2 });
  await w.stores.inbox.record({ business: BUSINESS, key: `msg:${cut.id}`, event: cut, state: "posting", receivedAt: 0 });
  assert.equal(await bridge.resumePending(), 1);
  await bridge.idle();
  const entry = await w.stores.inbox.get(BUSINESS, `msg:${cut.id}`);
  return { w, history, cut, entry, texts: w.teams.posts.map(textOf) };
}

describe("resuming a post cut short by a crash: the thread is read first", () => {
  it("found in the thread: its id is recorded as the post, nothing is posted, nothing flagged", async () => {
    const { w, history, cut, entry, texts } = await afterCrash(() => ({ kind: "found", id: TeamsMessageId("1770000000042") }));
    assert.deepEqual(texts, ["starts the thread"], "no second post and no notice");
    assert.equal(history.calls.length, 1);
    assert.equal(history.calls[0]!.wamid, cut.id);
    assert.equal(history.calls[0]!.where.teamGroupId, GROUP);
    assert.equal(history.calls[0]!.where.thread, w.teams.threads[0]!.thread);
    assert.equal((await w.stores.messages.byWamid(BUSINESS, cut.id))?.teamsMessageId, "1770000000042");
    assert.equal(entry?.state, "done");
    assert.equal(entry?.detail, undefined);
    assert.equal(w.logger.events().filter((e) => e === "teams.post.recovery").length, 1);
  });

  it("certainly not in the thread: posted once, not flagged", async () => {
    const { w, cut, entry, texts } = await afterCrash(() => ({ kind: "absent" }));
    assert.deepEqual(texts, ["starts the thread", "cut short"]);
    assert.equal((await w.stores.messages.byWamid(BUSINESS, cut.id))?.teamsMessageId, w.teams.posts[1]!.id);
    assert.equal(entry?.state, "done");
    assert.equal(entry?.detail, undefined);
  });

  it("the thread cannot be read: posted again and flagged, as without the check", async () => {
    const { entry, texts } = await afterCrash(() => ({ kind: "unknown", why: "Graph answered HTTP 503" }));
    assert.deepEqual(texts, ["starts the thread", "cut short [flag: restart]"], "the second copy carries its own flag; no separate notice");
    assert.equal(entry?.duplicateSuspected, true);
  });

  it("a history that throws counts as unknown: posted again and flagged", async () => {
    const { entry, texts } = await afterCrash(() => new Error("socket hang up"));
    assert.deepEqual(texts.slice(1), ["cut short [flag: restart]"]);
    assert.equal(entry?.duplicateSuspected, true);
  });

  it("a link made without the team's group id cannot be checked: not asked, posted again and flagged", async () => {
    const { teamGroupId: _none, ...withoutGroup } = LINK;
    const { history, entry, texts } = await afterCrash(() => ({ kind: "found", id: TeamsMessageId("1") }), withoutGroup);
    assert.equal(history.calls.length, 0);
    assert.deepEqual(texts.slice(1), ["cut short [flag: restart]"]);
    assert.equal(entry?.duplicateSuspected, true);
  });

  it("no thread history configured: posted again and flagged", async () => {
    const { entry, texts } = await afterCrash(() => ({ kind: "found", id: TeamsMessageId("1") }), LINK, false);
    assert.deepEqual(texts.slice(1), ["cut short [flag: restart]"]);
    assert.equal(entry?.duplicateSuspected, true);
  });

  describe("an attempt Teams did not confirm (timeout, 5xx, reset), in the same process", () => {
    /** One message whose first attempt fails without certainty; `answer` is what reading the thread says. */
    async function unconfirmedOnce(answer: PostLookup | undefined, postedBeforeFailing: boolean) {
      const w = makeWorld();
      const history = new FakeThreadHistory(() => answer ?? { kind: "absent" });
      const bridge = new BridgeService({ ...w.deps, ...(answer ? { threadHistory: history } : {}) });
      await w.stores.links.put(LINK);
      await bridge.ingest([customerText("starts the thread", { timestamp: 1 })]);
      await bridge.idle();
      if (postedBeforeFailing) w.teams.postThenFailNext(new TransientError("teams.network", "socket hang up"));
      else w.teams.failNext(new TransientError("teams.network", "socket hang up"));
      const m = customerText("once only", { timestamp: 2 });
      await bridge.ingest([m]);
      await bridge.idle();
      return { w, history, entry: await w.stores.inbox.get(BUSINESS, `msg:${m.id}`), texts: w.teams.posts.map(textOf) };
    }

    it("the first attempt did reach the thread: found there, not posted again, not flagged", async () => {
      const { history, entry, texts } = await unconfirmedOnce({ kind: "found", id: TeamsMessageId("1770000000077") }, true);
      assert.deepEqual(texts, ["starts the thread", "once only"]);
      assert.equal(history.calls.length, 1, "read once, before the second attempt");
      assert.equal(entry?.state, "done");
      assert.equal(entry?.detail, undefined);
    });

    it("certainly not in the thread: the retry is posted plainly", async () => {
      const { history, entry, texts } = await unconfirmedOnce({ kind: "absent" }, false);
      assert.deepEqual(texts, ["starts the thread", "once only"]);
      assert.equal(history.calls.length, 1);
      assert.equal(entry?.detail, undefined);
    });

    it("the thread cannot be read: the retry carries its own flag, so a duplicate is never unflagged", async () => {
      const { entry, texts } = await unconfirmedOnce(undefined, true);
      assert.deepEqual(texts, ["starts the thread", "once only", "once only [flag: unconfirmed]"]);
      assert.equal(entry?.duplicateSuspected, true);
    });
  });

  describe("a thread start cut short: the channel is read before a second thread is made", () => {
    /** Five uncertain failures of the first start leave the reservation; `answer` is what the channel says. */
    async function startCutShort(answer: RootLookup | undefined) {
      const w = makeWorld();
      const history = new FakeThreadHistory(
        () => ({ kind: "absent" }),
        () => answer ?? { kind: "absent" },
      );
      const bridge = new BridgeService({ ...w.deps, ...(answer ? { threadHistory: history } : {}) });
      await w.stores.links.put(LINK);
      w.teams.failNext(...Array.from({ length: 5 }, () => new TransientError("teams.network", "timeout")));
      const m = customerText("hello", { timestamp: 1 });
      await bridge.ingest([m]);
      await bridge.idle();
      return { w, history, m, conversation: await w.stores.conversations.get(m.contact.key) };
    }

    it("found in the channel: that thread is the customer's, no second thread, no notice", async () => {
      const root = TeamsMessageId("1770000000099");
      const thread = threadRefOf(CHANNEL, root);
      const { w, history, m, conversation } = await startCutShort({ kind: "found", thread, rootMessageId: root });
      assert.equal(w.teams.threads.length, 0, "no thread started after the cut-short one");
      assert.deepEqual(
        history.rootCalls.map((c) => [c.contact, c.where.teamGroupId]),
        [[m.contact.key, GROUP]],
      );
      assert.equal(conversation?.state, "active");
      assert.equal(conversation?.thread, thread);
      assert.deepEqual(
        w.teams.posts.map((p) => [p.thread, textOf(p)]),
        [[thread, "hello"]],
      );
    });

    it("certainly not in the channel: a thread is started, nothing to say", async () => {
      const { w } = await startCutShort({ kind: "absent" });
      assert.equal(w.teams.threads.length, 1);
      assert.deepEqual(w.teams.posts.map(textOf), ["hello"]);
    });

    it("the channel cannot be read: a thread is started and says an empty one may exist above", async () => {
      const { w } = await startCutShort({ kind: "unknown", why: "Graph answered HTTP 503" });
      assert.equal(w.teams.threads.length, 1);
      assert.deepEqual(
        w.teams.posts.map(textOf).map((t) => t.slice(0, 60)),
        ["hello", "notice: The bridge restarted while starting this thread, so "],
      );
    });
  });
});
