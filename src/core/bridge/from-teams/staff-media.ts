import { BridgeError, describeError } from "../../errors";
import { excerpt, isEmpty, toPlainText } from "../../formatted-text";
import { maskId, type WaMessageId } from "../../ids";
import { baseMimeType, MEDIA_SIZE_CAPS } from "../../media-types";
import type { ReplyPartProblem } from "../../notices";
import type { MediaKind } from "../../messages";
import type { ChannelLink, Conversation } from "../../model";
import type { Stores } from "../../ports/stores";
import type { Recipient } from "../../ports/whatsapp-gateway";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY, INTERACTIVE_RETRY } from "../../retry-policy";
import type { StaffImage, StaffMessage, StaffReply } from "../../staff-message";
import type { BridgeContext } from "../context";
import { recordOutbound } from "../outbox/outbound-record";
import { journalAuthor, journalSentMedia } from "../journal-records";
import { refreshRootCard } from "../thread-view/live-state";
import { say } from "./staff-replies";

/**
 * Staff replies beyond plain text: pasted images (uploaded to WhatsApp and sent with the reply's text as
 * caption), quotes of earlier messages (sent as contextual replies), and files, which Teams does not give
 * to bots in channels (the sender is told how to send one).
 */

/** Captions are at most 1,024 characters (docs/protocols.md A10); a longer text goes first as its own message. */
const CAPTION_MAX_CHARS = 1000;
/** Image types WhatsApp takes as images (docs/protocols.md A12); other images go as documents. */
const WHATSAPP_IMAGE_TYPES = new Set(["image/jpeg", "image/png"]);

/** The wamid of the message a staff reply quotes (reply with quote), when the bridge knows it. Does I/O. */
export async function quotedWamid(stores: Stores, message: StaffMessage): Promise<WaMessageId | undefined> {
  if (!message.quotedMessageId) return undefined;
  return (await stores.messages.byTeamsMessage(message.thread, message.quotedMessageId))?.wamid;
}

/** How an image goes to WhatsApp: as an image when WhatsApp takes its type and size, else as a document. */
export function outboundKind(image: StaffImage): { kind: MediaKind } | { problem: ReplyPartProblem } {
  const type = baseMimeType(image.mimeType) ?? "application/octet-stream";
  if (WHATSAPP_IMAGE_TYPES.has(type) && image.bytes.length <= MEDIA_SIZE_CAPS.image) return { kind: "image" };
  if (image.bytes.length <= MEDIA_SIZE_CAPS.document) return { kind: "document" };
  return { problem: { kind: "too-large", name: image.name, maxBytes: MEDIA_SIZE_CAPS.document } };
}

/**
 * Records one outbound message: mapped to the staff message, as the conversation's last outbound, and
 * journaled (`text`: what the customer received). Meta has it already: a journal that keeps failing is
 * logged as an error, never reported as "not sent".
 */
async function record(
  ctx: BridgeContext,
  message: StaffMessage,
  conversation: Conversation,
  to: Recipient,
  wamid: WaMessageId,
  summary: string,
  text: string,
): Promise<void> {
  await recordOutbound(ctx, {
    conversation,
    thread: message.thread,
    teamsMessageId: message.messageId,
    wamids: [wamid],
    excerpt: summary,
    ...(message.author.aadObjectId ? { author: message.author.aadObjectId } : {}),
  });
  const author = journalAuthor(message.author);
  try {
    await withRetry(
      () => journalSentMedia(ctx, { conversation, to, wamid, teamsMessageId: message.messageId, text, ...(author ? { author } : {}) }),
      BACKGROUND_RETRY,
      ctx,
    );
  } catch (err) {
    ctx.logger.error("journal.outbound_record_failed", { contact: maskId(conversation.contact), error: describeError(err) });
  }
}

/** How an image is written in the journal's record: what it was, then its caption. */
const imageRecord = (image: StaffImage, kind: MediaKind, caption: string | undefined) =>
  `[${kind}: ${image.name}, ${baseMimeType(image.mimeType) ?? "unknown type"}, ${image.bytes.length} bytes]${caption ? `\n${caption}` : ""}`;

