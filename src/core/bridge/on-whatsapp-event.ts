import { BridgeError, describeError } from "../errors";
import { maskId } from "../ids";
import type { InboundMessage } from "../messages";
import type { ChannelLink, Conversation, InboxEntry } from "../model";
import { BACKGROUND_RETRY, withRetry } from "../retry";
import type { LaneResult } from "../contact-lanes";
import type { BridgeContext } from "./deps";
import { setConsent, onPreference } from "./on-consent";
import { onStatus } from "./on-status";
import { refreshRootCard } from "./live-state";
import { sendAutomatic } from "./send-automatic";
import { consentKeyword, DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS } from "../rules/consent";
import { serviceWindow } from "../rules/service-window";
import { adoptKnownThread } from "./contact-rekey";
import { prepareInboundPost } from "./inbound-post";
import { toRootCard } from "./render-inbound";

/** A conversation in state `creating` older than this was left by a crash and may be taken over. */
const STALE_RESERVATION_MS = 2 * 60_000;

/**
 * Handles one recorded WhatsApp event (use case `onWhatsAppEvent`). Idempotent: an entry that is no
 * longer pending is skipped, and a message already mapped to a Teams post is not posted again.
 * Returns `retry` for failures worth retrying (the lane keeps the entry at its head), `done` otherwise.
 */
export async function onWhatsAppEvent(deps: BridgeContext, entry: InboxEntry): Promise<LaneResult> {
  const { stores, logger } = deps;
  const current = await stores.inbox.get(entry.business, entry.key);
  if (!current || current.state !== "pending") return "done";
  const event = current.event;
  try {
    switch (event.type) {
      case "message":
        return await onInboundMessage(deps, current, event);
      case "status":
        return await onStatus(deps, current, event);
      case "preference":
        return await onPreference(deps, current, event);
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

async function onInboundMessage(deps: BridgeContext, entry: InboxEntry, message: InboundMessage): Promise<LaneResult> {
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
  await adoptKnownThread(deps, message);
  const ensured = await ensureThread(deps, link, message);
  if (!ensured) return "retry";
  const { conversation, isNew } = ensured;
  const thread = conversation.thread!;
  const prepared = await prepareInboundPost(deps, link, conversation, entry, message);
  // A reaction/edit/deletion whose target has not arrived stays pending; the follow-ups hand it back.
  if (prepared.kind === "parked") return "done";
  const posted = await withRetry(() => teams.postInThread(link.channel, thread, prepared.post), BACKGROUND_RETRY, clock);
  await stores.messages.put({
    business: message.business,
    wamid: message.id,
    thread,
    teamsMessageId: posted,
    contact: message.contact.key,
    direction: "inbound",
    at: clock.now(),
  });
  deps.followUps?.targetPosted(message.business, message.id);
  await prepared.after(posted);
  const lastInboundAt = Math.max(conversation.lastInboundAt ?? 0, message.timestamp * 1000);
  const patch = {
    lastInboundAt,
    ...(message.contact.profileName ? { profileName: message.contact.profileName } : {}),
    ...(message.contact.username ? { username: message.contact.username } : {}),
    ...(message.contact.phone && !conversation.phone ? { phone: message.contact.phone } : {}),
  };
  await stores.conversations.update(message.contact.key, patch);
  const updated = { ...conversation, ...patch };
  if (!isNew && windowMoved(conversation.lastInboundAt, lastInboundAt, clock.now())) await refreshRootCard(deps, updated, link);
  if (message.content.kind === "text") {
    const keywords = deps.settings.consentKeywords ?? { stop: DEFAULT_STOP_KEYWORDS, start: DEFAULT_START_KEYWORDS };
    const change = consentKeyword(message.content.raw, keywords);
    if (change) await setConsent(deps, message.contact.key, change, `the customer wrote “${message.content.raw.trim()}”`);
  }
  if (isNew && deps.settings.firstContactNotice) {
    await sendAutomatic(deps, updated, link, deps.settings.firstContactNotice, "Sent automatically to the customer (first-contact notice)");
  }
  await stores.inbox.setState(message.business, entry.key, "done");
  logger.info("whatsapp.message.posted", { business: message.business, contact: maskId(message.contact.key), type: message.content.kind });
  return "done";
}

/**
 * Finds the contact's thread or starts one. The conversation row is reserved (atomic create) before the
 * thread is made, so two racing first messages cannot make two threads; a failed start releases it.
 * Returns undefined when another worker holds a fresh reservation (try again later).
 */
async function ensureThread(deps: BridgeContext, link: ChannelLink, message: InboundMessage): Promise<{ conversation: Conversation; isNew: boolean } | undefined> {
  const { stores, teams, clock, logger } = deps;
  const contact = message.contact;
  const existing = await stores.conversations.get(contact.key);
  if (existing?.state === "active") return { conversation: existing, isNew: false };
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
      firstMessage: toRootCard(message).firstMessage,
      createdAt: clock.now(),
    });
    if (!reserved.created) return reserved.existing.state === "active" ? { conversation: reserved.existing, isNew: false } : undefined;
  }
  try {
    const window = serviceWindow(message.timestamp * 1000, clock.now());
    const root = { ...toRootCard(message, link.displayNumber), live: { window: window.open ? { open: true, closesAt: window.closesAt } : { open: false }, optedOut: false } };
    const started = await withRetry(() => teams.startThread(link.channel, root), BACKGROUND_RETRY, clock);
    logger.info("teams.thread.started", { business: message.business, contact: maskId(contact.key) });
    return { conversation: await stores.conversations.activate(contact.key, { channelId: link.channel.channelId, ...started }), isNew: true };
  } catch (err) {
    await stores.conversations.release(contact.key);
    throw err;
  }
}

/** The root card shows until when the window is open: refresh it when that moved noticeably or it reopened. */
function windowMoved(before: number | undefined, after: number, now: number): boolean {
  if (!serviceWindow(before, now).open) return true;
  return after - (before ?? 0) >= 10 * 60_000;
}
