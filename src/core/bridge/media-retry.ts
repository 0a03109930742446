import { conversationKeyOf } from "../messages";
import { maskId } from "../ids";
import type { InboxEntry } from "../model";
import { BACKGROUND_RETRY, withRetry } from "../retry";
import { attemptsOf, MEDIA_ATTEMPTS } from "./follow-ups";
import { labelOf } from "./inbound-body";
import { customerPost, postInlineImage, type InboundPostDeps } from "./inbound-post";
import { keepInboundMedia, mediaBody } from "./media-post";
import { italic, p } from "./thread-text";

/**
 * One attempt of a media retry (`media:<wamid>` inbox entry): download and keep the file again; when
 * it is kept, or cannot be, say so in the thread as a new reply (the first reply, with its
 * placeholder, stays for the record). `retry` when another attempt may help and attempts remain.
 */
export async function runMediaRetry(deps: InboundPostDeps, entry: InboxEntry): Promise<"done" | "retry"> {
  const { stores, logger } = deps;
  const current = await stores.inbox.get(entry.business, entry.key);
  if (!current || current.state !== "pending") return "done";
  const message = current.event;
  if (message.type !== "message" || message.content.kind !== "media") {
    await stores.inbox.setState(entry.business, entry.key, "failed", "not a media message");
    return "done";
  }
  const content = message.content;
  const link = await stores.links.get(message.business);
  const conversation = await stores.conversations.get(conversationKeyOf(message));
  if (!link || !conversation?.thread || conversation.channelId !== link.channel.channelId) {
    logger.warn("whatsapp.media.retry_abandoned", { business: message.business, contact: maskId(message.contact.key), reason: "no linked thread" });
    await stores.inbox.setState(entry.business, entry.key, "done", "no linked thread any more");
    return "done";
  }
  const attempt = attemptsOf(current) + 1;
  const outcome = await keepInboundMedia(deps, link, message, content);
  if (outcome.status === "failed" && outcome.retry && attempt < MEDIA_ATTEMPTS) {
    await stores.inbox.setState(entry.business, entry.key, "pending", `attempt ${attempt}: ${outcome.problem}`);
    return "retry";
  }
  const intro = outcome.status === "failed"
    ? p(italic(`The file of this message could still not be kept after ${attempt} attempts; the bridge has stopped trying.`))
    : p(italic(`The file of this message (it could not be downloaded at first) is now kept:`));
  const post = customerPost(message, [intro, ...mediaBody(content, outcome, false)], `${labelOf(content) ?? "file"}, delivered later`);
  await withRetry(() => deps.teams.postInThread(link.channel, conversation.thread!, post), BACKGROUND_RETRY, deps.clock);
  if (outcome.status === "kept" && outcome.inline) await postInlineImage(deps, link, conversation, outcome.inline);
  await stores.inbox.setState(entry.business, entry.key, "done", `attempt ${attempt}: ${outcome.status}`);
  logger.info("whatsapp.media.retry_finished", { business: message.business, contact: maskId(message.contact.key), attempt, status: outcome.status });
  return "done";
}
