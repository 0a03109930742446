import { BridgeError, describeError, TeamsRefusal } from "../../errors";
import { maskId } from "../../ids";
import type { InboundMessage } from "../../messages";
import type { ChannelLink, InboxEntry } from "../../model";
import type { PossibleDuplicate, ThreadPost } from "../../ports/teams-gateway";
import type { TeamsThreadRef } from "../../ids";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import type { LaneResult } from "../scheduling/contact-lanes";
import type { BridgeContext } from "../context";
import { setConsent, onPreference } from "./on-consent";
import { onStatus } from "./on-status";
import { refreshRootCard } from "../thread-view/live-state";
import { sendAutomatic } from "../outbox/send-automatic";
import { consentKeyword, DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS } from "../../rules/consent";
import { serviceWindow } from "../../rules/service-window";
import { adoptKnownThread } from "./contact-rekey";
import { prepareInboundPost } from "./inbound-post";
import { lookUpCutShortPost } from "../recovery/post-recovery";
import { ensureThread } from "./thread-start";
import { messageThreadSubject } from "./thread-subjects";
import { explainGroupConsent, onGroupEvent } from "./on-group-event";
import { holdEntry } from "../recovery/link-suspension";
import { onTeamsRefusal, postOrFallback } from "../recovery/teams-refusals";

/**
 * Handles one recorded WhatsApp event (use case `onWhatsAppEvent`). Idempotent: an entry that is no
 * longer pending is skipped, and a message already mapped to a Teams post is not posted again.
 * Returns `retry` for failures worth retrying (the lane keeps the entry at its head), `done` otherwise.
 */
export async function onWhatsAppEvent(ctx: BridgeContext, entry: InboxEntry): Promise<LaneResult> {
  const { stores, logger } = ctx;
  const current = await stores.inbox.get(entry.business, entry.key);
  if (!current || (current.state !== "pending" && current.state !== "posting")) return "done";
  const event = current.event;
  try {
    // A suspended link's events wait for it, without asking Teams again (the probe does that).
    if (event.type !== "account_error" && (await stores.links.get(entry.business))?.suspended) return await holdEntry(ctx, current);
    switch (event.type) {
      case "message":
        return await onInboundMessage(ctx, current, event);
      case "status":
        return await onStatus(ctx, current, event);
      case "preference":
        return await onPreference(ctx, current, event);
      case "group":
        return await onGroupEvent(ctx, current, event);
      case "account_error":
        logger.warn("whatsapp.account.error", { business: event.business, code: event.code, title: event.title });
        await stores.inbox.setState(entry.business, entry.key, "done", `account error ${event.code}`);
        return "done";
    }
  } catch (err) {
    if (err instanceof TeamsRefusal) return onTeamsRefusal(ctx, current, err);
    if (err instanceof BridgeError && !err.retryable) {
      logger.error("whatsapp.event.failed", { business: entry.business, key: maskId(entry.key), error: describeError(err) });
      await stores.inbox.setState(entry.business, entry.key, "failed", describeError(err));
      return "done";
    }
    logger.warn("whatsapp.event.retry", { business: entry.business, key: maskId(entry.key), error: describeError(err) });
    return "retry";
  }
}

async function onInboundMessage(ctx: BridgeContext, entry: InboxEntry, message: InboundMessage): Promise<LaneResult> {
  const { stores, clock, logger } = ctx;
  const link = await stores.links.get(message.business);
  if (!link) {
    // Not linked (yet): kept, and delivered when an admin links the number (never posted elsewhere).
    logger.warn("whatsapp.message.unrouted", { business: message.business });
    await stores.inbox.setState(message.business, entry.key, "unrouted", "business number not linked to a channel");
    return "done";
  }
  const already = await stores.messages.byWamid(message.business, message.id);
  if (already) {
    // A flag set while posting stays (reconcile lists it); the post carried it already.
    await stores.inbox.setState(message.business, entry.key, "done", "already posted");
    return "done";
  }
  // A group's messages belong to the group's thread, whoever wrote them: no per-person thread lookups.
  if (!message.group) await adoptKnownThread(ctx, message);
  const ensured = await ensureThread(ctx, link, messageThreadSubject(ctx, link, message));
  if (!ensured) return "retry";
  const { conversation, isNew } = ensured;
  const thread = conversation.thread!;
  const prepared = await prepareInboundPost(ctx, link, conversation, entry, message);
  // A reaction/edit/deletion whose target has not arrived stays pending; the follow-ups hand it back.
  if (prepared.kind === "parked") return "done";
  const { posted, flagged } = await postOnce(ctx, link, thread, entry, message, prepared.post);
  // Posted: from here on a failure must not post it again, so the record is retried, not the event.
  await withRetry(
    () =>
      stores.messages.put({
        business: message.business,
        wamid: message.id,
        thread,
        teamsMessageId: posted,
        contact: conversation.contact,
        direction: "inbound",
        at: clock.now(),
      }),
    BACKGROUND_RETRY,
    ctx,
  );
  if (flagged) logger.warn("teams.post.duplicate_suspected", { business: message.business, key: maskId(entry.key), why: flagged });
  if (ensured.takenOver) await flagPossibleDuplicate(ctx, link, thread, entry, "thread");
  ctx.followUps?.targetPosted(message.business, message.id);
  await prepared.after(posted);
  // Any participant's message opens (or refreshes) a group's window for the whole group, as a
  // customer's does for their own conversation (docs/protocols.md, WhatsApp groups).
  const lastInboundAt = Math.max(conversation.lastInboundAt ?? 0, message.timestamp * 1000);
  const patch = message.group
    ? { lastInboundAt }
    : {
        lastInboundAt,
        ...(message.contact.profileName ? { profileName: message.contact.profileName } : {}),
        ...(message.contact.username ? { username: message.contact.username } : {}),
        ...(message.contact.phone && !conversation.phone ? { phone: message.contact.phone } : {}),
      };
  await stores.conversations.update(conversation.contact, patch);
  const updated = { ...conversation, ...patch };
  if (!isNew && windowMoved(conversation.lastInboundAt, lastInboundAt, clock.now())) await refreshRootCard(ctx, updated, link);
  if (message.content.kind === "text") {
    const keywords = ctx.settings.consentKeywords ?? { stop: DEFAULT_STOP_KEYWORDS, start: DEFAULT_START_KEYWORDS };
    const change = consentKeyword(message.content.raw, keywords);
    if (change && message.group) await explainGroupConsent(ctx, link, thread, message, change);
    else if (change) await setConsent(ctx, message.contact.key, change, { by: "keyword", word: message.content.raw.trim() });
  }
  if (isNew && ctx.settings.firstContactNotice) {
    await sendAutomatic(ctx, updated, link, ctx.settings.firstContactNotice, "first-contact", message.id);
  }
  await stores.inbox.setState(message.business, entry.key, "done", undefined, { duplicateSuspected: flagged !== undefined, interruptedPost: false });
  logger.info("whatsapp.message.posted", { business: message.business, contact: maskId(conversation.contact), type: message.content.kind });
  return "done";
}

