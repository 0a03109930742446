import assert from "node:assert/strict";
import { resumeOutbox, sweepOutbox } from "../../../../src/core/bridge/outbox/outbox-recovery";
import { dispatchOutbound } from "../../../../src/core/bridge/outbox/outbox-send";
import { TransientError, WhatsAppSendError } from "../../../../src/core/errors";
import { paragraph, toPlainText } from "../../../../src/core/formatted-text";
import { DEFAULT_OUTBOX_REQUEUE_MS, DEFAULT_PACING } from "../../../../src/core/bridge/outbox/pacer";
import { staffMessage } from "../../../fakes/world";
import { instance, outboxWorld, row, settle } from "./outbox-kit";
import { postText, replyText } from "../../../support/wording";

const textOf = replyText;

describe("outbox: staff replies are kept before they are sent", () => {
  describe("accepting and sending", () => {
    it("writes the row before the Cloud API is called, claims it for the call, then marks it sent with the wamid", async () => {
      const w = await outboxWorld();
      const msg = staffMessage("Your order ships today", { thread: w.thread });
      const send = w.whatsapp.sendText.bind(w.whatsapp);
      const seen: Array<string | undefined> = [];
      w.whatsapp.sendText = async (request) => {
        const stored = await w.stores.outbox.get(w.thread, msg.messageId);
        seen.push(`${stored?.state}/${stored?.attempts}`);
        return send(request);
      };
      assert.equal(await w.bridge.onStaffMessage(msg), undefined);
      await w.bridge.idle();
      assert.deepEqual(seen, ["sending/1"]);
      const stored = await w.stores.outbox.get(w.thread, msg.messageId);
      assert.equal(stored?.state, "sent");
      assert.deepEqual(stored?.wamids, [w.whatsapp.sent[0]!.id]);
      assert.equal(toPlainText(stored!.body), "Your order ships today");
    });

    it("a Teams activity delivered twice is sent once", async () => {
      const w = await outboxWorld();
      const msg = staffMessage("Only once please", { thread: w.thread });
      await w.bridge.onStaffMessage(msg);
      assert.equal(await w.bridge.onStaffMessage(msg), undefined);
      await w.bridge.idle();
      assert.equal(w.whatsapp.sent.length, 1);
    });

    it("a retryable refusal puts the row back to queued for the backoff; the retry is a second attempt", async () => {
      const w = await outboxWorld();
      const msg = staffMessage("Try again", { thread: w.thread });
      w.whatsapp.failNext(new WhatsAppSendError("throughput", "throughput", { metaCode: 130429, notApplied: true, retryable: true, userMessage: "too fast" }));
      const states: string[] = [];
      const sleep = w.clock.sleep.bind(w.clock);
      w.clock.sleep = async (ms) => {
        states.push((await w.stores.outbox.get(w.thread, msg.messageId))?.state ?? "-");
        return sleep(ms);
      };
      await w.bridge.onStaffMessage(msg);
      await w.bridge.idle();
      assert.ok(states.includes("queued"), `states during waits: ${states.join(",")}`);
      const stored = await w.stores.outbox.get(w.thread, msg.messageId);
      assert.equal(stored?.state, "sent");
      assert.equal(stored?.attempts, 2);
    });

    it("a refusal is marked failed with why, and the thread is told", async () => {
      const w = await outboxWorld();
      const msg = staffMessage("Too late", { thread: w.thread });
      w.whatsapp.failNext(
        new WhatsAppSendError("content", "policy", {
          metaCode: 131049,
          notApplied: true,
          retryable: false,
          userMessage: "WhatsApp did not deliver it, to keep engagement healthy.",
        }),
      );
      assert.match(
        textOf(await w.bridge.onStaffMessage(msg)),
        /Not sent to WhatsApp: WhatsApp did not deliver it, to keep engagement healthy\. \(“Too late”\)/,
      );
      const stored = await w.stores.outbox.get(w.thread, msg.messageId);
      assert.equal(stored?.state, "failed");
      assert.match(stored?.detail ?? "", /131049/);
    });

    it("a reply too long to keep is refused with a notice, and nothing is sent", async () => {
      const w = await outboxWorld();
      const long = "x".repeat(300_000);
      const reply = await w.bridge.onStaffMessage({ ...staffMessage(long, { thread: w.thread }), body: paragraph(long) });
      assert.match(textOf(reply), /too long for the bridge to keep safely.*Split it/);
      assert.equal(w.whatsapp.sent.length, 0);
    });

    it("when the outbox cannot be written nothing is sent, and the thread is told to send again", async () => {
      const w = await outboxWorld();
      w.stores.outbox.create = async () => {
        throw new TransientError("storage.unavailable", "outbox.create: storage is unavailable (HTTP 503)");
      };
      const reply = await w.bridge.onStaffMessage(staffMessage("Hello?", { thread: w.thread }));
      assert.match(textOf(reply), /could not record your reply.*Send it again/);
      assert.equal(w.whatsapp.sent.length, 0);
    });

    it("an instance whose row was taken over elsewhere drops its copy", async () => {
      const w = await outboxWorld();
      const a = instance(w.deps);
      const b = instance(w.deps);
      const created = await w.stores.outbox.create(row(w, "Whose is it?", { owner: a.pacer.instanceId, updatedAt: w.clock.now() }));
      assert.ok(created.created);
      assert.ok(await w.stores.outbox.update(created.entry, { owner: b.pacer.instanceId }));
      const conversation = (await w.stores.conversations.get(w.contact))!;
      const outcome = await dispatchOutbound(a, created.entry, conversation, { kind: "individual", phone: conversation.phone! });
      assert.equal(outcome.kind, "taken-over");
      assert.equal(w.whatsapp.sent.length, 0);
    });
  });

  describe("recovery on start-up and leadership gained", () => {
    it("re-queues the stale queued replies of a stopped instance, oldest first, and sends each once", async () => {
      const w = await outboxWorld();
      const ctx = instance(w.deps);
      const later = row(w, "second", { createdAt: w.clock.now() - 15 * 60_000 });
      const earlier = row(w, "first", { createdAt: w.clock.now() - 16 * 60_000, updatedAt: w.clock.now() - DEFAULT_OUTBOX_REQUEUE_MS });
      const fresh = row(w, "still held by its instance", { updatedAt: w.clock.now() - DEFAULT_OUTBOX_REQUEUE_MS + 1_000 });
      const own = row(w, "held by this instance", { owner: ctx.pacer.instanceId });
      for (const r of [later, earlier, fresh, own]) await w.stores.outbox.create(r);
      assert.deepEqual(await resumeOutbox(ctx), { requeued: 2, uncertain: 0, recorded: 0 });
      await settle(ctx);
      assert.deepEqual(
        w.whatsapp.sent.map((s) => toPlainText(s.body)),
        ["first", "second"],
      );
      assert.equal((await w.stores.outbox.get(w.thread, earlier.teamsMessageId))?.state, "sent");
      assert.equal((await w.stores.outbox.get(w.thread, fresh.teamsMessageId))?.state, "queued");
      assert.equal((await w.stores.outbox.get(w.thread, own.teamsMessageId))?.state, "queued");
      assert.ok(await w.stores.messages.byWamid(w.whatsapp.sent[0]!.business, w.whatsapp.sent[0]!.id), "mapped like any reply");
      // Once sent, a later recovery has nothing to do.
      assert.deepEqual(await resumeOutbox(ctx), { requeued: 0, uncertain: 0, recorded: 0 });
      assert.equal(w.whatsapp.sent.length, 2);
    });

    it("after a restart of the same instance, its earlier process's rows are taken at once; other instances' fresh rows are not", async () => {
      const w = await outboxWorld({ pacing: { ...DEFAULT_PACING, instanceName: "web-1" } });
      const restarted = instance(w.deps);
      assert.match(restarted.pacer.instanceId, /^web-1#/);
      const now = w.clock.now();
      await w.stores.outbox.create(row(w, "queued just before the crash", { owner: "web-1#a-dead-process", updatedAt: now - 1_000 }));
      await w.stores.outbox.create(row(w, "held by the other replica", { owner: "web-2#alive", updatedAt: now - 1_000 }));
      await w.stores.outbox.create(row(w, "held by a similarly named machine", { owner: "web-10#alive", updatedAt: now - 1_000 }));
      await w.stores.outbox.create(row(w, "mid-send at the crash", { owner: "web-1#a-dead-process", state: "sending", attempts: 1, updatedAt: now - 1_000 }));
      assert.deepEqual(await resumeOutbox(restarted), { requeued: 1, uncertain: 1, recorded: 0 });
      await settle(restarted);
      assert.deepEqual(
        w.whatsapp.sent.map((s) => toPlainText(s.body)),
        ["queued just before the crash"],
      );
    });

    it("a standby takes only its own earlier process's rows, never another instance's", async () => {
      const w = await outboxWorld({ pacing: { ...DEFAULT_PACING, instanceName: "web-2" } });
      const standby = { ...instance(w.deps), leadership: { isLeader: () => false, onChange: () => () => {} } };
      const old = w.clock.now() - 2 * DEFAULT_OUTBOX_REQUEUE_MS;
      await w.stores.outbox.create(row(w, "mine from before", { owner: "web-2#before", updatedAt: old }));
      await w.stores.outbox.create(row(w, "the leader's business", { owner: "web-9#gone", updatedAt: old }));
      assert.deepEqual(await resumeOutbox(standby), { requeued: 1, uncertain: 0, recorded: 0 });
      await settle(standby);
      assert.deepEqual(
        w.whatsapp.sent.map((s) => toPlainText(s.body)),
        ["mine from before"],
      );
    });

    it("the bound is the configured one", async () => {
      const w = await outboxWorld({ pacing: { ...DEFAULT_PACING, outboxRequeueAfterMs: 30_000 } });
      const ctx = instance(w.deps);
      await w.stores.outbox.create(row(w, "half a minute old", { updatedAt: w.clock.now() - 31_000 }));
      await w.stores.outbox.create(row(w, "twenty seconds old", { updatedAt: w.clock.now() - 20_000 }));
      assert.deepEqual(await resumeOutbox(ctx), { requeued: 1, uncertain: 0, recorded: 0 });
      await settle(ctx);
      assert.deepEqual(
        w.whatsapp.sent.map((s) => toPlainText(s.body)),
        ["half a minute old"],
      );
    });

    it("a reply found mid-send is not sent again: it is marked uncertain and the thread is told what to check", async () => {
      const w = await outboxWorld();
      const ctx = instance(w.deps);
      const cut = row(w, "Your refund is on its way", { state: "sending", attempts: 1 });
      await w.stores.outbox.create(cut);
      const posts = w.teams.posts.length;
      assert.deepEqual(await resumeOutbox(ctx), { requeued: 0, uncertain: 1, recorded: 0 });
      await settle(ctx);
      assert.equal(w.whatsapp.sent.length, 0);
      const stored = await w.stores.outbox.get(w.thread, cut.teamsMessageId);
      assert.equal(stored?.state, "uncertain");
      const notice = w.teams.posts.slice(posts).map((p) => p.post);
      assert.equal(notice.length, 1);
      assert.equal(notice[0]!.kind, "notice");
      assert.match(postText(notice[0]!), /may not have reached the customer: “Your refund is on its way”.*Check the ticks.*send it again/);
      assert.equal(w.teams.posts[posts]!.thread, w.thread);
      assert.deepEqual(await resumeOutbox(ctx), { requeued: 0, uncertain: 0, recorded: 0 }, "said once");
    });

    it("two instances recovering at once send a reply once", async () => {
      const w = await outboxWorld();
      const a = instance(w.deps);
      const b = instance(w.deps);
      await w.stores.outbox.create(row(w, "just once"));
      await w.stores.outbox.create(row(w, "cut short", { state: "sending" }));
      const [ra, rb] = await Promise.all([resumeOutbox(a), resumeOutbox(b)]);
      await Promise.all([settle(a), settle(b)]);
      assert.equal(ra.requeued + rb.requeued, 1);
      assert.equal(ra.uncertain + rb.uncertain, 1);
      assert.equal(w.whatsapp.sent.length, 1);
      assert.equal(w.teams.posts.filter((p) => p.post.kind === "notice" && /may not have reached/.test(postText(p.post))).length, 1);
    });

    it("a standby does not recover; a reply whose number was linked elsewhere since is marked failed, not sent", async () => {
      const w = await outboxWorld();
      const standby = { ...instance(w.deps), leadership: { isLeader: () => false, onChange: () => () => {} } };
      const waiting = row(w, "wait for the leader");
      await w.stores.outbox.create(waiting);
      assert.deepEqual(await resumeOutbox(standby), { requeued: 0, uncertain: 0, recorded: 0 });
      const ctx = instance(w.deps);
      const conversation = (await w.stores.conversations.get(w.contact))!;
      const link = (await w.stores.links.get(conversation.business))!;
      await w.stores.links.put({ ...link, channel: { ...link.channel, channelId: "19:other@thread.tacv2" as typeof link.channel.channelId } });
      assert.deepEqual(await resumeOutbox(ctx), { requeued: 1, uncertain: 0, recorded: 0 });
      await settle(ctx);
      assert.equal(w.whatsapp.sent.length, 0);
      const stored = await w.stores.outbox.get(waiting.thread, waiting.teamsMessageId);
      assert.equal(stored?.state, "failed");
      assert.match(stored?.detail ?? "", /no longer linked/);
    });

    it("the polling sweep runs at most once per half the bound", async () => {
      const w = await outboxWorld();
      const ctx = instance(w.deps);
      await w.stores.outbox.create(row(w, "found by the first sweep"));
      assert.equal((await sweepOutbox(ctx)).requeued, 1);
      await settle(ctx);
      await w.stores.outbox.create(row(w, "found by a later sweep"));
      assert.equal((await sweepOutbox(ctx)).requeued, 0, "too soon");
      w.clock.advance(DEFAULT_OUTBOX_REQUEUE_MS / 2);
      assert.equal((await sweepOutbox(ctx)).requeued, 1);
      await settle(ctx);
      assert.equal(w.whatsapp.sent.length, 2);
    });
  });
});
