import assert from "node:assert/strict";
import { BlobWebhookJournal } from "../../../src/storage/blob";
import type { Harness } from "../../support/bridge-harness";

/**
 * What a request left behind, counted on the real stand-ins and stores: journal entries (the record in
 * Blob storage), threads and posts the Bot Connector stand-in received, message updates, and sends the
 * Graph API (Meta) stand-in received.
 */
export interface Effects {
  readonly journal: number;
  readonly threads: number;
  readonly posts: number;
  readonly updates: number;
  readonly sends: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Today's journal entries (deliveries and records) of this harness. */
async function journalEntries(h: Harness): Promise<number> {
  const journal = h.bridge.journal;
  assert.ok(journal instanceof BlobWebhookJournal, "the harness journals to Blob storage");
  return (await journal.listDay(Date.now())).length;
}

export async function countEffects(h: Harness): Promise<Effects> {
  return {
    journal: await journalEntries(h),
    threads: h.connector.created.length,
    posts: h.connector.posts.length,
    updates: h.connector.updates.length,
    sends: h.metaGraph.sent.length,
  };
}

/** The growth of each count since `before`, once the bridge is idle (what a request set off has happened). */
export async function effectsSince(h: Harness, before: Effects): Promise<Effects> {
  await sleep(150);
  await h.bridge.bridge.idle();
  const now = await countEffects(h);
  return {
    journal: now.journal - before.journal,
    threads: now.threads - before.threads,
    posts: now.posts - before.posts,
    updates: now.updates - before.updates,
    sends: now.sends - before.sends,
  };
}

export const describeEffects = (e: Effects) =>
  `journal +${e.journal}, Teams threads +${e.threads}, posts +${e.posts}, updates +${e.updates}, WhatsApp sends +${e.sends}`;

/** Asserts nothing was stored, posted or sent; returns the description for the table. */
export function assertNoEffects(e: Effects): string {
  assert.deepEqual(e, { journal: 0, threads: 0, posts: 0, updates: 0, sends: 0 }, `side effects: ${describeEffects(e)}`);
  return "nothing stored, posted or sent";
}
