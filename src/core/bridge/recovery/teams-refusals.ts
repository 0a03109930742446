import { describeError, TeamsRefusal } from "../../errors";
import { maskId } from "../../ids";
import type { WhatsAppEvent } from "../../messages";
import type { InboxEntry } from "../../model";
import type { StaffNotice } from "../../notices";
import type { LaneResult } from "../scheduling/contact-lanes";
import type { ThreadPost } from "../../ports/teams-gateway";
import type { ChannelAddress } from "../../model";
import type { TeamsThreadRef, TeamsMessageId } from "../../ids";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import type { BridgeContext, BridgeDeps } from "../context";
import { holdEntry, suspendLink } from "./link-suspension";
import { replaceGoneThread } from "./thread-replacement";
import { nameOf } from "../thread-view/thread-text";

/**
 * What the bridge does when Teams refuses a post for good (a `TeamsRefusal`): never give up on the
 * message because of one refusal.
 * - app removed: the channel's link is suspended and the event waits (`held`) for the app to come back;
 * - thread gone: the conversation gets a new thread and the event is tried again, there;
 * - post refused even as plain text: the event is marked failed and the thread says which message could
 *   not be shown and where it is kept.
 */
export async function onTeamsRefusal(ctx: BridgeContext, entry: InboxEntry, refusal: TeamsRefusal): Promise<LaneResult> {
  const { stores, logger } = ctx;
  switch (refusal.refusal) {
    case "app-removed": {
      const link = await stores.links.get(entry.business);
      if (link) await suspendLink(ctx, link, refusal);
      return holdEntry(ctx, entry);
    }
    case "thread-gone": {
      if (await replaceGoneThread(ctx, refusal)) return "retry";
      // The conversation moved on already (another event replaced the thread): try again, there.
      const conversation = refusal.thread ? await stores.conversations.findByThread(refusal.thread) : undefined;
      if (conversation === undefined && refusal.thread) {
        const owner = await ownerMovedOn(ctx, entry);
        if (owner) return "retry";
      }
      break;
    }
    case "post-refused":
      break;
  }
  logger.error("whatsapp.event.failed", { business: entry.business, key: maskId(entry.key), error: describeError(refusal) });
  await stores.inbox.setState(entry.business, entry.key, "failed", describeError(refusal));
  if (refusal.refusal === "post-refused" && refusal.thread) await sayNotShown(ctx, entry.event, refusal.thread);
  return "done";
}

/** True when the event's conversation now has a thread other than the one Teams said is gone. */
async function ownerMovedOn(ctx: BridgeDeps, entry: InboxEntry): Promise<boolean> {
  const event = entry.event;
  if (event.type !== "message") return false;
  const link = await ctx.stores.messages.byWamid(event.business, event.id);
  return link !== undefined;
}

/** The thread's note for a message Teams would not show in any form: which one (where it is kept, the catalogue says). */
export function notShownNotice(event: WhatsAppEvent): StaffNotice {
  return event.type === "message"
    ? { kind: "not-shown", message: { from: nameOf(event), sentAt: event.timestamp * 1000, wamid: event.id } }
    : { kind: "not-shown" };
}

async function sayNotShown(ctx: BridgeDeps, event: WhatsAppEvent, thread: TeamsThreadRef): Promise<void> {
  const conversation = await ctx.stores.conversations.findByThread(thread);
  const link = conversation && (await ctx.stores.links.get(conversation.business));
  if (!conversation || !link) return;
  try {
    await withRetry(() => ctx.teams.postInThread(link.channel, thread, { kind: "notice", notice: notShownNotice(event) }), BACKGROUND_RETRY, ctx);
  } catch (err) {
    ctx.logger.error("teams.post.not_shown_notice_failed", { error: describeError(err) });
  }
}

/**
 * Posts a customer message; when Teams refuses the formatted post as malformed or too large, posts it
 * again as plain text (`fallback`), logging what Teams said. A refusal of the plain text too is thrown.
 */
export async function postOrFallback(
  ctx: Pick<BridgeDeps, "teams" | "logger">,
  channel: ChannelAddress,
  thread: TeamsThreadRef,
  post: ThreadPost,
): Promise<TeamsMessageId> {
  try {
    return await ctx.teams.postInThread(channel, thread, post);
  } catch (err) {
    if (!(err instanceof TeamsRefusal) || err.refusal !== "post-refused" || post.kind !== "customer" || post.fallback) throw err;
    ctx.logger.warn("teams.post.refused", { error: describeError(err), note: "posting it again as plain text" });
    return ctx.teams.postInThread(channel, thread, { ...post, fallback: true });
  }
}