/** WhatsApp refused an image (`name`) or the text: with its words when it gave any. */
const refused = (err: unknown, name?: string): ReplyPartProblem => ({
  kind: "refused",
  ...(name !== undefined ? { name } : {}),
  ...(err instanceof BridgeError ? { why: err.userMessage } : {}),
});

/**
 * Sends a staff reply that has pasted images: each image uploaded to WhatsApp and sent, the reply's text
 * as the first image's caption (or, when too long for a caption, as a message of its own first); a
 * quoted message makes the first message a contextual reply. Every message goes through the pacer and
 * is mapped to the staff message. Resolves to a notice listing what did not reach WhatsApp, if anything.
 */
export async function sendStaffImages(
  ctx: BridgeContext,
  message: StaffMessage,
  conversation: Conversation,
  link: ChannelLink,
  to: Recipient,
): Promise<StaffReply | undefined> {
  const { business, contact } = conversation;
  const problems: ReplyPartProblem[] = (message.imageProblems ?? []).map((said) => ({ kind: "not-fetched", said }));
  const replyTo = await quotedWamid(ctx.stores, message);
  const plain = toPlainText(message.body);
  const hasText = !isEmpty(message.body);
  let textSent = !hasText;
  let first = true;
  const sendText = async () => {
    const sent = await ctx.pacer.send(business, contact, () =>
      ctx.whatsapp.sendText({ business, to, body: message.body, ...(replyTo && first ? { replyTo } : {}), callbackData: message.messageId }),
    );
    const parts = sent.parts ?? [sent.id];
    // A long text went as several messages: one record for the text, under its first part.
    for (const [n, id] of parts.entries())
      await record(
        ctx,
        message,
        conversation,
        to,
        id,
        excerpt(plain, 200),
        n === 0 ? ctx.whatsapp.renderText(message.body) : `(part ${n + 1} of ${parts.length} of the text above)`,
      );
    textSent = true;
    first = false;
  };
  try {
    if (hasText && Array.from(plain).length > CAPTION_MAX_CHARS) await sendText();
    for (const image of message.images ?? []) {
      const route = outboundKind(image);
      if ("problem" in route) {
        problems.push(route.problem);
        continue;
      }
      const withCaption = !textSent;
      try {
        const uploaded = await withRetry(
          () => ctx.whatsapp.uploadMedia({ business, bytes: image.bytes, mimeType: image.mimeType, filename: image.name }),
          INTERACTIVE_RETRY,
          ctx,
        );
        const sent = await ctx.pacer.send(business, contact, () =>
          ctx.whatsapp.sendMedia({
            business,
            to,
            kind: route.kind,
            mediaId: uploaded.id,
            ...(withCaption ? { caption: message.body } : {}),
            ...(route.kind === "document" ? { filename: image.name } : {}),
            ...(replyTo && first ? { replyTo } : {}),
            callbackData: message.messageId,
          }),
        );
        await record(
          ctx,
          message,
          conversation,
          to,
          sent.id,
          excerpt(`[${route.kind}] ${withCaption ? plain : image.name}`, 200),
          imageRecord(image, route.kind, withCaption ? ctx.whatsapp.renderText(message.body) : undefined),
        );
        if (withCaption) textSent = true;
        first = false;
      } catch (err) {
        ctx.logger.warn("teams.reply.image_failed", { business, contact: maskId(contact), error: describeError(err) });
        problems.push(refused(err, image.name));
      }
    }
    // The words matter most: if no image carried them, they go on their own.
    if (!textSent) await sendText();
  } catch (err) {
    ctx.logger.warn("teams.reply.failed", { business, contact: maskId(contact), error: describeError(err) });
    problems.push(refused(err));
  }
  await refreshRootCard(ctx, await ctx.stores.conversations.get(contact), link);
  if (problems.length === 0) return undefined;
  return say({ kind: "partly-sent", problems });
}
