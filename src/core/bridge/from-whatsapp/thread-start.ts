import { BridgeError } from "../../errors";
import { maskId, type ConversationKey } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { RootCardModel } from "../../ports/teams-gateway";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import type { BridgeDeps } from "../context";
import { lookUpCutShortThread } from "../recovery/post-recovery";

/** A conversation that may need its thread: its key, the row to reserve, and the root card to start it with. */
export interface ThreadSubject {
  readonly key: ConversationKey;
  /** The conversation row (state `creating`, key `key`) reserved before the thread is made; built only when needed (it may do I/O). */
  readonly reservation: () => Promise<Conversation>;
  /** The root card of a new thread for `conversation` (the reserved row, or the one a crash left). */
  readonly rootCard: (conversation: Conversation) => RootCardModel;
}

export interface EnsuredThread {
  readonly conversation: Conversation;
  readonly isNew: boolean;
  /** A reservation left by a crash was taken over and the channel could not be checked: an empty thread may exist. */
  readonly takenOver?: boolean;
}

/**
 * Finds the conversation's thread or starts one. The conversation row is reserved (atomic create) before
 * the thread is made, so two racing first messages cannot make two threads; a failed start releases it.
 * Returns undefined when another worker holds a fresh reservation (try again later).
 */
export async function ensureThread(ctx: BridgeDeps, link: ChannelLink, subject: ThreadSubject): Promise<EnsuredThread | undefined> {
  const { stores, teams, logger } = ctx;
  const key = subject.key;
  let existing = await stores.conversations.get(key);
  if (existing?.state === "active") return { conversation: existing, isNew: false };
  let takenOver = false;
  if (existing) {
    // Only the leader processes, one event per conversation at a time (its lane): nobody else can be
    // making this thread, so the reservation was left by a crash or an outage. The earlier attempt may
    // have posted a root card already: look for it in the channel first; if the channel cannot be read,
    // the new thread says that an empty one may exist.
    logger.warn("teams.thread.reservation_taken_over", { contact: maskId(key) });
    const lookup = await lookUpCutShortThread(ctx, link, key, existing.createdAt);
    if (lookup.kind === "found") {
      const conversation = await stores.conversations.activate(key, {
        channelId: link.channel.channelId,
        thread: lookup.thread,
        rootMessageId: lookup.rootMessageId,
      });
      return { conversation, isNew: true };
    }
    takenOver = lookup.kind === "unknown";
  } else {
    const reservation = await subject.reservation();
    const reserved = await stores.conversations.reserve(reservation);
    if (!reserved.created) return reserved.existing.state === "active" ? { conversation: reserved.existing, isNew: false } : undefined;
    existing = reservation;
  }
  try {
    const root = subject.rootCard(existing);
    const started = await withRetry(() => teams.startThread(link.channel, root), BACKGROUND_RETRY, ctx);
    logger.info("teams.thread.started", { business: link.business, contact: maskId(key) });
    return { conversation: await stores.conversations.activate(key, { channelId: link.channel.channelId, ...started }), isNew: true, takenOver };
  } catch (err) {
    // Released only when Teams certainly made no thread; otherwise the reservation stays, and the next
    // attempt takes it over and says that an empty thread may exist.
    if (err instanceof BridgeError && err.notApplied) await stores.conversations.release(key);
    throw err;
  }
}
