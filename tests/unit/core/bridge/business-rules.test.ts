import assert from "node:assert/strict";
import { WhatsAppSendError } from "../../../../src/core/errors";
import { BusinessNumberId, WaMessageId, WaPhone, WaUserId } from "../../../../src/core/ids";
import type { PreferenceEvent, StatusEvent } from "../../../../src/core/messages";
import type { StaffReply, TemplateCardModel } from "../../../../src/core/staff-message";
import type { MessageTemplate } from "../../../../src/core/templates";
import { ADMIN, BUSINESS, customerText, makeWorld, staffMessage, STAFF, TENANT, CHANNEL } from "../../../fakes/world";
import { noticeText, postText, replyText } from "../../../support/wording";

const ORDER_UPDATE: MessageTemplate = {
  name: "order_update",
  language: "en_US",
  category: "UTILITY",
  header: { format: "TEXT", text: "Order {{1}}" },
  body: "Hi {{1}}, your order {{2}} has shipped.",
  footer: "Reply STOP to opt out",
  buttons: [],
};
const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218" };

/** A linked channel, one customer thread (message at the clock's time minus `ageMs`). */
async function world(options: { ageMs?: number; settings?: Parameters<typeof makeWorld>[0] } = {}) {
  const w = makeWorld(options.settings);
  w.whatsapp.templates = [ORDER_UPDATE];
  await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  const first = customerText("Hello", { timestamp: Math.floor((w.clock.now() - (options.ageMs ?? 60_000)) / 1000) });
  await w.bridge.ingest([first]);
  await w.bridge.idle();
  return { ...w, thread: w.teams.threads[0]!.thread, contact: first.contact.key };
}

const status = (id: string, state: StatusEvent["state"], timestamp: number, errors: StatusEvent["errors"] = []): StatusEvent => ({
  type: "status",
  business: BUSINESS,
  id: WaMessageId(id),
  state,
  timestamp,
  recipient: { phone: WaPhone(MARIA.phone), userId: WaUserId(MARIA.userId) },
  errors,
});

const card = (reply: StaffReply | undefined): TemplateCardModel => {
  assert.equal(reply?.kind, "template-card", JSON.stringify(reply));
  return (reply as { card: TemplateCardModel }).card;
};

