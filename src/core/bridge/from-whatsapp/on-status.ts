import { maskId } from "../../ids";
import type { StatusEvent } from "../../messages";
import type { InboxEntry, MessageLink } from "../../model";
import { advance } from "../../rules/delivery-state";
import type { LaneResult } from "../scheduling/contact-lanes";
import type { BridgeContext } from "../context";
import { refreshRootCard } from "../thread-view/live-state";
import { resendIfRateLimited } from "../outbox/outbox-resend";
import { offerTemplates } from "../outbox/outbox-recovery";
import { journalStatus } from "../journal-records";

/** The participants a group send reached, with `participant` added; undefined when it was counted already (a redelivery). */
function countReceipt(message: MessageLink, state: StatusEvent["state"], participant: string): MessageLink["receipts"] | undefined {
  if (state !== "delivered" && state !== "read" && state !== "played") return undefined;
  const current = message.receipts ?? { delivered: [], read: [] };
  const list = state === "delivered" ? current.delivered : current.read;
  if (list.includes(participant)) return undefined;
  return state === "delivered" ? { ...current, delivered: [...list, participant] } : { ...current, read: [...list, participant] };
}

/** A status may overtake the saving of its message's mapping (the send answer and the webhook race). */
const UNKNOWN_MESSAGE_GRACE_MS = 20_000;

/**
 * Applies a delivery status (use case `onWhatsAppStatus`): moves the message's state forward only (late
 * and duplicate statuses change nothing), updates the root card's live state in place, and on `failed`
 * posts a notice in the thread that quotes the message and says what happened and what to do (a staff
 * reply Meta rate-limited is sent again instead, a bounded number of times).
 */
export async function onStatus(ctx: BridgeContext, entry: InboxEntry, event: StatusEvent): Promise<LaneResult> {
  const { stores, logger, clock } = ctx;
  const done = async (detail: string) => {
    await stores.inbox.setState(event.business, entry.key, "done", detail);
    return "done" as const;
  };
  const message = await stores.messages.byWamid(event.business, event.id);
  if (!message || message.direction !== "outbound") {
    if (clock.now() - entry.receivedAt < UNKNOWN_MESSAGE_GRACE_MS) return "retry";
    // A status for a message we have no record of is worth an alert: something was sent outside the bridge, or a record is missing.
    logger.warn("whatsapp.status.unknown_message", { business: event.business, state: event.state });
    return done("status for an unknown message");
  }
  // A group send is delivered and read once per participant: count each one once, on the root card only.
  const receipts = event.participant ? countReceipt(message, event.state, event.participant) : undefined;
  const next = advance(message.state ?? "accepted", event.state);
  if (!next && !receipts) return done(`ignored: ${event.state} after ${message.state ?? "accepted"}`);
  // The journal first: if storing it fails, the status is tried again and finds the state not yet taken.
  if (next) {
    const code = event.errors[0]?.code;
    await journalStatus(ctx, {
      at: event.timestamp > 0 ? event.timestamp * 1000 : clock.now(),
      wamid: message.wamid,
      state: next,
      ...(next === "failed" && code !== undefined ? { errorCode: code } : {}),
    });
  }
  await stores.messages.put({ ...message, ...(next ? { state: next } : {}), ...(receipts ? { receipts } : {}) });

  const conversation = await stores.conversations.get(message.contact);
  const link = await stores.links.get(event.business);
  if (conversation?.lastOutbound?.wamid === message.wamid) {
    const lastOutbound = {
      ...conversation.lastOutbound,
      ...(next ? { state: next } : {}),
      ...(receipts ? { delivered: new Set([...receipts.delivered, ...receipts.read]).size, read: receipts.read.length } : {}),
    };
    await stores.conversations.update(conversation.contact, { lastOutbound });
    await refreshRootCard(ctx, { ...conversation, lastOutbound }, link);
  }
  if (!next) return done(`receipt ${event.state} counted`);
  if (next === "failed")
    ctx.metrics.count("bridge.whatsapp.failures", {
      "whatsapp.error.code": String(event.errors[0]?.code ?? "none"),
      "whatsapp.failure.kind": event.errors[0]?.kind ?? "unknown",
      "whatsapp.failure.stage": "status",
    });
  // A rate-limited reply is sent again from the outbox (outbox-resend.ts); the thread hears of it only if that gives up.
  const decision = next === "failed" ? await resendIfRateLimited(ctx, message, event) : undefined;
  if (decision?.kind === "resending") return done("state failed: sent again (rate limit)");
  if (next === "failed" && link && link.channel.channelId === conversation?.channelId) {
    const error = event.errors[0];
    await ctx.teams.postInThread(link.channel, message.thread, {
      kind: "notice",
      notice: {
        kind: "not-delivered",
        ...(message.excerpt ? { message: message.excerpt } : {}),
        ...(error ? { error: { code: error.code, title: error.title, ...(error.userMessage !== undefined ? { userMessage: error.userMessage } : {}) } } : {}),
        resends: decision?.resends ?? 0,
      },
    });
    logger.warn("whatsapp.message.failed", { business: event.business, contact: maskId(message.contact), code: error?.code ?? 0 });
    // The 24-hour window had closed: only a template can reach the customer now.
    if (error?.kind === "window-closed" && conversation) await offerTemplates(ctx, message, message.excerpt ?? "", conversation, link);
  }
  return done(`state ${next}`);
}
