import assert from "node:assert/strict";
import { WhatsAppSendError } from "../../../../src/core/errors";
import { toPlainText } from "../../../../src/core/formatted-text";
import { BusinessNumberId, TeamsChannelId } from "../../../../src/core/ids";
import { ADMIN, BUSINESS, CHANNEL, customerText, makeWorld, staffMessage } from "../../../fakes/world";
import { replyText } from "../../../support/wording";

/** A world with a linked channel and one customer thread. */
async function withThread(settings: Parameters<typeof makeWorld>[0] = {}) {
  const w = makeWorld(settings);
  const reply = await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  assert.ok(reply?.kind === "notice" && reply.notice.kind === "number-linked", "linked");
  await w.bridge.ingest([customerText("Hello")]);
  await w.bridge.idle();
  const thread = w.teams.threads[0]!.thread;
  return { ...w, thread };
}

describe("onStaffMessage", () => {
  describe("replies in a customer thread", () => {
    it("sends the reply to the thread's customer and maps the wamid to the Teams message", async () => {
      const w = await withThread();
      const msg = staffMessage("Your order ships today", { thread: w.thread });
      assert.equal(await w.bridge.onStaffMessage(msg), undefined);
      assert.equal(w.whatsapp.sent.length, 1);
      assert.deepEqual(w.whatsapp.sent[0]!.to, { kind: "individual", phone: "5511987654321", userId: "BR.1873409921457730218" });
      assert.equal(toPlainText(w.whatsapp.sent[0]!.body), "Your order ships today");
      const mapped = await w.stores.messages.byTeamsMessage(w.thread, msg.messageId);
      assert.equal(mapped?.wamid, w.whatsapp.sent[0]!.id);
      assert.equal(mapped?.direction, "outbound");
    });

    it("never sends a note that starts with the note prefix", async () => {
      const w = await withThread();
      assert.equal(await w.bridge.onStaffMessage(staffMessage("// check the CRM first", { thread: w.thread })), undefined);
      assert.equal(w.whatsapp.sent.length, 0);
    });

    it("in mention mode sends only replies that mention the bot", async () => {
      const w = await withThread({ replyMode: "mention" });
      await w.bridge.onStaffMessage(staffMessage("internal chatter", { thread: w.thread }));
      await w.bridge.onStaffMessage(staffMessage("Hi Maria!", { thread: w.thread, mentionsBot: true }));
      assert.deepEqual(
        w.whatsapp.sent.map((s) => toPlainText(s.body)),
        ["Hi Maria!"],
      );
    });

    it("turns a Meta error into a notice that says why in plain words and quotes the reply", async () => {
      const w = await withThread();
      w.whatsapp.failNext(
        new WhatsAppSendError("recipient", "Message undeliverable", {
          metaCode: 131026,
          notApplied: true,
          retryable: false,
          userMessage: "WhatsApp could not deliver to this number.",
        }),
      );
      const reply = await w.bridge.onStaffMessage(staffMessage("Still there?", { thread: w.thread }));
      assert.equal(reply?.kind, "notice");
      assert.match(replyText(reply), /Not sent to WhatsApp: WhatsApp could not deliver to this number\. \(“Still there\?”\)/);
    });

    it("when WhatsApp says the 24-hour window has closed (131047), answers with the template offer, quoting the reply", async () => {
      const w = await withThread();
      w.whatsapp.failNext(
        new WhatsAppSendError("window-closed", "Re-engagement message", {
          metaCode: 131047,
          notApplied: true,
          retryable: false,
          userMessage: "more than 24 hours have passed since the customer last wrote.",
        }),
      );
      const reply = await w.bridge.onStaffMessage(staffMessage("Still there?", { thread: w.thread }));
      // No template is approved in this world: the offer is the notice that says so, with the reason first.
      assert.match(
        replyText(reply),
        /^Your message “Still there\?” was not sent: the customer last wrote more than 24 hours ago, and WhatsApp then only allows an approved template\. No approved WhatsApp template/,
      );
    });

    it("tells the sender that attachments were not sent", async () => {
      const w = await withThread();
      const onlyFile = await w.bridge.onStaffMessage({ ...staffMessage("", { thread: w.thread, attachments: 1 }) });
      assert.match(replyText(onlyFile), /Files attached in a channel are not given to bots by Teams, so the file was not sent/);
      assert.match(replyText(onlyFile), /paste an image straight into your reply, or share a link/);
      const withText = await w.bridge.onStaffMessage(staffMessage("see attached", { thread: w.thread, attachments: 1 }));
      assert.match(replyText(withText), /the file was not sent/);
      assert.equal(w.whatsapp.sent.length, 1);
    });

    it("answers with a notice when the number was unlinked", async () => {
      const w = await withThread();
      await w.bridge.onStaffMessage(staffMessage("unlink", { author: ADMIN, mentionsBot: true }));
      const reply = await w.bridge.onStaffMessage(staffMessage("hello?", { thread: w.thread }));
      assert.match(replyText(reply), /no longer linked/);
      assert.equal(w.whatsapp.sent.length, 0);
    });

    it("ignores threads and channels it does not own", async () => {
      const w = await withThread();
      const other = `${CHANNEL};messageid=424242` as typeof w.thread;
      assert.equal(await w.bridge.onStaffMessage(staffMessage("random thread", { thread: other })), undefined);
      const elsewhere = TeamsChannelId("19:other@thread.tacv2");
      assert.equal(await w.bridge.onStaffMessage(staffMessage("other channel", { channel: elsewhere })), undefined);
      assert.equal(w.whatsapp.sent.length, 0);
    });
  });

  describe("commands", () => {
    it("link: admins only; others get a polite refusal", async () => {
      const w = makeWorld();
      const refused = await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { mentionsBot: true }));
      assert.equal(refused?.kind, "notice");
      assert.match(replyText(refused), /only bridge admins/);
      assert.equal(await w.stores.links.get(BUSINESS), undefined);
      const ok = await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
      assert.match(replyText(ok), /is linked to this channel/);
      assert.equal((await w.stores.links.get(BUSINESS))?.channel.channelId, CHANNEL);
    });

    it("link resolves a display number through the business account", async () => {
      const w = makeWorld();
      w.whatsapp.numbers = [{ id: BUSINESS, displayNumber: "+1 555-078-3881" }];
      const ok = await w.bridge.onStaffMessage(staffMessage("link +1 (555) 078-3881", { author: ADMIN, mentionsBot: true }));
      assert.match(replyText(ok), /\+1 555-078-3881 is linked/);
      const unknown = await w.bridge.onStaffMessage(staffMessage("link 999", { author: ADMIN, mentionsBot: true }));
      assert.match(replyText(unknown), /can't find/);
    });

    it("link refuses a number already linked to another channel", async () => {
      const w = makeWorld();
      await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
      const reply = await w.bridge.onStaffMessage(
        staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true, channel: TeamsChannelId("19:b@thread.tacv2") }),
      );
      assert.match(replyText(reply), /already linked to the channel “WhatsApp”/);
    });

    it("link delivers messages that arrived before it", async () => {
      const w = makeWorld();
      await w.bridge.ingest([customerText("early bird")]);
      await w.bridge.idle();
      const reply = await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
      assert.match(replyText(reply), /1 message received before the link/);
      await w.bridge.idle();
      assert.equal(w.teams.threads.length, 1);
      assert.equal(w.teams.posts.length, 1);
    });

    it("unlink, status and help", async () => {
      const w = makeWorld();
      assert.match(replyText(await w.bridge.onStaffMessage(staffMessage("status", { mentionsBot: true }))), /No WhatsApp number is linked/);
      await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
      assert.match(replyText(await w.bridge.onStaffMessage(staffMessage("status", { mentionsBot: true }))), new RegExp(`id ${BUSINESS}`));
      assert.match(replyText(await w.bridge.onStaffMessage(staffMessage("unlink", { mentionsBot: true }))), /only bridge admins/);
      assert.match(replyText(await w.bridge.onStaffMessage(staffMessage("unlink", { author: ADMIN, mentionsBot: true }))), /no longer linked/);
      assert.equal(await w.stores.links.get(BusinessNumberId(BUSINESS)), undefined);
      assert.match(replyText(await w.bridge.onStaffMessage(staffMessage("help", { mentionsBot: true }))), /Commands/);
      assert.match(replyText(await w.bridge.onStaffMessage(staffMessage("dance", { mentionsBot: true }))), /didn't understand/);
    });

    it("ignores channel posts that do not mention the bot", async () => {
      const w = makeWorld();
      assert.equal(await w.bridge.onStaffMessage(staffMessage("link 123", { author: ADMIN })), undefined);
    });
  });
});
