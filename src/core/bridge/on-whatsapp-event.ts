import { BridgeError, describeError } from "../errors";
import { maskId } from "../ids";
import type { InboundMessage } from "../messages";
import type { ChannelLink, Conversation, InboxEntry } from "../model";
import { BACKGROUND_RETRY, withRetry } from "../retry";
import type { LaneResult } from "../contact-lanes";
import type { BridgeDeps } from "./deps";
import { toRootCard, toThreadPost } from "./render-inbound";

/** A conversation in state `creating` older than this was left by a crash and may be taken over. */
const STALE_RESERVATION_MS = 2 * 60_000;

/**
 * Handles one recorded WhatsApp event (use case `onWhatsAppEvent`). Idempotent: an entry that is no
 * longer pending is skipped, and a message already mapped to a Teams post is not posted again.
 * Returns `retry` for failures worth retrying (the lane keeps the entry at its head), `done` otherwise.
 */
export async function onWhatsAppEvent(deps: BridgeDeps, entry: InboxEntry): Promise<LaneResult> {
  const { stores, logger } = deps;
  const current = await stores.inbox.get(entry.business, entry.key);
  if (!current || current.state !== "pending") return "done";
  const event = current.event;
  try {
    switch (event.type) {
      case "message":
        return await onInboundMessage(deps, current, event);
      case "status":
        // Recorded for the record; delivery ticks and failure notices are a later issue.
        await stores.inbox.setState(entry.business, entry.key, "done", "status recorded");
        return "done";
      case "account_error":
        logger.warn("whatsapp.account.error", { business: event.business, code: event.code, title: event.title });
        await stores.inbox.setState(entry.business, entry.key, "done", `account error ${event.code}`);
        return "done";
    }
  } catch (err) {
    if (err instanceof BridgeError && !err.retryable) {
      logger.error("whatsapp.event.failed", { business: entry.business, key: maskId(entry.key), error: describeError(err) });
      await stores.inbox.setState(entry.business, entry.key, "failed", describeError(err));
      return "done";
    }
    logger.warn("whatsapp.event.retry", { business: entry.business, key: maskId(entry.key), error: describeError(err) });
    return "retry";
  }
}

async function onInboundMessage(deps: BridgeDeps, entry: InboxEntry, message: InboundMessage): Promise<LaneResult> {
  const { stores, teams, clock, logger } = deps;
  const link = await stores.links.get(message.business);
  if (!link) {
    // Not linked (yet): kept, and delivered when an admin links the number (case 13: never posted elsewhere).
    logger.warn("whatsapp.message.unrouted", { business: message.business });
    await stores.inbox.setState(message.business, entry.key, "unrouted", "business number not linked to a channel");
    return "done";
  }
  const already = await stores.messages.byWamid(message.business, message.id);
  if (already) {
    await stores.inbox.setState(message.business, entry.key, "done", "already posted");
    return "done";
  }
  const conversation = await ensureThread(deps, link, message);
  if (!conversation) return "retry";
  const thread = conversation.thread!;
  const posted = await withRetry(() => teams.postInThread(link.channel, thread, toThreadPost(message)), BACKGROUND_RETRY, clock);
  await stores.messages.put({
    business: message.business,
    wamid: message.id,
    thread,
    teamsMessageId: posted,
    contact: message.contact.key,
    direction: "inbound",
    at: clock.now(),
  });
  await stores.conversations.update(message.contact.key, {
    lastInboundAt: Math.max(conversation.lastInboundAt ?? 0, message.timestamp * 1000),
    ...(message.contact.profileName ? { profileName: message.contact.profileName } : {}),
    ...(message.contact.username ? { username: message.contact.username } : {}),
    ...(message.contact.phone && !conversation.phone ? { phone: message.contact.phone } : {}),
  });
  await stores.inbox.setState(message.business, entry.key, "done");
  logger.info("whatsapp.message.posted", { business: message.business, contact: maskId(message.contact.key), type: message.content.kind });
  return "done";
}

/**
 * Finds the contact's thread or starts one. The conversation row is reserved (atomic create) before the
 * thread is made, so two racing first messages cannot make two threads; a failed start releases it.
 * Returns undefined when another worker holds a fresh reservation (try again later).
 */
async function ensureThread(deps: BridgeDeps, link: ChannelLink, message: InboundMessage): Promise<Conversation | undefined> {
  const { stores, teams, clock, logger } = deps;
  const contact = message.contact;
  const existing = await stores.conversations.get(contact.key);
  if (existing?.state === "active") return existing;
  if (existing) {
    // Another worker is making the thread, or a crash left the reservation behind.
    if (clock.now() - existing.createdAt < STALE_RESERVATION_MS) return undefined;
    logger.warn("teams.thread.reservation_taken_over", { contact: maskId(contact.key) });
  } else {
    const reserved = await stores.conversations.reserve({
      contact: contact.key,
      business: message.business,
      state: "creating",
      ...(contact.userId ? { userId: contact.userId } : {}),
      ...(contact.phone ? { phone: contact.phone } : {}),
      ...(contact.profileName ? { profileName: contact.profileName } : {}),
      ...(contact.username ? { username: contact.username } : {}),
      createdAt: clock.now(),
    });
    if (!reserved.created) return reserved.existing.state === "active" ? reserved.existing : undefined;
  }
  try {
    const started = await withRetry(() => teams.startThread(link.channel, toRootCard(message, link.displayNumber)), BACKGROUND_RETRY, clock);
    logger.info("teams.thread.started", { business: message.business, contact: maskId(contact.key) });
    return await stores.conversations.activate(contact.key, { channelId: link.channel.channelId, ...started });
  } catch (err) {
    await stores.conversations.release(contact.key);
    throw err;
  }
}
