import assert from "node:assert/strict";
import { WhatsAppSendError } from "../../../../src/core/errors";
import { paragraph, toPlainText } from "../../../../src/core/formatted-text";
import { TeamsMessageId } from "../../../../src/core/ids";
import type { StaffImage } from "../../../../src/core/staff-message";
import { ADMIN, BUSINESS, CHANNEL, STAFF, TENANT, customerText, makeWorld, staffMessage } from "../../../fakes/world";
import { replyText } from "../../../support/wording";

const PNG: StaffImage = { name: "label.png", mimeType: "image/png", bytes: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(20)]) };
const GIF: StaffImage = { name: "wave.gif", mimeType: "image/gif", bytes: Buffer.from("GIF89a....") };

async function withThread() {
  const w = makeWorld();
  await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  await w.bridge.ingest([customerText("Where is it?", { id: "wamid.in1" })]);
  await w.bridge.idle();
  const thread = w.teams.threads[0]!.thread;
  const copy = w.teams.posts[0]!.id;
  return { ...w, thread, copy };
}

describe("staff replies beyond text (core)", () => {
  it("sends a pasted image with the reply's text as caption, mapped to the Teams message", async () => {
    const w = await withThread();
    const msg = { ...staffMessage("Here is the label", { thread: w.thread }), images: [PNG] };
    assert.equal(await w.bridge.onStaffMessage(msg), undefined);
    await w.bridge.idle();
    assert.equal(w.whatsapp.media.uploads[0]!.filename, "label.png");
    const sent = w.whatsapp.media.mediaSent[0]!;
    assert.equal(sent.kind, "image");
    assert.equal(toPlainText(sent.caption!), "Here is the label");
    assert.equal(sent.mediaId, w.whatsapp.media.uploads[0]!.id);
    assert.equal(w.whatsapp.sent.length, 0, "no separate text");
    assert.equal((await w.stores.messages.byTeamsMessage(w.thread, msg.messageId))?.wamid, sent.id);
  });

  it("sends a GIF as a document; a second image goes without caption", async () => {
    const w = await withThread();
    await w.bridge.onStaffMessage({ ...staffMessage("two pictures", { thread: w.thread }), images: [PNG, GIF] });
    await w.bridge.idle();
    const [first, second] = w.whatsapp.media.mediaSent;
    assert.equal(first!.kind, "image");
    assert.ok(first!.caption);
    assert.equal(second!.kind, "document");
    assert.equal(second!.caption, undefined);
  });

  it("a text too long for a caption goes first, on its own; the images follow without caption", async () => {
    const w = await withThread();
    const long = "word ".repeat(300).trim();
    await w.bridge.onStaffMessage({ ...staffMessage(long, { thread: w.thread }), body: paragraph(long), images: [PNG] });
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent.length, 1);
    assert.equal(w.whatsapp.media.mediaSent[0]!.caption, undefined);
  });

  it("an image WhatsApp refuses is listed in a notice; the words still go", async () => {
    const w = await withThread();
    w.whatsapp.media.failSend(
      new WhatsAppSendError("content", "bad media", {
        metaCode: 131053,
        notApplied: true,
        retryable: false,
        userMessage: "WhatsApp could not process the media",
      }),
    );
    const reply = await w.bridge.onStaffMessage({ ...staffMessage("see picture", { thread: w.thread }), images: [PNG] });
    await w.bridge.idle();
    assert.match(replyText(reply), /Not everything reached WhatsApp: label\.png: WhatsApp could not process the media/);
    assert.equal(toPlainText(w.whatsapp.sent[0]!.body), "see picture");
  });

  it("images Teams could not give are said; with no text and no image nothing is sent", async () => {
    const w = await withThread();
    const reply = await w.bridge.onStaffMessage({
      ...staffMessage("", { thread: w.thread }),
      imageProblems: ["image 1 could not be fetched from Teams (HTTP 403)"],
    });
    assert.match(replyText(reply), /Not sent: image 1 could not be fetched from Teams \(HTTP 403\)/);
    assert.equal(w.whatsapp.sent.length, 0);
  });

  it("a reply that quotes a customer message is a contextual reply to it", async () => {
    const w = await withThread();
    await w.bridge.onStaffMessage({ ...staffMessage("It ships today", { thread: w.thread }), quotedMessageId: w.copy });
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent[0]!.replyTo, "wamid.in1");
    await w.bridge.onStaffMessage({ ...staffMessage("unknown quote", { thread: w.thread }), quotedMessageId: TeamsMessageId("999") });
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent[1]!.replyTo, undefined);
  });

  it("a staff reaction on a customer message is sent as a WhatsApp reaction; removal sends an empty emoji", async () => {
    const w = await withThread();
    const base = { tenantId: TENANT, channelId: CHANNEL, thread: w.thread, target: w.copy, author: { aadObjectId: STAFF, name: "Sam" } };
    assert.equal(await w.bridge.onStaffReaction({ ...base, added: ["👍"], removed: [] }), undefined);
    await w.bridge.onStaffReaction({ ...base, added: [], removed: ["👍"] });
    assert.deepEqual(
      w.whatsapp.media.reactions.map((r) => [r.target, r.emoji]),
      [
        ["wamid.in1", "👍"],
        ["wamid.in1", ""],
      ],
    );
  });

  it("a reaction on a staff reply or in another channel is not sent; a refused reaction gets a notice", async () => {
    const w = await withThread();
    const msg = staffMessage("sent text", { thread: w.thread });
    await w.bridge.onStaffMessage(msg);
    await w.bridge.idle();
    await w.bridge.onStaffReaction({
      tenantId: TENANT,
      channelId: CHANNEL,
      thread: w.thread,
      target: msg.messageId,
      author: { aadObjectId: STAFF, name: "Sam" },
      added: ["❤️"],
      removed: [],
    });
    await w.bridge.onStaffReaction({
      tenantId: TENANT,
      channelId: "19:other@thread.tacv2" as never,
      thread: w.thread,
      target: w.copy,
      author: { aadObjectId: STAFF, name: "Sam" },
      added: ["❤️"],
      removed: [],
    });
    assert.equal(w.whatsapp.media.reactions.length, 0);
    w.whatsapp.media.failSend(
      new WhatsAppSendError("content", "too old", { metaCode: 131009, notApplied: true, retryable: false, userMessage: "the message is too old to react to" }),
    );
    const reply = await w.bridge.onStaffReaction({
      tenantId: TENANT,
      channelId: CHANNEL,
      thread: w.thread,
      target: w.copy,
      author: { aadObjectId: STAFF, name: "Sam" },
      added: ["❤️"],
      removed: [],
    });
    assert.match(replyText(reply), /Your reaction was not sent to WhatsApp: the message is too old to react to/);
  });

  it("editing or deleting a sent reply is answered once; a customer message or a note is not", async () => {
    const w = await withThread();
    const msg = staffMessage("Friday", { thread: w.thread });
    await w.bridge.onStaffMessage(msg);
    await w.bridge.idle();
    const change = { tenantId: TENANT, channelId: CHANNEL, thread: w.thread, messageId: msg.messageId };
    assert.match(replyText(await w.bridge.onStaffMessageChange({ ...change, change: "edited" })), /does not change what the customer received/);
    assert.equal(await w.bridge.onStaffMessageChange({ ...change, change: "deleted" }), undefined);
    assert.equal(await w.bridge.onStaffMessageChange({ ...change, messageId: w.copy, change: "edited" }), undefined);
    const other = staffMessage("Monday", { thread: w.thread });
    await w.bridge.onStaffMessage(other);
    await w.bridge.idle();
    assert.match(
      replyText(await w.bridge.onStaffMessageChange({ ...change, messageId: other.messageId, change: "deleted" })),
      /does not remove it from the customer's phone/,
    );
  });
});
