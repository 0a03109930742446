import assert from "node:assert/strict";
import { RECORD_RETRY_MS, resumeOutbox } from "../../../../src/core/bridge/outbox/outbox-recovery";
import { TransientError, WhatsAppSendError } from "../../../../src/core/errors";
import { toPlainText } from "../../../../src/core/formatted-text";
import type { InternalReplyRecord, OutboundRecord, StatusRecord } from "../../../../src/core/ports/webhook-journal";
import type { StaffCardAction, StaffReply, TemplateCardModel } from "../../../../src/core/staff-message";
import type { MessageTemplate } from "../../../../src/core/templates";
import { MemoryWebhookJournal } from "../../../../src/storage/memory/memory-webhook-journal";
import { ADMIN, BUSINESS, CHANNEL, customerText, makeWorld, STAFF, staffMessage, TENANT } from "../../../fakes/world";
import { postText, replyText } from "../../../support/wording";
import { instance, settle, status } from "./outbox-kit";

/**
 * The record of what the business sent: every outbound message (staff replies, templates, automatic
 * notices) goes through the outbox, is journaled once Meta accepted it, is never reported as "not sent"
 * afterwards, and a template is sent once however often its button is pressed.
 */

const ORDER_UPDATE: MessageTemplate = {
  name: "order_update",
  language: "en_US",
  category: "UTILITY",
  header: { format: "TEXT", text: "Order {{1}}" },
  body: "Hi {{1}}, your order {{2}} has shipped.",
  footer: "Reply STOP to opt out",
  buttons: [],
};
const VALUES = { "h:1": "#4471", "b:1": "Maria", "b:2": "#4471" };
const PREVIEW_START = "Order #4471";

async function journalWorld(settings: Parameters<typeof makeWorld>[0] = {}) {
  const journal = new MemoryWebhookJournal();
  const w = makeWorld(settings, { journal });
  w.whatsapp.templates = [ORDER_UPDATE];
  await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  const first = customerText("Hello", { timestamp: Math.floor((w.clock.now() - 60_000) / 1000) });
  await w.bridge.ingest([first]);
  await w.bridge.idle();
  return { ...w, journal, thread: w.teams.threads[0]!.thread, contact: first.contact.key };
}

const outbound = (j: MemoryWebhookJournal) =>
  j
    .records()
    .map((r) => r.record)
    .filter((r): r is OutboundRecord => r.kind === "outbound");
const internal = (j: MemoryWebhookJournal) =>
  j
    .records()
    .map((r) => r.record)
    .filter((r): r is InternalReplyRecord => r.kind === "internal");
const statuses = (j: MemoryWebhookJournal) =>
  j
    .records()
    .map((r) => r.record)
    .filter((r): r is StatusRecord => r.kind === "status");

function sendPress(w: Awaited<ReturnType<typeof journalWorld>>, cardId = "card-1"): StaffCardAction {
  return {
    tenantId: TENANT,
    channelId: CHANNEL,
    serviceUrl: "https://smba.trafficmanager.net/emea/",
    thread: w.thread,
    messageId: cardId as StaffCardAction["messageId"],
    author: { aadObjectId: STAFF, name: "Sam Staff" },
    data: { bridgeAction: "template.send", template: "order_update|en_US", ...VALUES },
  };
}

const card = (reply: StaffReply | undefined): TemplateCardModel => {
  assert.equal(reply?.kind, "template-card", JSON.stringify(reply));
  return (reply as { card: TemplateCardModel }).card;
};

const sentPosts = (w: Awaited<ReturnType<typeof journalWorld>>) => w.teams.posts.filter((p) => p.post.kind === "sent");

