import { describeError, TransientError } from "../../errors";
import { excerpt, toPlainText } from "../../formatted-text";
import { maskId, type WaMessageId } from "../../ids";
import type { ChannelLink, Conversation } from "../../model";
import type { OutboxEntry, OutboxPatch } from "../../ports/outbox-store";
import type { Recipient } from "../../ports/whatsapp-gateway";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import type { BridgeContext } from "../context";
import { journalOutbound, recordedText } from "../journal-records";
import { recordLabel } from "../thread-view/record-lines";
import { recordOutbound } from "./outbound-record";

/**
 * The record of what Meta accepted (docs/data-and-compliance.md): once Meta has a message it is never
 * reported as not sent. Its outbox row goes `recording` with the wamids, and these are written, each
 * once (the row remembers what is done):
 * 1. the message map, the conversation's last outbound message and the root card (statuses need them);
 * 2. the outbound record in the journal (the proof: who sent what to whom, and when);
 * 3. for a message no staff post shows (a template, an automatic text), its post in the thread, which the
 *    message map then points at;
 * then the row is `sent`. A step that fails leaves the row `recording`: it is tried again in the
 * background, and after that by the outbox sweep (outbox-recovery.ts), which also finishes the rows of a
 * process that stopped. A step done twice (a crash between writing it and noting it on the row) repeats
 * an identical journal record or post: never a message to the customer.
 */

/** Whom the record is about: the row's conversation, the recipient it went to, and its channel when linked. */
export interface RecordTarget {
  readonly conversation: Conversation;
  readonly to: Recipient;
  readonly link: ChannelLink | undefined;
}

/**
 * Meta accepted `entry` as `wamids`: marks it `recording` and writes its record; what fails now is tried
 * again in the background. Resolves to the row as it stands. Never throws.
 */
export async function recordAccepted(ctx: BridgeContext, entry: OutboxEntry, wamids: readonly WaMessageId[], target: RecordTarget): Promise<OutboxEntry> {
  const marked = await patchRow(ctx, entry, { state: "recording", wamids, updatedAt: ctx.clock.now(), detail: "" });
  // Not marked (storage failed or the row changed): the record is still written from what is known.
  const row = marked ?? { ...entry, state: "recording" as const, wamids };
  const finished = await finishRecord(ctx, row, target);
  if (finished.state !== "sent" && marked) ctx.background(retryRecord(ctx, finished, target));
  return finished;
}

/** Tries the rest of the record again with the background policy, then leaves it to the outbox sweep. */
async function retryRecord(ctx: BridgeContext, row: OutboxEntry, target: RecordTarget): Promise<void> {
  let current = row;
  try {
    await withRetry(
      async () => {
        current = await finishRecord(ctx, current, target);
        if (current.state !== "sent") throw new TransientError("outbox.record_incomplete", "the record of an accepted message is not complete yet");
      },
      BACKGROUND_RETRY,
      ctx,
    );
  } catch {
    ctx.logger.warn("outbox.record_pending", { contact: maskId(row.contact), detail: "left to the outbox sweep" });
  }
}

/**
 * Writes what is missing of `row`'s record (see above) and marks it `sent` when complete. Resolves to the
 * row as it stands; a step that fails is logged and ends the attempt. Never throws.
 */
export async function finishRecord(ctx: BridgeContext, row: OutboxEntry, target: RecordTarget): Promise<OutboxEntry> {
  const wamids = row.wamids ?? [];
  let current = row;
  const step = async (what: string, run: () => Promise<OutboxPatch | undefined>): Promise<boolean> => {
    try {
      const patch = await run();
      if (!patch) return true;
      const updated = await patchRow(ctx, current, { ...patch, updatedAt: ctx.clock.now() });
      if (!updated) return false;
      current = updated;
      return true;
    } catch (err) {
      ctx.logger.warn("outbox.record_step_failed", { contact: maskId(row.contact), step: what, error: describeError(err) });
      return false;
    }
  };
  const first = wamids[0];
  if (!first) return current;
  const mapped = await step("map", async () => {
    if (await ctx.stores.messages.byWamid(row.business, first)) return undefined;
    await recordOutbound(
      ctx,
      {
        conversation: target.conversation,
        thread: row.thread,
        teamsMessageId: row.recordPost ?? row.teamsMessageId,
        wamids,
        excerpt: excerpt(toPlainText(row.body), 200),
        ...(row.author ? { author: row.author } : {}),
      },
      target.link,
    );
    return undefined;
  });
  if (!mapped) return current;
  if (!current.journalRef && ctx.journal) {
    const journaled = await step("journal", async () => ({ journalRef: await journalOutbound(ctx, current, target.to, wamids) }));
    if (!journaled) return current;
  }
  if (current.kind && !current.recordPost) {
    const posted = await step("thread-post", async () => postRecord(ctx, current, target, wamids));
    if (!posted) return current;
  }
  await step("sent", async () => ({ state: "sent" }));
  if (current.state === "sent") ctx.logger.info("outbox.recorded", { contact: maskId(row.contact), kind: row.kind ?? "reply" });
  return current;
}

/**
 * Posts the thread's record of a template or automatic message and points its wamids at that post (the
 * post is what staff see and quote). A thread whose channel is no longer linked gets no post: the
 * journal holds the record, and the row says so.
 */
async function postRecord(ctx: BridgeContext, row: OutboxEntry, target: RecordTarget, wamids: readonly WaMessageId[]): Promise<OutboxPatch> {
  const { link } = target;
  if (!link || link.channel.channelId !== target.conversation.channelId) {
    ctx.logger.warn("outbox.record_post_impossible", { contact: maskId(row.contact), reason: "the thread's channel is not linked" });
    return { detail: "not recorded in Teams: the thread's channel is no longer linked (the journal has the record)" };
  }
  const postId = await ctx.teams.postInThread(link.channel, row.thread, { kind: "sent", label: recordLabel(row), text: recordedText(ctx, row) });
  for (const wamid of wamids) {
    const mapped = await ctx.stores.messages.byWamid(row.business, wamid);
    if (mapped && mapped.teamsMessageId !== postId) await ctx.stores.messages.put({ ...mapped, teamsMessageId: postId });
  }
  return { recordPost: postId };
}

/** A conditional update whose failure is logged, not thrown: undefined when it did not apply. */
export async function patchRow(ctx: BridgeContext, entry: OutboxEntry, patch: OutboxPatch): Promise<OutboxEntry | undefined> {
  try {
    const updated = await ctx.stores.outbox.update(entry, patch);
    if (!updated) ctx.logger.warn("outbox.mark_conflict", { contact: maskId(entry.contact), state: patch.state ?? entry.state });
    return updated;
  } catch (err) {
    ctx.logger.warn("outbox.mark_failed", { contact: maskId(entry.contact), state: patch.state ?? entry.state, error: describeError(err) });
    return undefined;
  }
}