describe("WhatsApp's business rules in the core", () => {
  describe("delivery statuses", () => {
    it("move the state forward only and show the ticks on the root card, updated in place", async () => {
      const w = await world();
      await w.bridge.onStaffMessage(staffMessage("Your order ships today", { thread: w.thread }));
      await w.bridge.idle();
      const wamid = w.whatsapp.sent[0]!.id;
      // read before delivered, then a late delivered and a duplicate read: final state read.
      await w.bridge.ingest([status(wamid, "sent", 10)]);
      await w.bridge.ingest([status(wamid, "read", 12)]);
      await w.bridge.ingest([status(wamid, "delivered", 11), status(wamid, "read", 12), status(wamid, "sent", 10)]);
      await w.bridge.idle();
      assert.equal((await w.stores.messages.byWamid(BUSINESS, wamid))?.state, "read");
      const root = w.teams.latestRoot(w.thread)!;
      assert.equal(root.live?.lastOutbound?.ticks, "✓✓ read");
      assert.equal(root.live?.lastOutbound?.excerpt, "Your order ships today");
      assert.equal(w.teams.threads.length, 1, "updated in place, not re-posted");
      assert.equal(w.teams.posts.filter((p) => p.post.kind === "notice").length, 0, "no message per status");
    });

    it("a failed status posts a notice quoting the message, with what to do", async () => {
      const w = await world();
      await w.bridge.onStaffMessage(staffMessage("Are you still interested in the offer?", { thread: w.thread }));
      await w.bridge.idle();
      const wamid = w.whatsapp.sent[0]!.id;
      await w.bridge.ingest([
        status(wamid, "failed", 20, [
          { code: 131026, kind: "recipient", title: "Message undeliverable", userMessage: "WhatsApp could not deliver it: the number may not be on WhatsApp." },
        ]),
      ]);
      await w.bridge.ingest([status(wamid, "read", 21)]);
      await w.bridge.idle();
      const notices = w.teams.posts.filter((p) => p.post.kind === "notice").map((p) => postText(p.post));
      assert.equal(notices.length, 1);
      assert.match(notices[0]!, /Not delivered to WhatsApp: “Are you still interested in the offer\?”\. WhatsApp could not deliver it/);
      assert.equal((await w.stores.messages.byWamid(BUSINESS, wamid))?.state, "failed", "failed is terminal");
      assert.equal(w.teams.latestRoot(w.thread)?.live?.lastOutbound?.ticks, "⚠️ failed");
    });

    it("a status for an unknown message is logged (after a grace period) and changes nothing", async () => {
      const w = await world();
      await w.bridge.ingest([status("wamid.never-sent", "delivered", 5)]);
      await w.bridge.idle();
      assert.ok(w.logger.events().includes("whatsapp.status.unknown_message"));
      assert.equal(w.teams.posts.filter((p) => p.post.kind === "notice").length, 0);
    });
  });

  describe("the 24-hour window and templates", () => {
    it("a free-form reply inside the window is sent", async () => {
      const w = await world({ ageMs: 23 * 3600_000 });
      assert.equal(await w.bridge.onStaffMessage(staffMessage("still in time", { thread: w.thread })), undefined);
      assert.equal(w.whatsapp.sent.length, 1);
    });

    it("outside the window it is not sent to Meta: the answer is the template card, saying why", async () => {
      const w = await world({ ageMs: 25 * 3600_000 });
      const picker = card(await w.bridge.onStaffMessage(staffMessage("too late?", { thread: w.thread })));
      assert.equal(w.whatsapp.sent.length, 0);
      assert.equal(picker.step, "pick");
      if (picker.step === "pick") {
        assert.match(noticeText(picker.reason), /not sent: the customer last wrote more than 24 hours ago/);
        assert.deepEqual(
          picker.templates.map((t) => t.id),
          ["order_update|en_US"],
        );
      }
      assert.equal(w.teams.latestRoot(w.thread)?.live?.window.open ?? false, false);
    });

    it("pick, fill, preview and send a template; the thread records what the customer received", async () => {
      const w = await world({ ageMs: 30 * 3600_000 });
      const base = {
        tenantId: TENANT,
        channelId: CHANNEL,
        serviceUrl: "https://smba.trafficmanager.net/emea/",
        thread: w.thread,
        messageId: staffMessage("x").messageId,
        author: { aadObjectId: ADMIN, name: "Ada Admin" },
      };
      assert.equal(card(await w.bridge.onStaffMessage(staffMessage("template", { thread: w.thread, mentionsBot: true }))).step, "pick");
      const fill = card(await w.bridge.onCardAction({ ...base, data: { bridgeAction: "template.pick", template: "order_update|en_US" } }));
      assert.equal(fill.step, "fill");
      const preview = card(
        await w.bridge.onCardAction({ ...base, data: { bridgeAction: "template.preview", template: "order_update|en_US", "h:1": "#4471", "b:1": "Maria" } }),
      );
      assert.ok(preview.step === "fill" && /Still to fill in: \{\{2\}\}/.test(noticeText(preview.problem)));
      const refused = card(
        await w.bridge.onCardAction({ ...base, data: { bridgeAction: "template.send", template: "order_update|en_US", "h:1": "#4471", "b:1": "Maria" } }),
      );
      assert.ok(refused.step === "fill" && /fill in \{\{2\}\} first/.test(noticeText(refused.problem)));
      assert.equal(w.whatsapp.templatesSent.length, 0);

      const sent = card(
        await w.bridge.onCardAction({
          ...base,
          data: { bridgeAction: "template.send", template: "order_update|en_US", "h:1": "#4471", "b:1": "Maria", "b:2": "#4471" },
        }),
      );
      assert.equal(sent.step, "sent");
      assert.equal(w.whatsapp.templatesSent.length, 1);
      assert.deepEqual(w.whatsapp.templatesSent[0]!.to, { kind: "individual", phone: MARIA.phone, userId: MARIA.userId });
      assert.deepEqual(w.whatsapp.templatesSent[0]!.values.body, { "1": "Maria", "2": "#4471" });
      const record = w.teams.posts.at(-1)!.post;
      assert.equal(record.kind, "sent");
      if (record.kind === "sent") {
        assert.match(record.label, /Template “order_update” \(en_US\) sent by Ada Admin/);
        assert.equal(record.text, "Order #4471\n\nHi Maria, your order #4471 has shipped.\n\nReply STOP to opt out");
      }
      const mapped = await w.stores.messages.byWamid(BUSINESS, w.whatsapp.templatesSent[0]!.id);
      assert.equal(mapped?.teamsMessageId, w.teams.posts.at(-1)!.id);
    });

    it("card data cannot redirect a send to another customer (docs/security.md, adversarial case 27)", async () => {
      const w = await world({ ageMs: 30 * 3600_000 });
      await w.bridge.onCardAction({
        tenantId: TENANT,
        channelId: CHANNEL,
        serviceUrl: "https://smba.trafficmanager.net/emea/",
        thread: w.thread,
        messageId: staffMessage("x").messageId,
        author: { aadObjectId: STAFF, name: "Mallory" },
        data: { bridgeAction: "template.send", template: "order_update|en_US", "h:1": "a", "b:1": "b", "b:2": "c", waId: "15550001111", to: "+15550001111" },
      });
      assert.deepEqual(w.whatsapp.templatesSent[0]!.to, { kind: "individual", phone: MARIA.phone, userId: MARIA.userId });
    });

    it("the template list is cached and listed again after a template status change", async () => {
      const w = await world({ ageMs: 30 * 3600_000 });
      await w.bridge.onStaffMessage(staffMessage("template", { thread: w.thread, mentionsBot: true }));
      await w.bridge.onStaffMessage(staffMessage("template", { thread: w.thread, mentionsBot: true }));
      assert.equal(w.whatsapp.templateListings, 1);
      w.bridge.templatesChanged();
      await w.bridge.onStaffMessage(staffMessage("template", { thread: w.thread, mentionsBot: true }));
      assert.equal(w.whatsapp.templateListings, 2);
      w.clock.advance(6 * 60_000);
      await w.bridge.onStaffMessage(staffMessage("template", { thread: w.thread, mentionsBot: true }));
      assert.equal(w.whatsapp.templateListings, 3);
    });
  });

  describe("opt-out and consent", () => {
    const sendTemplate = (w: Awaited<ReturnType<typeof world>>) =>
      w.bridge.onCardAction({
        tenantId: TENANT,
        channelId: CHANNEL,
        serviceUrl: "https://smba.trafficmanager.net/emea/",
        thread: w.thread,
        messageId: staffMessage("x").messageId,
        author: { aadObjectId: STAFF, name: "Sam" },
        data: { bridgeAction: "template.send", template: "order_update|en_US", "h:1": "a", "b:1": "b", "b:2": "c" },
      });

    it("STOP opts the customer out: templates are refused, replies in an open window still go; START opts back in", async () => {
      const w = await world();
      await w.bridge.ingest([customerText("stop", { timestamp: Math.floor(w.clock.now() / 1000) - 30 })]);
      await w.bridge.idle();
      assert.equal((await w.stores.conversations.get(w.contact))?.optedOut, true);
      assert.ok(w.teams.posts.some((p) => p.post.kind === "notice" && /opted out/.test(postText(p.post))));
      assert.equal(w.teams.latestRoot(w.thread)?.live?.optedOut, true);
      const refused = await sendTemplate(w);
      assert.match(replyText(refused), /opted out/);
      assert.equal(w.whatsapp.templatesSent.length, 0);
      await w.bridge.onStaffMessage(staffMessage("We have removed you from the list.", { thread: w.thread }));
      await w.bridge.idle();
      assert.equal(w.whatsapp.sent.length, 1, "a reply inside the window the customer opened is allowed");
      await w.bridge.ingest([customerText("START", { timestamp: Math.floor(w.clock.now() / 1000) - 20 })]);
      await w.bridge.idle();
      assert.equal((await w.stores.conversations.get(w.contact))?.optedOut, false);
      assert.equal(card(await sendTemplate(w)).step, "sent");
    });

    it("WhatsApp's user_preferences webhook opts out and back in", async () => {
      const w = await world();
      const pref = (value: "stop" | "resume", timestamp: number): PreferenceEvent => ({
        type: "preference",
        business: BusinessNumberId(BUSINESS),
        contact: { userId: WaUserId(MARIA.userId), phone: WaPhone(MARIA.phone) },
        value,
        timestamp,
      });
      await w.bridge.ingest([pref("stop", 100)]);
      await w.bridge.idle();
      assert.equal((await w.stores.conversations.get(w.contact))?.optedOut, true);
      await w.bridge.ingest([pref("resume", 200)]);
      await w.bridge.idle();
      assert.equal((await w.stores.conversations.get(w.contact))?.optedOut, false);
    });
  });

  describe("policy checks and the first-contact notice", () => {
    it("a card number blocks the send with a notice that names the rule but not the number", async () => {
      const w = await world();
      const reply = await w.bridge.onStaffMessage(staffMessage("Your card 4111 1111 1111 1111 was charged", { thread: w.thread }));
      assert.equal(w.whatsapp.sent.length, 0);
      const text = replyText(reply);
      assert.match(text, /payment card number/);
      assert.doesNotMatch(text, /4111 1111/);
      assert.equal(await w.bridge.onStaffMessage(staffMessage("Your order #4471 was charged", { thread: w.thread })), undefined);
      await w.bridge.idle();
      assert.equal(w.whatsapp.sent.length, 1);
    });

    it("when configured, a new conversation gets one automatic notice, recorded in the thread", async () => {
      const w = await world({ settings: { firstContactNotice: "Messages in this chat are recorded for compliance." } });
      await w.bridge.ingest([customerText("another message")]);
      await w.bridge.idle();
      assert.deepEqual(
        w.whatsapp.sent.map((s) => s.body),
        [[{ kind: "paragraph", inlines: [{ kind: "text", text: "Messages in this chat are recorded for compliance." }] }]],
      );
      const record = w.teams.posts.find((p) => p.post.kind === "sent");
      assert.ok(record && record.post.kind === "sent" && /first-contact notice/.test(record.post.label));
    });

    it("a Meta rate-limit error is retried by the pacer; a notice comes only if it finally fails", async () => {
      const w = await world();
      w.whatsapp.failNext(
        new WhatsAppSendError("throughput", "throughput", {
          metaCode: 130429,
          notApplied: true,
          retryable: true,
          userMessage: "WhatsApp's rate limit was reached.",
        }),
      );
      assert.equal(await w.bridge.onStaffMessage(staffMessage("first try fails", { thread: w.thread })), undefined);
      await w.bridge.idle();
      assert.equal(w.whatsapp.sent.length, 1);
      w.whatsapp.failNext(
        ...Array.from(
          { length: 5 },
          () =>
            new WhatsAppSendError("throughput", "throughput", {
              metaCode: 130429,
              notApplied: true,
              retryable: true,
              userMessage: "WhatsApp's rate limit was reached.",
            }),
        ),
      );
      const reply = await w.bridge.onStaffMessage(staffMessage("always fails", { thread: w.thread }));
      await w.bridge.idle();
      const notice = reply ? replyText(reply) : postText(w.teams.posts.at(-1)!.post);
      assert.match(notice ?? "", /rate limit/);
    });
  });
});