describe("the record of what the business sent", () => {
  describe("staff replies", () => {
    it("are journaled once Meta accepted them: author, Teams message, wamid, recipient and the text as sent", async () => {
      const w = await journalWorld();
      const msg = staffMessage("Your order *ships* today", { thread: w.thread });
      await w.bridge.onStaffMessage(msg);
      await w.bridge.idle();
      const [record, ...more] = outbound(w.journal);
      assert.equal(more.length, 0);
      assert.deepEqual(record, {
        kind: "outbound",
        at: record!.at,
        business: BUSINESS,
        conversation: w.contact,
        recipient: { kind: "individual", phone: "5511987654321", userId: "BR.1873409921457730218" },
        wamids: [w.whatsapp.sent[0]!.id],
        teamsMessageId: msg.messageId,
        author: { aadObjectId: STAFF, name: "Sam Staff" },
        text: "Your order *ships* today",
      });
      const row = await w.stores.outbox.get(w.thread, msg.messageId);
      assert.equal(row?.state, "sent");
      assert.ok(row?.journalRef, "the row remembers where its record is");
    });

    it("a reply sent with the send prefix is labelled sent-anyway; a note and a refused reply are journaled as kept in Teams, with why", async () => {
      const w = await journalWorld({ policy: { cardNumbers: true, ibans: true, blockedWords: ["guaranteed"], blockedPatterns: [] } });
      await w.bridge.onStaffMessage(staffMessage("// check the CRM first", { thread: w.thread }));
      await w.bridge.onStaffMessage(staffMessage("This is guaranteed", { thread: w.thread }));
      await w.bridge.onStaffMessage({ ...staffMessage("!Ask @Ana", { thread: w.thread }), mentions: [{ kind: "person", name: "Ana" }] });
      await w.bridge.idle();
      assert.deepEqual(
        internal(w.journal).map((r) => [r.why, r.text, r.author.name]),
        [
          ["note", "// check the CRM first", "Sam Staff"],
          ["policy-block", "This is guaranteed", "Sam Staff"],
        ],
      );
      assert.match(internal(w.journal)[1]!.detail ?? "", /rule/);
      assert.deepEqual(
        outbound(w.journal).map((r) => [r.label, r.text]),
        [["sent-anyway", "Ask @Ana"]],
      );
    });

    it("a reply after the 24-hour window is journaled as kept in Teams (window-closed), and the offer quotes it", async () => {
      const w = await journalWorld();
      w.clock.advance(25 * 3600_000);
      const reply = await w.bridge.onStaffMessage(staffMessage("Still there?", { thread: w.thread }));
      assert.match(
        replyText({ kind: "notice", notice: (card(reply) as Extract<TemplateCardModel, { step: "pick" }>).reason! }),
        /^Your message “Still there\?” was not sent/,
      );
      assert.deepEqual(
        internal(w.journal).map((r) => r.why),
        ["window-closed"],
      );
      assert.equal(w.whatsapp.sent.length, 0);
    });

    it("a delivery state is journaled once, with Meta's error code when it failed", async () => {
      const w = await journalWorld();
      await w.bridge.onStaffMessage(staffMessage("Hi", { thread: w.thread }));
      await w.bridge.idle();
      const wamid = w.whatsapp.sent[0]!.id;
      await w.bridge.ingest([status(wamid, "delivered", 1_789_300_100), status(wamid, "delivered", 1_789_300_100)]);
      await w.bridge.ingest([status(wamid, "failed", 1_789_300_200, [{ code: 131026, kind: "recipient", title: "Message undeliverable" }])]);
      await w.bridge.idle();
      assert.deepEqual(
        statuses(w.journal).map((r) => [r.wamid, r.state, r.errorCode, r.at]),
        [
          [wamid, "delivered", undefined, 1_789_300_100_000],
          [wamid, "failed", 131026, 1_789_300_200_000],
        ],
      );
    });

    it("a status that WhatsApp reports for a message refused because the window closed brings the template card, quoting it", async () => {
      const w = await journalWorld();
      await w.bridge.onStaffMessage(staffMessage("Are you there?", { thread: w.thread }));
      await w.bridge.idle();
      const wamid = w.whatsapp.sent[0]!.id;
      await w.bridge.ingest([status(wamid, "failed", 1_789_300_200, [{ code: 131047, kind: "window-closed", title: "Re-engagement message" }])]);
      await w.bridge.idle();
      const offered = w.teams.posts.find((p) => p.post.kind === "template-card");
      assert.ok(offered, "the template card is posted in the thread");
      const reason = (offered.post as { card: Extract<TemplateCardModel, { step: "pick" }> }).card.reason;
      assert.deepEqual(reason, { kind: "window-closed", group: false, unsent: "Are you there?" });
    });
  });

  describe("templates", () => {
    it("a double press, or a retried invoke, sends one template and records it once", async () => {
      const w = await journalWorld();
      const [first, second] = await Promise.all([w.bridge.onCardAction(sendPress(w)), w.bridge.onCardAction(sendPress(w))]);
      const third = await w.bridge.onCardAction(sendPress(w));
      await w.bridge.idle();
      assert.equal(w.whatsapp.templatesSent.length, 1);
      assert.equal(card(first).step, "sent");
      assert.ok(second === undefined || card(second).step === "sent", "the second press changes nothing or shows the sent card");
      assert.equal(card(third).step, "sent", "a later press shows the card as sent");
      assert.equal(sentPosts(w).length, 1);
      assert.equal(outbound(w.journal).length, 1);
      const record = outbound(w.journal)[0]!;
      assert.equal(record.label, "template:order_update|en_US");
      assert.ok(record.text.startsWith(PREVIEW_START), record.text);
      assert.equal(record.teamsMessageId, "card-1");
      assert.deepEqual(record.author, { aadObjectId: STAFF, name: "Sam Staff" });
    });

    it("when the thread post recording it fails, the card still says sent, nothing is sent twice, and the record is posted later", async () => {
      const w = await journalWorld();
      // Teams refuses every record post until it comes back.
      let teamsDown = true;
      for (let i = 0; i < 20; i++)
        w.teams.failPostWhere((p) => teamsDown && p.kind === "sent", new TransientError("teams.unavailable", "503 from the Bot Connector"));
      const answer = await w.bridge.onCardAction(sendPress(w));
      await w.bridge.idle();
      assert.equal(card(answer).step, "sent", "Meta accepted it: never reported as not sent");
      assert.equal(w.teams.posts.filter((p) => p.post.kind === "notice").length, 0);
      assert.equal(outbound(w.journal).length, 1, "journaled before the thread post");
      const row = await w.stores.outbox.get(w.thread, "card-1" as StaffCardAction["messageId"]);
      assert.equal(row?.state, "recording", "the record is not complete: the row waits for the sweep");
      assert.equal(sentPosts(w).length, 0);
      // A press now shows the card as sent, and sends nothing.
      assert.equal(card(await w.bridge.onCardAction(sendPress(w))).step, "sent");

      teamsDown = false;
      w.clock.advance(RECORD_RETRY_MS);
      const ctx = instance(w.deps);
      const result = await resumeOutbox(ctx);
      await settle(ctx);
      assert.equal(result.recorded, 1);
      assert.equal(w.whatsapp.templatesSent.length, 1);
      assert.equal(sentPosts(w).length, 1);
      assert.deepEqual(sentPosts(w)[0]!.post, { kind: "sent", label: "Template “order_update” (en_US) sent by Sam Staff", text: outbound(w.journal)[0]!.text });
      assert.equal(outbound(w.journal).length, 1, "recorded once");
      const done = await w.stores.outbox.get(w.thread, "card-1" as StaffCardAction["messageId"]);
      assert.equal(done?.state, "sent");
      assert.equal(done?.recordPost, sentPosts(w)[0]!.id);
      // The wamid now points at the record post (what staff see and quote), its state kept.
      const mapped = await w.stores.messages.byWamid(BUSINESS, w.whatsapp.templatesSent[0]!.id);
      assert.equal(mapped?.teamsMessageId, sentPosts(w)[0]!.id);
    });

    it("after WhatsApp refused it, the same card can send again (its own row); a refusal is shown on the card, quoting it", async () => {
      const w = await journalWorld();
      w.whatsapp.failNext(
        new WhatsAppSendError("content", "Invalid parameter", {
          metaCode: 131008,
          notApplied: true,
          retryable: false,
          userMessage: "WhatsApp refused a value.",
        }),
      );
      const refused = card(await w.bridge.onCardAction(sendPress(w)));
      assert.equal(refused.step, "fill");
      const problem = (refused as Extract<TemplateCardModel, { step: "fill" }>).problem;
      assert.equal(problem?.kind, "not-sent");
      assert.ok(problem?.kind === "not-sent" && problem.reply?.startsWith(PREVIEW_START));
      assert.equal(card(await w.bridge.onCardAction(sendPress(w))).step, "sent");
      assert.equal(w.whatsapp.templatesSent.length, 1);
      assert.equal((await w.stores.outbox.get(w.thread, "card-1#2" as StaffCardAction["messageId"]))?.state, "sent");
      assert.equal(outbound(w.journal).length, 1);
    });

    it("a template refused for an opted-out customer is journaled as kept in Teams", async () => {
      const w = await journalWorld();
      await w.stores.conversations.update(w.contact, { optedOut: true });
      await w.bridge.onCardAction(sendPress(w));
      assert.equal(w.whatsapp.templatesSent.length, 0);
      assert.deepEqual(
        internal(w.journal).map((r) => [r.why, r.teamsMessageId]),
        [["opted-out", "card-1"]],
      );
    });
  });

  describe("automatic messages", () => {
    it("the first-contact notice goes through the outbox once, is posted as sent and journaled without an author", async () => {
      const journal = new MemoryWebhookJournal();
      const w = makeWorld({ firstContactNotice: "We reply within one business day." }, { journal });
      await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
      const first = customerText("Hello");
      await w.bridge.ingest([first]);
      await w.bridge.idle();
      assert.deepEqual(
        w.whatsapp.sent.map((s) => toPlainText(s.body)),
        ["We reply within one business day."],
      );
      const records = outbound(journal);
      assert.equal(records.length, 1);
      assert.equal(records[0]!.label, "automatic:first-contact");
      assert.equal(records[0]!.author, undefined);
      assert.equal(records[0]!.teamsMessageId, undefined);
      const thread = w.teams.threads[0]!.thread;
      const row = await w.stores.outbox.get(thread, `automatic:first-contact:${first.id}` as StaffCardAction["messageId"]);
      assert.equal(row?.state, "sent");
      assert.equal(row?.kind, "automatic");
      assert.deepEqual(w.teams.posts.find((p) => p.post.kind === "sent")?.post, {
        kind: "sent",
        label: "Sent automatically to the customer (first-contact notice)",
        text: "We reply within one business day.",
      });
    });

    it("when WhatsApp refuses it, the notice quotes the text", async () => {
      const w = makeWorld({ firstContactNotice: "We reply within one business day." });
      await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
      w.whatsapp.failNext(
        new WhatsAppSendError("recipient", "undeliverable", {
          metaCode: 131026,
          notApplied: true,
          retryable: false,
          userMessage: "WhatsApp could not deliver it.",
        }),
      );
      await w.bridge.ingest([customerText("Hello")]);
      await w.bridge.idle();
      const notice = w.teams.posts.find((p) => p.post.kind === "notice");
      assert.match(
        postText(notice!.post),
        /first-contact notice\): not sent \(WhatsApp could not deliver it\.\)\. The text was “We reply within one business day\.”/,
      );
    });
  });
});
