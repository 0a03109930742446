import { conversationKeyOf } from "../../messages";
import { maskId } from "../../ids";
import type { MediaRetry } from "../../ports/media-retry-store";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY, MEDIA_RETRY } from "../../retry-policy";
import { labelOf } from "./inbound-body";
import { customerPost, postInlineImage, type InboundPostDeps } from "./inbound-post";
import { keepInboundMedia, mediaBody } from "./media-post";
import { italic, p } from "../thread-view/thread-text";

/**
 * One attempt of a queued media retry: download and keep the file again; when it is kept, or cannot be,
 * say so in the thread as a new reply (the first reply, with its placeholder, stays for the record) and
 * take the retry off the queue. `retry` when another attempt may help and attempts remain.
 */
export async function runMediaRetry(ctx: InboundPostDeps, queued: MediaRetry): Promise<"done" | "retry"> {
  const { stores, logger } = ctx;
  const retry = await stores.mediaRetries.get(queued.business, queued.message.id);
  if (!retry) return "done";
  const message = retry.message;
  const finish = () => stores.mediaRetries.remove(retry.business, message.id);
  if (message.content.kind !== "media") {
    await finish();
    return "done";
  }
  const content = message.content;
  const link = await stores.links.get(message.business);
  const conversation = await stores.conversations.get(conversationKeyOf(message));
  if (!link || !conversation?.thread || conversation.channelId !== link.channel.channelId) {
    logger.warn("whatsapp.media.retry_abandoned", { business: message.business, contact: maskId(message.contact.key), reason: "no linked thread" });
    await finish();
    return "done";
  }
  const attempt = retry.attempts + 1;
  const outcome = await keepInboundMedia(ctx, link, message, content);
  if (outcome.status === "failed" && outcome.retry && attempt < MEDIA_RETRY.attempts) {
    await stores.mediaRetries.setAttempts(retry.business, message.id, attempt);
    logger.info("whatsapp.media.retry_failed", { business: message.business, contact: maskId(message.contact.key), attempt, problem: outcome.problem });
    ctx.metrics?.count("bridge.retries", { "retry.policy": MEDIA_RETRY.name });
    return "retry";
  }
  const intro =
    outcome.status === "failed"
      ? p(italic(`The file of this message could still not be kept after ${attempt} attempts; the bridge has stopped trying.`))
      : p(italic(`The file of this message (it could not be downloaded at first) is now kept:`));
  const post = customerPost(message, [intro, ...mediaBody(content, outcome, false)], `${labelOf(content) ?? "file"}, delivered later`);
  await withRetry(() => ctx.teams.postInThread(link.channel, conversation.thread!, post), BACKGROUND_RETRY, ctx);
  if (outcome.status === "kept" && outcome.inline) await postInlineImage(ctx, link, conversation, outcome.inline);
  await finish();
  logger.info("whatsapp.media.retry_finished", { business: message.business, contact: maskId(message.contact.key), attempt, status: outcome.status });
  return "done";
}