/** The root card shows until when the window is open: refresh it when that moved noticeably or it reopened. */
function windowMoved(before: number | undefined, after: number, now: number): boolean {
  if (!serviceWindow(before, now).open) return true;
  return after - (before ?? 0) >= 10 * 60_000;
}

/**
 * Posts an inbound message with a record of the attempt: the entry is `posting` while the call is in
 * flight, so a crash before the outcome is recorded is found on recovery. Before any second attempt (an
 * entry resumed from `posting`, or a retry after an attempt that failed without certainty: a timeout, a
 * 5xx, a reset connection) the thread is read first (post-recovery.ts): a post already there is taken as
 * it is, one certainly missing is posted plainly; when the thread cannot be read the message is posted
 * again (nothing is lost) carrying its own flag (`possibleDuplicate`), so a duplicate never exists without
 * it. A failure that certainly wrote nothing (a refusal) puts the entry back to `pending`.
 */
async function postOnce(ctx: BridgeContext, link: ChannelLink, thread: TeamsThreadRef, entry: InboxEntry, message: InboundMessage, post: ThreadPost) {
  const { stores } = ctx;
  let flag: PossibleDuplicate | undefined;
  if (entry.state === "posting") {
    const lookup = await lookUpCutShortPost(ctx, link, thread, message.id);
    // Found: take it (a flag set by an earlier attempt stays: that attempt may have posted twice).
    if (lookup.kind === "found") return { posted: lookup.id, flagged: entry.duplicateSuspected ? ("restart" as const) : undefined };
    if (lookup.kind === "unknown") flag = "restart";
  }
  await stores.inbox.setState(entry.business, entry.key, "posting", undefined, { duplicateSuspected: flag !== undefined });
  // An attempt that failed without certainty may have posted: the next attempt looks first.
  let uncertain = false;
  let posted;
  try {
    posted = await withRetry(
      async () => {
        if (uncertain) {
          const lookup = await lookUpCutShortPost(ctx, link, thread, message.id);
          if (lookup.kind === "found") return lookup.id;
          if (lookup.kind === "unknown" && !flag) {
            flag = "unconfirmed";
            await stores.inbox.setState(entry.business, entry.key, "posting", undefined, { duplicateSuspected: true });
          }
          uncertain = false;
        }
        try {
          return await postOrFallback(ctx, link.channel, thread, flag && post.kind === "customer" ? { ...post, possibleDuplicate: flag } : post);
        } catch (err) {
          if (!(err instanceof BridgeError && err.notApplied)) uncertain = true;
          throw err;
        }
      },
      BACKGROUND_RETRY,
      ctx,
    );
  } catch (err) {
    if (!uncertain && !flag) await stores.inbox.setState(entry.business, entry.key, "pending");
    throw err;
  }
  return { posted, flagged: flag };
}

/**
 * Says in the thread that an empty thread may exist above it (a thread start cut short). Retried like any
 * background post; if it still fails it is logged (the inbox detail keeps the flag for `npm run
 * reconcile`), never retried by re-running the event, which would post the message again.
 */
async function flagPossibleDuplicate(ctx: BridgeContext, link: ChannelLink, thread: TeamsThreadRef, entry: InboxEntry, why: "thread"): Promise<void> {
  ctx.logger.warn("teams.post.duplicate_suspected", { business: entry.business, key: maskId(entry.key), why });
  try {
    await withRetry(() => ctx.teams.postInThread(link.channel, thread, { kind: "notice", notice: { kind: "thread-start-duplicate" } }), BACKGROUND_RETRY, ctx);
  } catch (err) {
    ctx.logger.error("teams.post.duplicate_notice_failed", { key: maskId(entry.key), error: describeError(err) });
  }
}
